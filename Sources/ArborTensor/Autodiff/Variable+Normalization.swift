extension Variable {
  /// Layer normalisation over the last dimension (Ba, Kiros & Hinton, 2016):
  /// y = (x − μ) / √(σ² + ε) · gain + bias, with the biased variance σ², as BERT uses.
  ///
  /// Backward, with x̂ the normalised input, r = 1/√(σ² + ε) and d the width:
  /// ∂x = r/d · (d·ĝ − Σĝ − x̂·Σ(ĝ ⊙ x̂)) where ĝ = ∂y ⊙ gain; ∂gain = Σ ∂y ⊙ x̂; ∂bias = Σ ∂y.
  public func layerNorm(gain: Variable, bias: Variable, epsilon: Float = 1e-12) -> Variable {
    let width = shape.last ?? 0
    precondition(width > 0, "layerNorm: input needs a non-empty last dimension, got \(shape)")
    precondition(
      gain.shape == [width] && bias.shape == [width], "layerNorm: gain and bias must be [\(width)]")
    let rows = value.count / width
    let (input, gainIndex, biasIndex) = (index, gain.index, bias.index)
    var normalized = [Float](repeating: 0, count: value.count)
    var inverseDeviations = [Float](repeating: 0, count: rows)
    var output = Tensor(zeros: shape)
    value.storage.withUnsafeBufferPointer { x in
      gain.value.storage.withUnsafeBufferPointer { g in
        bias.value.storage.withUnsafeBufferPointer { b in
          normalized.withUnsafeMutableBufferPointer { xhat in
            output.storage.withUnsafeMutableBufferPointer { y in
              for row in 0..<rows {
                let base = row * width
                let mean = Kernels.sum(x.baseAddress! + base, width) / Float(width)
                for j in 0..<width { xhat[base + j] = x[base + j] - mean }
                let variance =
                  Kernels.dot(xhat.baseAddress! + base, xhat.baseAddress! + base, width) / Float(width)
                let inverse = 1 / (variance + epsilon).squareRoot()
                inverseDeviations[row] = inverse
                for j in 0..<width {
                  let n = xhat[base + j] * inverse
                  xhat[base + j] = n
                  y[base + j] = n * g[j] + b[j]
                }
              }
            }
          }
        }
      }
    }
    let xhatValues = normalized
    let inverses = inverseDeviations
    return tape.record(output, inputs: [self, gain, bias]) { tape, upstream in
      let gainValues = tape.values[gainIndex].storage
      upstream.withUnsafeBufferPointer { dy in
        xhatValues.withUnsafeBufferPointer { xhat in
          tape.accumulate(input) { gradient in
            gainValues.withUnsafeBufferPointer { g in
              for row in 0..<rows {
                let base = row * width
                var sum: Float = 0
                var dot: Float = 0
                for j in 0..<width {
                  let scaled = dy[base + j] * g[j]
                  sum += scaled
                  dot += scaled * xhat[base + j]
                }
                let factor = inverses[row] / Float(width)
                for j in 0..<width {
                  let scaled = dy[base + j] * g[j]
                  gradient[base + j] += factor * (Float(width) * scaled - sum - xhat[base + j] * dot)
                }
              }
            }
          }
          tape.accumulate(gainIndex) { gradient in
            for row in 0..<rows {
              let base = row * width
              for j in 0..<width { gradient[j] += dy[base + j] * xhat[base + j] }
            }
          }
          tape.accumulate(biasIndex) { gradient in
            for row in 0..<rows {
              let base = row * width
              for j in 0..<width { gradient[j] += dy[base + j] }
            }
          }
        }
      }
    }
  }

  /// Row-wise cosine similarity of two `[n, d]` matrices, giving `[n]`:
  /// aᵢ·bᵢ / (max(‖aᵢ‖, ε) · max(‖bᵢ‖, ε)).
  /// Backward for an unclamped row: ∂a = g · (b/(‖a‖‖b‖) − cos · a/‖a‖²), symmetrically for b.
  public func cosineSimilarity(_ other: Variable, epsilon: Float = 1e-8) -> Variable {
    precondition(
      shape.count == 2 && shape == other.shape, "cosineSimilarity: shapes \(shape), \(other.shape)")
    let (rows, width) = (shape[0], shape[1])
    let (leftIndex, rightIndex) = (index, other.index)
    var normsA = [Float](repeating: 0, count: rows)
    var normsB = [Float](repeating: 0, count: rows)
    var output = Tensor(zeros: [rows])
    value.storage.withUnsafeBufferPointer { a in
      other.value.storage.withUnsafeBufferPointer { b in
        for row in 0..<rows {
          let base = row * width
          var dot: Float = 0
          var squaredA: Float = 0
          var squaredB: Float = 0
          for j in 0..<width {
            dot += a[base + j] * b[base + j]
            squaredA += a[base + j] * a[base + j]
            squaredB += b[base + j] * b[base + j]
          }
          normsA[row] = squaredA.squareRoot()
          normsB[row] = squaredB.squareRoot()
          output.storage[row] = dot / (max(normsA[row], epsilon) * max(normsB[row], epsilon))
        }
      }
    }
    let (lengthsA, lengthsB, cosines) = (normsA, normsB, output.storage)
    return tape.record(output, inputs: [self, other]) { tape, upstream in
      let a = tape.values[leftIndex].storage
      let b = tape.values[rightIndex].storage
      func accumulate(
        _ target: Int, _ own: [Float], _ partner: [Float], _ ownNorms: [Float], _ partnerNorms: [Float]
      ) {
        tape.accumulate(target) { gradient in
          for row in 0..<rows {
            let base = row * width
            let clampedOwn = max(ownNorms[row], epsilon)
            let clampedPartner = max(partnerNorms[row], epsilon)
            let direct = upstream[row] / (clampedOwn * clampedPartner)
            // The norm term only depends on this input where its norm is not clamped.
            let radial =
              ownNorms[row] > epsilon ? upstream[row] * cosines[row] / (clampedOwn * clampedOwn) : 0
            for j in 0..<width { gradient[base + j] += direct * partner[base + j] - radial * own[base + j] }
          }
        }
      }
      accumulate(leftIndex, a, b, lengthsA, lengthsB)
      accumulate(rightIndex, b, a, lengthsB, lengthsA)
    }
  }
}
