import Foundation

/// The architecture of a BERT encoder, read from a Hugging Face `config.json`.
public struct BertConfiguration: Sendable, Equatable {
  /// Width of every hidden state (384 for all-MiniLM-L6-v2).
  public var hiddenSize: Int
  /// Number of transformer layers.
  public var layerCount: Int
  /// Number of attention heads per layer; divides `hiddenSize`.
  public var headCount: Int
  /// Width of the feed-forward layer.
  public var intermediateSize: Int
  /// Longest sequence the position embeddings cover.
  public var maxPositions: Int
  /// Number of token types (segments).
  public var typeVocabularySize: Int
  /// Number of word embeddings.
  public var vocabularySize: Int
  /// The epsilon inside every layer norm's square root.
  public var layerNormEpsilon: Float

  /// Width of one attention head.
  public var headSize: Int { hiddenSize / headCount }

  /// Creates a configuration from its fields.
  public init(
    hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, maxPositions: Int,
    typeVocabularySize: Int, vocabularySize: Int, layerNormEpsilon: Float
  ) {
    self.hiddenSize = hiddenSize
    self.layerCount = layerCount
    self.headCount = headCount
    self.intermediateSize = intermediateSize
    self.maxPositions = maxPositions
    self.typeVocabularySize = typeVocabularySize
    self.vocabularySize = vocabularySize
    self.layerNormEpsilon = layerNormEpsilon
  }

  /// Reads `config.json`; only absolute position embeddings and the erf GELU are supported.
  public init(contentsOf path: String) throws(TextError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TextError(path: path, message: "cannot read the model configuration (expected config.json)")
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw TextError(path: path, message: "expected a JSON object")
    }
    func integer(_ key: String, default value: Int? = nil) throws(TextError) -> Int {
      if let number = object[key] as? NSNumber, let exact = Int(exactly: number.doubleValue), exact > 0 {
        return exact
      }
      if object[key] == nil, let value { return value }
      throw TextError(path: path, message: "field '\(key)' must be a positive integer")
    }
    if let type = object["model_type"] as? String, !["bert", "roberta"].contains(type) {
      throw TextError(path: path, message: "model_type '\(type)' is not supported (expected bert)")
    }
    if let activation = object["hidden_act"] as? String, activation != "gelu" {
      throw TextError(path: path, message: "hidden_act '\(activation)' is not supported (expected gelu)")
    }
    if let positions = object["position_embedding_type"] as? String, positions != "absolute" {
      throw TextError(
        path: path, message: "position_embedding_type '\(positions)' is not supported (expected absolute)")
    }
    let epsilon = (object["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
    self.init(
      hiddenSize: try integer("hidden_size"), layerCount: try integer("num_hidden_layers"),
      headCount: try integer("num_attention_heads"), intermediateSize: try integer("intermediate_size"),
      maxPositions: try integer("max_position_embeddings"),
      typeVocabularySize: try integer("type_vocab_size", default: 2),
      vocabularySize: try integer("vocab_size"),
      layerNormEpsilon: epsilon)
    guard hiddenSize % headCount == 0 else {
      throw TextError(
        path: path, message: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads")
    }
  }
}
