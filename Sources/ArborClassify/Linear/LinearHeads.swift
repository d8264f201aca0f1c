import ArborTensor
import COpenBLAS

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Linear scores over sparse rows: `score[k] = bias[k] + Σ_j x_j · W[j, k]`.
///
/// Weights are stored feature-major (`W[j, k]` at `j · outputCount + k`), so a sparse
/// row touches contiguous runs of outputs and the inner loops vectorize.
package struct LinearHeads: Sendable {
  package var featureCount: Int
  package var outputCount: Int
  package var weights: [Float]
  package var bias: [Float]

  package init(featureCount: Int, outputCount: Int) {
    self.featureCount = featureCount
    self.outputCount = outputCount
    weights = [Float](repeating: 0, count: featureCount * outputCount)
    bias = [Float](repeating: 0, count: outputCount)
  }

  /// Heads with the given weights (feature-major, `featureCount × outputCount`, or empty when
  /// `mappedWeights` holds them) and biases.
  package init(
    featureCount: Int, outputCount: Int, weights: [Float], mappedWeights: MappedFloats? = nil, bias: [Float]
  ) {
    self.featureCount = featureCount
    self.outputCount = outputCount
    self.weights = weights
    self.mappedWeights = mappedWeights
    self.bias = bias
  }

  /// The weights read in place from a model file (`arbor classify`), used instead of `weights` when
  /// set; training and updates work on `weights` and need ``materializeWeights()`` first.
  package var mappedWeights: MappedFloats?

  /// Copies mapped weights into `weights`, so that the heads can be trained or updated.
  package mutating func materializeWeights() {
    guard mappedWeights != nil else { return }
    weights = withWeights(Array.init)
    mappedWeights = nil
  }

  /// Writes the scores of outputs `range` for row `row` into `out[0..<range.count]`.
  @inline(__always)
  package func scores(_ rows: SparseRows, row: Int, range: Range<Int>, into out: UnsafeMutablePointer<Float>)
  {
    let width = range.count
    bias.withUnsafeBufferPointer { b in
      for k in 0..<width { out[k] = b[range.lowerBound + k] }
    }
    withWeights { accumulate(rows, row: row, range: range, weights: $0, into: out) }
  }

  /// Calls `body` with the weights, wherever they are held (mapped or in `weights`).
  @inline(__always)
  func withWeights<Result>(_ body: (UnsafeBufferPointer<Float>) -> Result) -> Result {
    if let mapped = mappedWeights { return body(mapped.buffer) }
    return weights.withUnsafeBufferPointer(body)
  }

  /// Adds `Σ_j x_j · W[j, range]` of one row to `out`.
  @inline(__always)
  func accumulate(
    _ rows: SparseRows, row: Int, range: Range<Int>, weights w: UnsafeBufferPointer<Float>,
    into out: UnsafeMutablePointer<Float>
  ) {
    let width = range.count
    rows.columns.withUnsafeBufferPointer { columns in
      rows.values.withUnsafeBufferPointer { values in
        for entry in rows.offsets[row]..<rows.offsets[row + 1] {
          let base = Int(columns[entry]) * outputCount + range.lowerBound
          // saxpy: the plain loop compiled to scalar, bounds-checked code here.
          cblas_saxpy(Int32(width), values[entry], w.baseAddress! + base, 1, out, 1)
        }
      }
    }
  }

  /// One SGD step of the independent logistic outputs `range` of a row toward `positives` (gradient
  /// `σ(z) − y`); `scratch` holds at least `range.count` numbers.
  @inline(__always)
  package mutating func logisticStep(
    _ rows: SparseRows, row: Int32, range: Range<Int32>, positives: [Int32],
    scratch: UnsafeMutablePointer<Float>, rate: Float
  ) {
    let r = Int(range.lowerBound)..<Int(range.upperBound)
    scores(rows, row: Int(row), range: r, into: scratch)
    for k in 0..<r.count { scratch[k] = 1 / (1 + expf(-scratch[k])) }
    for positive in positives { scratch[Int(positive) - r.lowerBound] -= 1 }
    descend(rows, row: Int(row), range: r, gradient: scratch, rate: rate)
  }

  /// Adds `-rate · x_j · gradient[k]` to the weights of outputs `range` for the row's features.
  @inline(__always)
  package mutating func descend(
    _ rows: SparseRows, row: Int, range: Range<Int>, gradient: UnsafePointer<Float>, rate: Float
  ) {
    let width = range.count
    let outputs = outputCount
    bias.withUnsafeMutableBufferPointer { b in
      for k in 0..<width { b[range.lowerBound + k] -= rate * gradient[k] }
    }
    weights.withUnsafeMutableBufferPointer { w in
      rows.columns.withUnsafeBufferPointer { columns in
        rows.values.withUnsafeBufferPointer { values in
          for entry in rows.offsets[row]..<rows.offsets[row + 1] {
            let base = Int(columns[entry]) * outputs + range.lowerBound
            cblas_saxpy(Int32(width), -rate * values[entry], gradient, 1, w.baseAddress! + base, 1)
          }
        }
      }
    }
  }
}

/// One training signal for ``LinearHeads``.
package enum LinearExample: Sendable {
  /// Softmax over outputs `range` with the correct output `target` (an absolute index).
  case softmax(row: Int32, range: Range<Int32>, target: Int32)
  /// Logistic loss on each output of `range` against membership in `positives`.
  case logistic(row: Int32, range: Range<Int32>, positives: [Int32])
}

/// Stochastic gradient descent for ``LinearHeads`` with a linearly decaying rate (as fastText trains).
package struct LinearTrainer: Sendable {
  package var epochs: Int
  package var learningRate: Float
  package var seed: UInt64

  package init(epochs: Int, learningRate: Float, seed: UInt64) {
    self.epochs = epochs
    self.learningRate = learningRate
    self.seed = seed
  }

  /// Trains the heads on the examples; `afterEpoch` receives the epoch number (from 1) and the heads.
  package func train(
    _ heads: inout LinearHeads, rows: SparseRows, examples: [LinearExample],
    afterEpoch: (Int, LinearHeads) -> Void = { _, _ in }
  ) {
    var generator = RandomGenerator(seed: seed)
    var order = Array(examples.indices)
    let total = Float(max(1, epochs * examples.count))
    var step: Float = 0
    let maxWidth = max(1, heads.outputCount)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: maxWidth)
    defer { scratch.deallocate() }
    for epoch in 0..<epochs {
      generator.shuffle(&order)
      for index in order {
        let rate = learningRate * max(0, 1 - step / total)
        step += 1
        switch examples[index] {
        case .softmax(let row, let range, let target):
          let r = Int(range.lowerBound)..<Int(range.upperBound)
          heads.scores(rows, row: Int(row), range: r, into: scratch)
          Self.softmaxGradient(scratch, count: r.count, target: Int(target) - r.lowerBound)
          heads.descend(rows, row: Int(row), range: r, gradient: scratch, rate: rate)
        case .logistic(let row, let range, let positives):
          heads.logisticStep(rows, row: row, range: range, positives: positives, scratch: scratch, rate: rate)
        }
      }
      afterEpoch(epoch + 1, heads)
    }
  }

  /// Turns scores into the softmax cross-entropy gradient `p − onehot(target)` in place.
  @inline(__always)
  static func softmaxGradient(_ scores: UnsafeMutablePointer<Float>, count: Int, target: Int) {
    softmax(scores, count: count)
    scores[target] -= 1
  }

  /// Turns scores into their softmax probabilities in place (shifted by the maximum).
  @inline(__always)
  package static func softmax(_ scores: UnsafeMutablePointer<Float>, count: Int) {
    var maximum = -Float.infinity
    for k in 0..<count { maximum = max(maximum, scores[k]) }
    var sum: Float = 0
    for k in 0..<count {
      scores[k] = expf(scores[k] - maximum)
      sum += scores[k]
    }
    let inverse = 1 / sum
    for k in 0..<count { scores[k] *= inverse }
  }
}
