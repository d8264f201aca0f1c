/// How a topic tree's build joined TF-IDF SVD features to the encoder's vectors, kept with the model so
/// that `arbor organize add` places new documents in the spaces the tree was clustered in.
public struct LexicalFeatureSettings: Sendable, Equatable {
  /// Lexical weight per level from the top (the last serves the deeper levels).
  public var weights: [Float]
  /// Width asked of the truncated SVD.
  public var dimension: Int
  /// Seed of the randomized SVD.
  public var seed: UInt64
  /// The model's first `documentCount` documents are the texts the TF-IDF SVD was fitted on.
  public var documentCount: Int

  /// Creates settings.
  public init(weights: [Float], dimension: Int, seed: UInt64, documentCount: Int) {
    self.weights = weights
    self.dimension = dimension
    self.seed = seed
    self.documentCount = documentCount
  }

  /// The weight of the level at `depth` (top level 1).
  func weight(atDepth depth: Int) -> Float {
    weights[max(0, min(depth, weights.count) - 1)]
  }

  /// The settings as the JSON object saved in the model's metadata.
  var json: String {
    "{\"weights\":[" + weights.map { "\($0)" }.joined(separator: ",") + "],\"dimension\":\(dimension),"
      + "\"seed\":\(seed),\"documents\":\(documentCount)}"
  }
}
