/// A classifier's answer for one document.
public struct Prediction: Sendable {
  /// The predicted paths, best first: node indices from the first level down.
  public var paths: [[Int]]
  /// The probability of each predicted path (single-path), or of its last node (multi-path).
  public var pathScores: [Float]
  /// The predicted labels: every node on the predicted paths, each once, top-down.
  public var labels: [Int]
  /// The probability of each predicted label given the document.
  public var labelScores: [Float]
}
