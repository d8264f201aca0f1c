extension Variable {
  /// The matrix product op(self) · op(other) through `cblas_sgemm`, where op transposes when asked.
  ///
  /// Backward (C = A·B): ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C, each one more `sgemm` accumulating in place.
  public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable {
    let left = index
    let right = other.index
    let output = value.matmul(other.value, transposeSelf: transposeSelf, transposeOther: transposeOther)
    let (m, n) = (output.shape[0], output.shape[1])
    let k = transposeSelf ? value.shape[0] : value.shape[1]
    return tape.record(output, inputs: [self, other]) { tape, upstream in
      guard k > 0 else { return }
      let a = tape.values[left]
      let b = tape.values[right]
      upstream.withUnsafeBufferPointer { g in
        // A is stored as [m, k] (or [k, m] when transposed); likewise B as [k, n] (or [n, k]).
        tape.accumulate(left) { gradient in
          b.storage.withUnsafeBufferPointer { bb in
            if transposeSelf {  // ∂A (k×m) = op(B)·∂Cᵀ
              gemm(
                transposeA: transposeOther, transposeB: true, m: k, n: m, k: n, alpha: 1,
                a: bb.baseAddress!, lda: b.shape[1], b: g.baseAddress!, ldb: n,
                beta: 1, c: gradient.baseAddress!, ldc: m)
            } else {  // ∂A (m×k) = ∂C·op(B)ᵀ
              gemm(
                transposeA: false, transposeB: !transposeOther, m: m, n: k, k: n, alpha: 1,
                a: g.baseAddress!, lda: n, b: bb.baseAddress!, ldb: b.shape[1],
                beta: 1, c: gradient.baseAddress!, ldc: k)
            }
          }
        }
        tape.accumulate(right) { gradient in
          a.storage.withUnsafeBufferPointer { aa in
            if transposeOther {  // ∂B (n×k) = ∂Cᵀ·op(A)
              gemm(
                transposeA: true, transposeB: transposeSelf, m: n, n: k, k: m, alpha: 1,
                a: g.baseAddress!, lda: n, b: aa.baseAddress!, ldb: a.shape[1],
                beta: 1, c: gradient.baseAddress!, ldc: k)
            } else {  // ∂B (k×n) = op(A)ᵀ·∂C
              gemm(
                transposeA: !transposeSelf, transposeB: false, m: k, n: n, k: m, alpha: 1,
                a: aa.baseAddress!, lda: a.shape[1], b: g.baseAddress!, ldb: n,
                beta: 1, c: gradient.baseAddress!, ldc: n)
            }
          }
        }
      }
    }
  }
}
