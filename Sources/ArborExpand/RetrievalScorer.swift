import ArborTensor
import Foundation

/// A small MLP over the cheap candidate features (standardized, one tanh layer), trained
/// self-supervised to tell gold parents from other candidates; its logit orders candidates before
/// the coherence model reranks the best of them.
struct RetrievalScorer: Sendable {
  /// Parameters `w1` [F, H], `b1` [H], `w2` [H, 1], `b2` [1].
  var store: ParameterStore
  /// Feature means and standard deviations for standardization.
  var means: [Float]
  var deviations: [Float]

  static let hidden = 32

  /// A fresh scorer with Glorot-initialised weights.
  init(generator: inout RandomGenerator) {
    var store = ParameterStore()
    let features = CandidateFeatures.count
    _ = store.add(
      "retrieval.w1", Tensor.glorotUniform(fanIn: features, fanOut: Self.hidden, using: &generator))
    _ = store.add("retrieval.b1", Tensor(zeros: [Self.hidden]), weightDecay: false)
    _ = store.add("retrieval.w2", Tensor.glorotUniform(fanIn: Self.hidden, fanOut: 1, using: &generator))
    _ = store.add("retrieval.b2", Tensor(zeros: [1]), weightDecay: false)
    self.store = store
    means = Array(repeating: 0, count: features)
    deviations = Array(repeating: 1, count: features)
  }

  /// Restores a trained scorer.
  init(store: ParameterStore, means: [Float], deviations: [Float]) {
    self.store = store
    self.means = means
    self.deviations = deviations
  }

  /// Standardized copy of `[rows, F]` features.
  func standardized(_ features: [Float]) -> [Float] {
    let width = CandidateFeatures.count
    var result = features
    for index in result.indices {
      let column = index % width
      result[index] = (result[index] - means[column]) / deviations[column]
    }
    return result
  }

  /// Logits `[rows]` on the tape (for training) from standardized features.
  func logits(_ standardized: [Float], rows: Int, on tape: Tape) -> Variable {
    let ids = store.ids
    let x = tape.constant(Tensor(shape: [rows, CandidateFeatures.count], storage: standardized))
    let hiddenLayer = (x.matmul(tape.parameter(ids[0], in: store)) + tape.parameter(ids[1], in: store)).tanh()
    return hiddenLayer.matmul(tape.parameter(ids[2], in: store)) + tape.parameter(ids[3], in: store)
  }

  /// Logits of raw features, without a tape.
  func scores(_ features: [Float], rows: Int) -> [Float] {
    guard rows > 0 else { return [] }
    let x = Tensor(shape: [rows, CandidateFeatures.count], storage: standardized(features))
    let values = store.values
    var hiddenLayer = x.matmul(values[0])
    for row in 0..<rows {
      for j in 0..<Self.hidden {
        hiddenLayer.storage[row * Self.hidden + j] = tanhf(
          hiddenLayer.storage[row * Self.hidden + j] + values[1].storage[j])
      }
    }
    let output = hiddenLayer.matmul(values[2])
    return output.storage.map { $0 + values[3].storage[0] }
  }

  /// Fits means and deviations on training rows.
  mutating func fitStandardization(_ features: [Float]) {
    let width = CandidateFeatures.count
    let rows = features.count / width
    guard rows > 0 else { return }
    var sums = [Double](repeating: 0, count: width)
    var squares = [Double](repeating: 0, count: width)
    for index in features.indices {
      sums[index % width] += Double(features[index])
      squares[index % width] += Double(features[index]) * Double(features[index])
    }
    for column in 0..<width {
      let mean = sums[column] / Double(rows)
      let variance = max(0, squares[column] / Double(rows) - mean * mean)
      means[column] = Float(mean)
      deviations[column] = Float(max(variance.squareRoot(), 1e-4))
    }
  }
}
