import ArborTensor

/// The parameters of one transformer layer, row-major with PyTorch's `[out, in]` linear layout.
public struct BertLayerWeights: Sendable, Equatable {
  /// Query, key and value weights stacked: `[3·hidden, hidden]`.
  var queryKeyValue: [Float]
  /// Query, key and value biases stacked: `[3·hidden]`.
  var queryKeyValueBias: [Float]
  /// Attention output projection `[hidden, hidden]` and bias.
  var attentionOutput: [Float]
  var attentionOutputBias: [Float]
  /// Layer norm after attention: scale and shift.
  var attentionNormScale: [Float]
  var attentionNormShift: [Float]
  /// Feed-forward expansion `[intermediate, hidden]` and bias.
  var intermediate: [Float]
  var intermediateBias: [Float]
  /// Feed-forward contraction `[hidden, intermediate]` and bias.
  var output: [Float]
  var outputBias: [Float]
  /// Layer norm after the feed-forward block.
  var outputNormScale: [Float]
  var outputNormShift: [Float]
}

/// Every parameter of a BERT encoder, read from `model.safetensors` (Hugging Face `BertModel` names,
/// with or without a `bert.` prefix).
struct BertWeights: Sendable {
  var wordEmbeddings: [Float]
  var positionEmbeddings: [Float]
  var tokenTypeEmbeddings: [Float]
  var embeddingNormScale: [Float]
  var embeddingNormShift: [Float]
  var layers: [BertLayerWeights]

  /// Reads and shape-checks every tensor the forward pass needs.
  init(file: SafeTensorsFile, configuration: BertConfiguration) throws(TextError) {
    let hidden = configuration.hiddenSize
    let inner = configuration.intermediateSize
    let prefix = file.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    func tensor(_ name: String, _ shape: [Int]) throws(TextError) -> [Float] {
      let fullName = prefix + name
      guard let entry = file.entries[fullName] else {
        let reason = file.unsupportedEntries[fullName].map { "has unsupported dtype \($0)" } ?? "is missing"
        throw TextError(path: file.path, message: "tensor '\(fullName)' \(reason)")
      }
      guard entry.shape == shape else {
        throw TextError(
          path: file.path, message: "tensor '\(fullName)' has shape \(entry.shape), expected \(shape)")
      }
      do throws(SafeTensorsError) {
        return try file.floats(fullName)
      } catch {
        throw TextError(path: error.path, message: error.message)
      }
    }
    wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [configuration.vocabularySize, hidden])
    positionEmbeddings = try tensor(
      "embeddings.position_embeddings.weight", [configuration.maxPositions, hidden])
    tokenTypeEmbeddings = try tensor(
      "embeddings.token_type_embeddings.weight", [configuration.typeVocabularySize, hidden])
    embeddingNormScale = try tensor("embeddings.LayerNorm.weight", [hidden])
    embeddingNormShift = try tensor("embeddings.LayerNorm.bias", [hidden])
    layers = []
    for index in 0..<configuration.layerCount {
      let layer = "encoder.layer.\(index)."
      let query = try tensor(layer + "attention.self.query.weight", [hidden, hidden])
      let key = try tensor(layer + "attention.self.key.weight", [hidden, hidden])
      let value = try tensor(layer + "attention.self.value.weight", [hidden, hidden])
      let queryBias = try tensor(layer + "attention.self.query.bias", [hidden])
      let keyBias = try tensor(layer + "attention.self.key.bias", [hidden])
      let valueBias = try tensor(layer + "attention.self.value.bias", [hidden])
      layers.append(
        BertLayerWeights(
          queryKeyValue: query + key + value,
          queryKeyValueBias: queryBias + keyBias + valueBias,
          attentionOutput: try tensor(layer + "attention.output.dense.weight", [hidden, hidden]),
          attentionOutputBias: try tensor(layer + "attention.output.dense.bias", [hidden]),
          attentionNormScale: try tensor(layer + "attention.output.LayerNorm.weight", [hidden]),
          attentionNormShift: try tensor(layer + "attention.output.LayerNorm.bias", [hidden]),
          intermediate: try tensor(layer + "intermediate.dense.weight", [inner, hidden]),
          intermediateBias: try tensor(layer + "intermediate.dense.bias", [inner]),
          output: try tensor(layer + "output.dense.weight", [hidden, inner]),
          outputBias: try tensor(layer + "output.dense.bias", [hidden]),
          outputNormScale: try tensor(layer + "output.LayerNorm.weight", [hidden]),
          outputNormShift: try tensor(layer + "output.LayerNorm.bias", [hidden])))
    }
  }
}
