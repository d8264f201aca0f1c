extension Variable {
  /// The matrix product op(self) · op(other) through `cblas_sgemm`, where op transposes when asked.
  ///
  /// Backward (C = A·B): ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C, each one more `sgemm` accumulating in place.
  public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable
  {
    let left = index
    let right = other.index
    let output = value.matmul(other.value, transposeSelf: transposeSelf, transposeOther: transposeOther)
    let (m, n) = (output.shape[0], output.shape[1])
    let k = transposeSelf ? value.shape[0] : value.shape[1]
    return tape.record(output, inputs: [self, other]) { tape, upstream in
      guard k > 0, !upstream.isEmpty else {
        tape.accumulateZeros(left)
        tape.accumulateZeros(right)
        return
      }
      let a = tape.values[left]
      let b = tape.values[right]
      upstream.withUnsafeBufferPointer { g in
        // A is stored as [m, k] (or [k, m] when transposed); likewise B as [k, n] (or [n, k]).
        func leftGradient(_ gradient: UnsafeMutableBufferPointer<Float>, beta: Float) {
          b.storage.withUnsafeBufferPointer { bb in
            if transposeSelf {  // ∂A (k×m) = op(B)·∂Cᵀ
              gemm(
                transposeA: transposeOther, transposeB: true, m: k, n: m, k: n, alpha: 1,
                a: bb.baseAddress!, lda: b.shape[1], b: g.baseAddress!, ldb: n,
                beta: beta, c: gradient.baseAddress!, ldc: m)
            } else {  // ∂A (m×k) = ∂C·op(B)ᵀ
              gemm(
                transposeA: false, transposeB: !transposeOther, m: m, n: k, k: n, alpha: 1,
                a: g.baseAddress!, lda: n, b: bb.baseAddress!, ldb: b.shape[1],
                beta: beta, c: gradient.baseAddress!, ldc: k)
            }
          }
        }
        func rightGradient(_ gradient: UnsafeMutableBufferPointer<Float>, beta: Float) {
          a.storage.withUnsafeBufferPointer { aa in
            if transposeOther {  // ∂B (n×k) = ∂Cᵀ·op(A)
              gemm(
                transposeA: true, transposeB: transposeSelf, m: n, n: k, k: m, alpha: 1,
                a: g.baseAddress!, lda: n, b: aa.baseAddress!, ldb: a.shape[1],
                beta: beta, c: gradient.baseAddress!, ldc: k)
            } else {  // ∂B (k×n) = op(A)ᵀ·∂C
              gemm(
                transposeA: !transposeSelf, transposeB: false, m: k, n: n, k: m, alpha: 1,
                a: aa.baseAddress!, lda: a.shape[1], b: g.baseAddress!, ldb: n,
                beta: beta, c: gradient.baseAddress!, ldc: n)
            }
          }
        }
        tape.accumulate(left, initialize: { leftGradient($0, beta: 0) }, add: { leftGradient($0, beta: 1) })
        tape.accumulate(
          right, initialize: { rightGradient($0, beta: 0) }, add: { rightGradient($0, beta: 1) })
      }
    }
  }
}

extension Variable {
  /// Batched matrix products of `[batch, m, k]` and `[batch, k, n]` (with optional transposes of the
  /// last two dimensions), one `cblas_sgemm` per batch element, giving `[batch, m, n]`; for example
  /// attention scores Q·Kᵀ per head. Backward as for `matmul`, per batch element.
  public func batchedMatmul(
    _ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false
  ) -> Variable {
    precondition(
      shape.count == 3 && other.shape.count == 3 && shape[0] == other.shape[0],
      "batchedMatmul: needs [batch, m, k] and [batch, k, n], got \(shape) and \(other.shape)")
    let (left, right) = (index, other.index)
    let batch = shape[0]
    let m = transposeSelf ? shape[2] : shape[1]
    let k = transposeSelf ? shape[1] : shape[2]
    let otherK = transposeOther ? other.shape[2] : other.shape[1]
    let n = transposeOther ? other.shape[1] : other.shape[2]
    precondition(k == otherK, "batchedMatmul: inner dimensions differ: \(shape) and \(other.shape)")
    let (leftBlock, rightBlock, outputBlock) = (shape[1] * shape[2], other.shape[1] * other.shape[2], m * n)
    let (lda, ldb) = (shape[2], other.shape[2])
    let product = [Float](unsafeUninitializedCapacity: batch * outputBlock) { c, initialized in
      value.storage.withUnsafeBufferPointer { a in
        other.value.storage.withUnsafeBufferPointer { b in
          for item in 0..<batch where outputBlock > 0 {
            gemm(
              transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k, alpha: 1,
              a: a.baseAddress! + item * leftBlock, lda: lda, b: b.baseAddress! + item * rightBlock, ldb: ldb,
              beta: 0, c: c.baseAddress! + item * outputBlock, ldc: n)
          }
        }
      }
      initialized = batch * outputBlock
    }
    let output = Tensor(shape: [batch, m, n], storage: product)
    return tape.record(output, inputs: [self, other]) { tape, upstream in
      guard !upstream.isEmpty else {
        tape.accumulateZeros(left)
        tape.accumulateZeros(right)
        return
      }
      let a = tape.values[left].storage
      let b = tape.values[right].storage
      upstream.withUnsafeBufferPointer { g in
        func leftGradient(_ gradient: UnsafeMutableBufferPointer<Float>, beta: Float) {
          b.withUnsafeBufferPointer { bb in
            for item in 0..<batch where leftBlock > 0 {
              let (gItem, bItem, target) = (
                g.baseAddress! + item * outputBlock, bb.baseAddress! + item * rightBlock,
                gradient.baseAddress! + item * leftBlock
              )
              if transposeSelf {  // ∂A (k×m) = op(B)·∂Cᵀ
                gemm(
                  transposeA: transposeOther, transposeB: true, m: k, n: m, k: n, alpha: 1,
                  a: bItem, lda: ldb, b: gItem, ldb: n, beta: beta, c: target, ldc: m)
              } else {  // ∂A (m×k) = ∂C·op(B)ᵀ
                gemm(
                  transposeA: false, transposeB: !transposeOther, m: m, n: k, k: n, alpha: 1,
                  a: gItem, lda: n, b: bItem, ldb: ldb, beta: beta, c: target, ldc: k)
              }
            }
          }
        }
        func rightGradient(_ gradient: UnsafeMutableBufferPointer<Float>, beta: Float) {
          a.withUnsafeBufferPointer { aa in
            for item in 0..<batch where rightBlock > 0 {
              let (gItem, aItem, target) = (
                g.baseAddress! + item * outputBlock, aa.baseAddress! + item * leftBlock,
                gradient.baseAddress! + item * rightBlock
              )
              if transposeOther {  // ∂B (n×k) = ∂Cᵀ·op(A)
                gemm(
                  transposeA: true, transposeB: transposeSelf, m: n, n: k, k: m, alpha: 1,
                  a: gItem, lda: n, b: aItem, ldb: lda, beta: beta, c: target, ldc: k)
              } else {  // ∂B (k×n) = op(A)ᵀ·∂C
                gemm(
                  transposeA: !transposeSelf, transposeB: false, m: k, n: n, k: m, alpha: 1,
                  a: aItem, lda: lda, b: gItem, ldb: n, beta: beta, c: target, ldc: n)
              }
            }
          }
        }
        tape.accumulate(left, initialize: { leftGradient($0, beta: 0) }, add: { leftGradient($0, beta: 1) })
        tape.accumulate(
          right, initialize: { rightGradient($0, beta: 0) }, add: { rightGradient($0, beta: 1) })
      }
    }
  }
}
