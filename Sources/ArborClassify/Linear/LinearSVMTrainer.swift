import ArborTensor
import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One-vs-rest linear SVMs for ``LinearHeads``: squared hinge loss, L2 regularisation, solved by dual
/// coordinate descent with shrinking (Hsieh, Chang, Lin, Keerthi & Sundararajan 2008, "A dual coordinate
/// descent method for large-scale linear SVM", ICML, Algorithm 1 and §3.2).
///
/// Each output `k` is its own binary problem `min_w ½‖w‖² + C Σ_i max(0, 1 − y_i w·x̃_i)²` over the rows
/// its examples name (`x̃ = [x, 1]`, so the bias is a regularised weight), with `y_i = +1` where `k` is the
/// target or a positive and −1 elsewhere in the example's range. In the dual,
/// `α_i ← max(0, α_i − G_i / Q̄_ii)` with `G_i = y_i w·x̃_i − 1 + α_i / (2C)` and
/// `Q̄_ii = ‖x̃_i‖² + 1 / (2C)`, and `w = Σ_i α_i y_i x̃_i`. A pass stops the problem when the projected
/// gradients span less than `tolerance`.
///
/// The margins are then turned into probabilities by one temperature `T` fitted on the training rows by
/// maximum likelihood (softmax over each softmax example's range, sigmoid for logistic ones, as in Platt
/// scaling with one shared slope); `T` is folded into the weights, so the heads are ordinary softmax /
/// logistic heads afterwards and decoding, `arbor learn` and fine-tuning use them unchanged.
package struct LinearSVMTrainer: Sendable {
  /// The regularisation constant `C` (scikit-learn's and LIBLINEAR's default is 1).
  package var cost: Float
  /// The most passes over one problem's rows.
  package var maximumPasses: Int
  /// The projected-gradient spread below which a problem has converged (LIBLINEAR's default 0.1).
  package var tolerance: Float
  package var seed: UInt64
  /// Threads working on different outputs at once.
  package var threadCount: Int

  package init(
    cost: Float = 1, maximumPasses: Int, tolerance: Float = 0.1, seed: UInt64, threadCount: Int = 2
  ) {
    self.cost = cost
    self.maximumPasses = maximumPasses
    self.tolerance = tolerance
    self.seed = seed
    self.threadCount = threadCount
  }

  /// Trains every output of `heads` that an example names (the others keep their weights), then
  /// calibrates them.
  package func train(_ heads: inout LinearHeads, rows: SparseRows, examples: [LinearExample]) {
    fitMargins(&heads, rows: rows, examples: examples)
    calibrate(&heads, rows: rows, examples: examples)
  }

  /// Scales `heads` by the temperature that fits `examples` best (see ``fitTemperature``).
  package func calibrate(_ heads: inout LinearHeads, rows: SparseRows, examples: [LinearExample]) {
    let temperature = Self.fitTemperature(heads, rows: rows, examples: examples, seed: seed)
    for index in heads.weights.indices { heads.weights[index] *= temperature }
    for index in heads.bias.indices { heads.bias[index] *= temperature }
  }

  /// Trains the SVM margins of every output that an example names, without calibration.
  package func fitMargins(_ heads: inout LinearHeads, rows: SparseRows, examples: [LinearExample]) {
    let problems = Self.binaryProblems(examples, outputCount: heads.outputCount)
    let outputs = heads.outputCount
    let features = heads.featureCount
    let squaredNorms = (0..<rows.count).map { row in
      var sum: Float = 1  // the bias feature
      for entry in rows.offsets[row]..<rows.offsets[row + 1] {
        sum += rows.values[entry] * rows.values[entry]
      }
      return sum
    }
    let trainable = (0..<outputs).filter { !problems[$0].isEmpty }
    heads.weights.withUnsafeMutableBufferPointer { weightBuffer in
      heads.bias.withUnsafeMutableBufferPointer { biasBuffer in
        nonisolated(unsafe) let weights = weightBuffer
        nonisolated(unsafe) let bias = biasBuffer
        let next = OutputCounter()
        // Outputs go to whichever thread is free: their problems differ in size (a local root block
        // sees every row, a deep block a few).
        DispatchQueue.concurrentPerform(iterations: max(1, min(threadCount, trainable.count))) { _ in
          var w = [Float](repeating: 0, count: features)
          while let position = next.take(below: trainable.count) {
            let output = trainable[position]
            let b = solve(problems[output], rows: rows, squaredNorms: squaredNorms, output: output, into: &w)
            // The problem's weights go into output `output`'s strided column; other threads own other columns.
            for j in 0..<features { weights[j * outputs + output] = w[j] }
            bias[output] = b
          }
        }
      }
    }
  }

  /// The rows of each output's binary problem, a row's label in the sign (`row + 1` or `−(row + 1)`).
  static func binaryProblems(_ examples: [LinearExample], outputCount: Int) -> [[Int32]] {
    var problems = [[Int32]](repeating: [], count: outputCount)
    for example in examples {
      switch example {
      case .softmax(let row, let range, let target):
        for output in range { problems[Int(output)].append(output == target ? row + 1 : -(row + 1)) }
      case .logistic(let row, let range, let positives):
        for output in range {
          problems[Int(output)].append(positives.contains(output) ? row + 1 : -(row + 1))
        }
      }
    }
    return problems
  }

  /// Solves one binary problem into `w` (cleared first) and returns its bias.
  func solve(
    _ problem: [Int32], rows: SparseRows, squaredNorms: [Float], output: Int, into w: inout [Float]
  ) -> Float {
    for j in w.indices { w[j] = 0 }
    var bias: Float = 0
    let diagonal = 1 / (2 * cost)
    var alpha = [Float](repeating: 0, count: problem.count)
    var active = Array(0..<problem.count)
    var activeCount = problem.count
    var generator = RandomGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(output + 1))
    var previousMaximum = Float.infinity
    var passes = 0
    w.withUnsafeMutableBufferPointer { weights in
      rows.offsets.withUnsafeBufferPointer { offsets in
        rows.columns.withUnsafeBufferPointer { columns in
          rows.values.withUnsafeBufferPointer { values in
            while passes < maximumPasses {
              passes += 1
              // Fisher–Yates over the active prefix.
              for index in stride(from: activeCount - 1, to: 0, by: -1) {
                active.swapAt(index, generator.nextInt(below: index + 1))
              }
              var maximum = -Float.infinity
              var minimum = Float.infinity
              var position = 0
              while position < activeCount {
                let i = active[position]
                let signed = problem[i]
                let row = Int(abs(signed)) - 1
                let y: Float = signed > 0 ? 1 : -1
                let start = offsets[row]
                let end = offsets[row + 1]
                var dot = bias
                for entry in start..<end { dot += weights[Int(columns[entry])] * values[entry] }
                let gradient = y * dot - 1 + alpha[i] * diagonal
                var projected = gradient
                if alpha[i] == 0 {
                  if gradient > previousMaximum {
                    // Shrink: at the bound and likely to stay there.
                    activeCount -= 1
                    active.swapAt(position, activeCount)
                    continue
                  }
                  projected = min(gradient, 0)
                }
                maximum = max(maximum, projected)
                minimum = min(minimum, projected)
                if abs(projected) > 1e-12 {
                  let updated = max(alpha[i] - gradient / (squaredNorms[row] + diagonal), 0)
                  let step = (updated - alpha[i]) * y
                  alpha[i] = updated
                  bias += step
                  for entry in start..<end { weights[Int(columns[entry])] += step * values[entry] }
                }
                position += 1
              }
              if maximum - minimum <= tolerance {
                if activeCount == problem.count { break }
                // Converged on the shrunk set: check every row once more.
                activeCount = problem.count
                previousMaximum = .infinity
                continue
              }
              previousMaximum = maximum <= 0 ? .infinity : maximum
            }
          }
        }
      }
    }
    return bias
  }

  /// The temperature `T > 0` maximising the training likelihood of `softmax(T·s)` / `σ(T·s)` against
  /// Platt's smoothed targets (Platt 1999, "Probabilistic outputs for support vector machines": the
  /// true class gets `(N₊ + 1)/(N₊ + 2)`, a false one `1/(N₋ + 2)`; for a softmax, `(N + 1)/(N + 2)` on
  /// the target and the rest spread evenly).
  ///
  /// The objective is concave in `T` (cross-entropy against fixed targets of logits linear in `T`), so a
  /// golden-section search on `log T` finds its maximum.
  static func fitTemperature(
    _ heads: LinearHeads, rows: SparseRows, examples allExamples: [LinearExample], seed: UInt64
  ) -> Float {
    // One number needs few examples: a seeded sample of 20,000 at most.
    var examples = allExamples
    let sampleSize = 20_000
    if examples.count > sampleSize {
      var generator = RandomGenerator(seed: seed ^ 0x7465_6D70)
      generator.shuffle(&examples)
      examples.removeLast(examples.count - sampleSize)
    }
    // Scores of every example once; the search then only rescales them.
    var scores: [[Float]] = []
    scores.reserveCapacity(examples.count)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, heads.outputCount))
    defer { scratch.deallocate() }
    for example in examples {
      switch example {
      case .softmax(let row, let range, _), .logistic(let row, let range, _):
        let r = Int(range.lowerBound)..<Int(range.upperBound)
        heads.scores(rows, row: Int(row), range: r, into: scratch)
        scores.append(Array(UnsafeBufferPointer(start: scratch, count: r.count)))
      }
    }
    // Platt's (1999) smoothed targets: on separable training data the plain likelihood grows without
    // bound in T, and an overconfident model would leave later SGD updates (`arbor learn`) no room.
    let count = Double(examples.count)
    let goldTarget = Float((count + 1) / (count + 2))
    var positiveCount = 0.0
    var negativeCount = 0.0
    for example in examples {
      if case .logistic(_, let range, let positives) = example {
        positiveCount += Double(positives.count)
        negativeCount += Double(range.count - positives.count)
      }
    }
    let positiveTarget = Float((positiveCount + 1) / (positiveCount + 2))
    let negativeTarget = Float(1 / (negativeCount + 2))
    func logLikelihood(_ temperature: Float) -> Double {
      var total = 0.0
      for (example, s) in zip(examples, scores) {
        switch example {
        case .softmax(_, let range, let target):
          var maximum = -Float.infinity
          for value in s { maximum = max(maximum, temperature * value) }
          var sum: Float = 0
          for value in s { sum += expf(temperature * value - maximum) }
          let logSum = maximum + logf(sum)
          // Σ_k q_k log p_k with q = goldTarget on the target and the rest spread evenly.
          let gold = Int(target - range.lowerBound)
          let other = s.count > 1 ? (1 - goldTarget) / Float(s.count - 1) : 0
          var term: Float = 0
          for (k, value) in s.enumerated() {
            term += (k == gold ? goldTarget : other) * (temperature * value - logSum)
          }
          total += Double(term)
        case .logistic(_, let range, let positives):
          for (offset, value) in s.enumerated() {
            let t = positives.contains(range.lowerBound + Int32(offset)) ? positiveTarget : negativeTarget
            let z = temperature * value
            // log σ(z) and log σ(−z), computed stably.
            let logP = z > 0 ? -log1pf(expf(-z)) : z - log1pf(expf(z))
            let logQ = logP - z
            total += Double(t * logP + (1 - t) * logQ)
          }
        }
      }
      return total
    }
    var low: Float = logf(0.01)
    var high: Float = logf(1000)
    let ratio: Float = 0.618_034
    var a = high - ratio * (high - low)
    var b = low + ratio * (high - low)
    var fa = logLikelihood(expf(a))
    var fb = logLikelihood(expf(b))
    for _ in 0..<40 {
      if fa < fb {
        low = a
        a = b
        fa = fb
        b = low + ratio * (high - low)
        fb = logLikelihood(expf(b))
      } else {
        high = b
        b = a
        fb = fa
        a = high - ratio * (high - low)
        fa = logLikelihood(expf(a))
      }
    }
    return expf((low + high) / 2)
  }
}

/// Hands out output positions to worker threads, each exactly once.
private final class OutputCounter: @unchecked Sendable {
  private var value = 0
  private let lock = NSLock()

  /// The next position below `bound`, or nil when all are taken.
  func take(below bound: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard value < bound else { return nil }
    value += 1
    return value - 1
  }
}
