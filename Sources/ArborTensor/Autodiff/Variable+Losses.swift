extension Variable {
  /// Mean cross-entropy of `[n, classes]` logits against integer class targets:
  /// −(1/N) Σᵢ log softmax(xᵢ)[tᵢ], where N counts the rows whose target is not `ignoredTarget`
  /// (a loss of 0 when every row is ignored). Backward: (softmax(xᵢ) − onehot(tᵢ)) / N.
  public func crossEntropy(targets: [Int], ignoredTarget: Int? = nil) -> Variable {
    precondition(shape.count == 2, "crossEntropy: logits must be [n, classes], got \(shape)")
    let (rows, classes) = (shape[0], shape[1])
    precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
    for target in targets where target != ignoredTarget {
      precondition(target >= 0 && target < classes, "crossEntropy: target \(target) outside 0..<\(classes)")
    }
    let input = index
    var probabilities = [Float](repeating: 0, count: rows * classes)
    var total: Double = 0
    var counted = 0
    value.storage.withUnsafeBufferPointer { x in
      probabilities.withUnsafeMutableBufferPointer { p in
        for row in 0..<rows {
          let base = row * classes
          let logNormalizer = logSumExp(x, base, classes, into: p)
          let target = targets[row]
          if target != ignoredTarget {
            total += Double(logNormalizer - x[base + target])
            counted += 1
          }
        }
      }
    }
    let scale: Float = counted > 0 ? 1 / Float(counted) : 0
    let output = Tensor(scalar: Float(total) * scale)
    let softmax = probabilities
    return tape.record(output, inputs: [self]) { tape, upstream in
      let factor = upstream[0] * scale
      tape.accumulate(input) { gradient in
        softmax.withUnsafeBufferPointer { p in
          for row in 0..<rows where targets[row] != ignoredTarget {
            let base = row * classes
            for column in 0..<classes { gradient[base + column] += factor * p[base + column] }
            gradient[base + targets[row]] -= factor
          }
        }
      }
    }
  }

  /// Mean cross-entropy of `[n, classes]` logits against target distributions of the same shape:
  /// −(1/n) Σᵢ Σⱼ pᵢⱼ log softmax(xᵢ)ⱼ. Backward: (softmax(xᵢ)·Σⱼpᵢⱼ − pᵢ) / n.
  public func crossEntropy(targetProbabilities targets: Tensor) -> Variable {
    precondition(
      shape.count == 2 && targets.shape == shape, "crossEntropy: shapes \(shape), \(targets.shape)")
    let (rows, classes) = (shape[0], shape[1])
    let input = index
    var probabilities = [Float](repeating: 0, count: rows * classes)
    var total: Double = 0
    value.storage.withUnsafeBufferPointer { x in
      targets.storage.withUnsafeBufferPointer { t in
        probabilities.withUnsafeMutableBufferPointer { p in
          for row in 0..<rows {
            let base = row * classes
            let logNormalizer = logSumExp(x, base, classes, into: p)
            for column in 0..<classes {
              total += Double(t[base + column] * (logNormalizer - x[base + column]))
            }
          }
        }
      }
    }
    let scale: Float = rows > 0 ? 1 / Float(rows) : 0
    let softmax = probabilities
    return tape.record(Tensor(scalar: Float(total) * scale), inputs: [self]) { tape, upstream in
      let factor = upstream[0] * scale
      tape.accumulate(input) { gradient in
        softmax.withUnsafeBufferPointer { p in
          targets.storage.withUnsafeBufferPointer { t in
            for row in 0..<rows {
              let base = row * classes
              var mass: Float = 0
              for column in 0..<classes { mass += t[base + column] }
              for column in 0..<classes {
                gradient[base + column] += factor * (p[base + column] * mass - t[base + column])
              }
            }
          }
        }
      }
    }
  }

  /// Mean binary cross-entropy between targets in [0, 1] and σ(logits), computed stably as
  /// max(x, 0) − x·y + log(1 + e^−|x|). Backward: (σ(x) − y) / N.
  public func binaryCrossEntropyWithLogits(targets: Tensor) -> Variable {
    precondition(targets.shape == shape, "binaryCrossEntropyWithLogits: shapes \(shape) and \(targets.shape)")
    let input = index
    let count = value.count
    var total: Double = 0
    value.storage.withUnsafeBufferPointer { x in
      targets.storage.withUnsafeBufferPointer { y in
        for i in 0..<count {
          let logit = x[i]
          total += Double(max(logit, 0) - logit * y[i] + log1pFloat(expFloat(-abs(logit))))
        }
      }
    }
    let scale: Float = count > 0 ? 1 / Float(count) : 0
    return tape.record(Tensor(scalar: Float(total) * scale), inputs: [self]) { tape, upstream in
      let factor = upstream[0] * scale
      let logits = tape.values[input].storage
      tape.accumulate(input) { gradient in
        logits.withUnsafeBufferPointer { x in
          targets.storage.withUnsafeBufferPointer { y in
            for i in 0..<count { gradient[i] += factor * (stableSigmoid(x[i]) - y[i]) }
          }
        }
      }
    }
  }
}

/// Writes softmax of `x[base..<base+count]` into `p` at the same positions and returns
/// log Σ exp(x), computed with the maximum subtracted.
@inline(__always)
func logSumExp(
  _ x: UnsafeBufferPointer<Float>, _ base: Int, _ count: Int, into p: UnsafeMutableBufferPointer<Float>
) -> Float {
  let maximum = Kernels.maximum(x.baseAddress! + base, count)
  let total = Kernels.shiftedExp(x.baseAddress! + base, p.baseAddress! + base, count, shift: maximum)
  let inverse = 1 / total
  for j in 0..<count { p[base + j] *= inverse }
  return maximum + logFloat(total)
}
