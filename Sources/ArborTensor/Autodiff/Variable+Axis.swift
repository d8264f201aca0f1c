/// A shape split around one axis: `outer` blocks of `length × inner` elements, where the axis's
/// elements are `inner` apart.
struct AxisSplit {
  let outer: Int
  let length: Int
  let inner: Int

  init(_ shape: [Int], axis: Int) {
    outer = Tensor.elementCount(Array(shape[..<axis]))
    length = shape[axis]
    inner = Tensor.elementCount(Array(shape[(axis + 1)...]))
  }
}

/// Resolves a possibly negative axis (−1 is the last) and checks it.
func resolveAxis(_ axis: Int, rank: Int, _ operation: String) -> Int {
  let resolved = axis < 0 ? axis + rank : axis
  precondition(resolved >= 0 && resolved < rank, "\(operation): axis \(axis) out of range for rank \(rank)")
  return resolved
}

extension Variable {
  /// Softmax along `axis` (default: the last): exp(xᵢ − max) / Σⱼ exp(xⱼ − max).
  /// Backward: ∂x = y ⊙ (∂y − Σ ∂y ⊙ y) along the axis.
  public func softmax(axis: Int = -1) -> Variable {
    normalizedExponential(axis: axis, logarithm: false)
  }

  /// Log-softmax along `axis` (default: the last): xᵢ − max − log Σⱼ exp(xⱼ − max).
  /// Backward: ∂x = ∂y − softmax(x) · Σ ∂y along the axis.
  public func logSoftmax(axis: Int = -1) -> Variable {
    normalizedExponential(axis: axis, logarithm: true)
  }

  private func normalizedExponential(axis: Int, logarithm: Bool) -> Variable {
    let input = index
    let split = AxisSplit(shape, axis: resolveAxis(axis, rank: shape.count, "softmax"))
    var output = value
    output.storage.withUnsafeMutableBufferPointer { y in
      if split.inner == 1 && split.length > 0 {
        // Contiguous rows (the usual last-axis case): vectorized maximum and exponential.
        var scratch = [Float](repeating: 0, count: logarithm ? split.length : 0)
        scratch.withUnsafeMutableBufferPointer { exps in
          for outer in 0..<split.outer {
            let row = y.baseAddress! + outer * split.length
            let maximum = Kernels.maximum(row, split.length)
            if logarithm {
              let total = Kernels.shiftedExp(row, exps.baseAddress!, split.length, shift: maximum)
              let shift = maximum + logFloat(total)
              for i in 0..<split.length { row[i] -= shift }
            } else {
              let scale = 1 / Kernels.shiftedExp(row, row, split.length, shift: maximum)
              for i in 0..<split.length { row[i] *= scale }
            }
          }
        }
        return
      }
      for outer in 0..<split.outer {
        for inner in 0..<split.inner {
          let base = outer * split.length * split.inner + inner
          let step = split.inner
          var maximum = -Float.infinity
          for i in 0..<split.length { maximum = max(maximum, y[base + i * step]) }
          var total: Float = 0
          for i in 0..<split.length { total += expFloat(y[base + i * step] - maximum) }
          if logarithm {
            let shift = maximum + logFloat(total)
            for i in 0..<split.length { y[base + i * step] -= shift }
          } else {
            let scale = 1 / total
            for i in 0..<split.length { y[base + i * step] = expFloat(y[base + i * step] - maximum) * scale }
          }
        }
      }
    }
    let result = output.storage
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        result.withUnsafeBufferPointer { y in
          upstream.withUnsafeBufferPointer { g in
            for outer in 0..<split.outer {
              for inner in 0..<split.inner {
                let base = outer * split.length * split.inner + inner
                let step = split.inner
                if logarithm {
                  var total: Float = 0
                  for i in 0..<split.length { total += g[base + i * step] }
                  for i in 0..<split.length {
                    let index = base + i * step
                    gradient[index] += g[index] - expFloat(y[index]) * total
                  }
                } else {
                  var dot: Float = 0
                  for i in 0..<split.length { dot += g[base + i * step] * y[base + i * step] }
                  for i in 0..<split.length {
                    let index = base + i * step
                    gradient[index] += y[index] * (g[index] - dot)
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// The sum of all elements, as a scalar (shape `[]`).
  public func sum() -> Variable {
    reduceAll(mean: false)
  }

  /// The mean of all elements, as a scalar (shape `[]`).
  public func mean() -> Variable {
    reduceAll(mean: true)
  }

  private func reduceAll(mean: Bool) -> Variable {
    let input = index
    let count = value.count
    var total: Double = 0
    value.storage.withUnsafeBufferPointer { x in
      for index in 0..<x.count { total += Double(x[index]) }
    }
    let scale: Float = mean ? 1 / Float(max(count, 1)) : 1
    let output = Tensor(scalar: Float(total) * scale)
    return tape.record(output, inputs: [self]) { tape, upstream in
      let g = upstream[0] * scale
      tape.accumulate(input) { gradient in
        for index in 0..<gradient.count { gradient[index] += g }
      }
    }
  }

  /// The sum along `axis`, which is removed from the shape.
  public func sum(axis: Int) -> Variable {
    reduce(axis: axis, mean: false)
  }

  /// The mean along `axis`, which is removed from the shape.
  public func mean(axis: Int) -> Variable {
    reduce(axis: axis, mean: true)
  }

  private func reduce(axis: Int, mean: Bool) -> Variable {
    let input = index
    let resolved = resolveAxis(axis, rank: shape.count, mean ? "mean" : "sum")
    let split = AxisSplit(shape, axis: resolved)
    var outputShape = shape
    outputShape.remove(at: resolved)
    let scale: Float = mean ? 1 / Float(max(split.length, 1)) : 1
    var output = Tensor(zeros: outputShape)
    output.storage.withUnsafeMutableBufferPointer { y in
      value.storage.withUnsafeBufferPointer { x in
        for outer in 0..<split.outer {
          for i in 0..<split.length {
            let source = (outer * split.length + i) * split.inner
            let target = outer * split.inner
            for inner in 0..<split.inner { y[target + inner] += x[source + inner] }
          }
        }
        for index in 0..<y.count { y[index] *= scale }
      }
    }
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        upstream.withUnsafeBufferPointer { g in
          for outer in 0..<split.outer {
            for i in 0..<split.length {
              let target = (outer * split.length + i) * split.inner
              let source = outer * split.inner
              for inner in 0..<split.inner { gradient[target + inner] += g[source + inner] * scale }
            }
          }
        }
      }
    }
  }

  /// The transpose of a matrix.
  public func transposed() -> Variable {
    precondition(shape.count == 2, "transposed: needs a matrix, got \(shape)")
    let input = index
    let (rows, columns) = (shape[0], shape[1])
    var output = Tensor(zeros: [columns, rows])
    output.storage.withUnsafeMutableBufferPointer { y in
      value.storage.withUnsafeBufferPointer { x in
        for row in 0..<rows {
          for column in 0..<columns { y[column * rows + row] = x[row * columns + column] }
        }
      }
    }
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        upstream.withUnsafeBufferPointer { g in
          for row in 0..<rows {
            for column in 0..<columns { gradient[row * columns + column] += g[column * rows + row] }
          }
        }
      }
    }
  }

  /// The elements at positions `range` along `axis`.
  public func slice(axis: Int, _ range: Range<Int>) -> Variable {
    let input = index
    let resolved = resolveAxis(axis, rank: shape.count, "slice")
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[resolved], "slice: \(range) out of \(shape)")
    let split = AxisSplit(shape, axis: resolved)
    var outputShape = shape
    outputShape[resolved] = range.count
    let block = range.count * split.inner
    var output = Tensor(zeros: outputShape)
    output.storage.withUnsafeMutableBufferPointer { y in
      value.storage.withUnsafeBufferPointer { x in
        for outer in 0..<split.outer {
          let source = (outer * split.length + range.lowerBound) * split.inner
          for j in 0..<block { y[outer * block + j] = x[source + j] }
        }
      }
    }
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        upstream.withUnsafeBufferPointer { g in
          for outer in 0..<split.outer {
            let target = (outer * split.length + range.lowerBound) * split.inner
            for j in 0..<block { gradient[target + j] += g[outer * block + j] }
          }
        }
      }
    }
  }
}

/// Joins variables along `axis`; all other dimensions must agree.
public func concat(_ parts: [Variable], axis: Int) -> Variable {
  precondition(!parts.isEmpty, "concat: nothing to join")
  let tape = parts[0].tape
  let first = parts[0].shape
  let resolved = resolveAxis(axis, rank: first.count, "concat")
  var outputShape = first
  outputShape[resolved] = 0
  for part in parts {
    var expected = first
    expected[resolved] = part.shape[resolved]
    precondition(
      part.shape == expected, "concat: shape \(part.shape) does not match \(first) along axis \(axis)")
    outputShape[resolved] += part.shape[resolved]
  }
  let outer = Tensor.elementCount(Array(first[..<resolved]))
  let inner = Tensor.elementCount(Array(first[(resolved + 1)...]))
  let outputBlock = outputShape[resolved] * inner
  var output = Tensor(zeros: outputShape)
  var starts: [Int] = []
  var offset = 0
  output.storage.withUnsafeMutableBufferPointer { y in
    for part in parts {
      starts.append(offset)
      let block = part.shape[resolved] * inner
      part.value.storage.withUnsafeBufferPointer { x in
        for o in 0..<outer {
          for j in 0..<block { y[o * outputBlock + offset + j] = x[o * block + j] }
        }
      }
      offset += block
    }
  }
  let blockOffsets = starts
  let indices = parts.map(\.index)
  return tape.record(output, inputs: parts) { tape, upstream in
    upstream.withUnsafeBufferPointer { g in
      for (part, start) in zip(indices, blockOffsets) {
        let block = tape.values[part].shape[resolved] * inner
        tape.accumulate(part) { gradient in
          for o in 0..<outer {
            for j in 0..<block { gradient[o * block + j] += g[o * outputBlock + start + j] }
          }
        }
      }
    }
  }
}
