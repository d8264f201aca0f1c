import COpenBLAS

/// Sets the number of threads OpenBLAS uses for matrix products (for benchmarks; the default is
/// OpenBLAS's own choice, normally the number of cores).
public func setBLASThreads(_ count: Int) {
  openblas_set_num_threads(Int32(max(1, count)))
}

/// The number of threads OpenBLAS currently uses.
public func blasThreads() -> Int {
  Int(openblas_get_num_threads())
}

/// C ← alpha · op(A) · op(B) + beta · C for row-major matrices through `cblas_sgemm`, where op
/// transposes when asked. `m × n` is C's shape and `k` the inner dimension.
@inline(__always)
func gemm(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard m > 0, n > 0 else { return }
  if k == 0 {
    // An empty inner dimension: C ← beta · C (C may be uninitialized when beta is 0).
    for row in 0..<m {
      for column in 0..<n { c[row * ldc + column] = beta == 0 ? 0 : beta * c[row * ldc + column] }
    }
    return
  }
  cblas_sgemm(
    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension Tensor {
  /// The matrix product `op(self) · op(other)` through `cblas_sgemm`, where op transposes the
  /// operand when asked. Both operands must be matrices.
  public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
    precondition(rank == 2 && other.rank == 2, "matmul: needs matrices, got \(shape) and \(other.shape)")
    let m = transposeSelf ? shape[1] : shape[0]
    let k = transposeSelf ? shape[0] : shape[1]
    let otherK = transposeOther ? other.shape[1] : other.shape[0]
    let n = transposeOther ? other.shape[0] : other.shape[1]
    precondition(k == otherK, "matmul: inner dimensions differ: \(shape) and \(other.shape)")
    guard k > 0, m > 0, n > 0 else { return Tensor(zeros: [m, n]) }
    // sgemm with β = 0 writes every element of C, so the storage need not be zeroed first.
    let product = [Float](unsafeUninitializedCapacity: m * n) { c, initialized in
      storage.withUnsafeBufferPointer { a in
        other.storage.withUnsafeBufferPointer { b in
          gemm(
            transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k, alpha: 1,
            a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
            beta: 0, c: c.baseAddress!, ldc: n)
        }
      }
      initialized = m * n
    }
    return Tensor(shape: [m, n], storage: product)
  }

  /// The matrix–vector product `op(self) · vector` through `cblas_sgemv`.
  public func matvec(_ vector: [Float], transposeSelf: Bool = false) -> [Float] {
    precondition(rank == 2, "matvec: needs a matrix, got \(shape)")
    let rows = shape[0]
    let columns = shape[1]
    precondition(vector.count == (transposeSelf ? rows : columns), "matvec: vector length \(vector.count)")
    var result = [Float](repeating: 0, count: transposeSelf ? columns : rows)
    guard rows > 0, columns > 0 else { return result }
    storage.withUnsafeBufferPointer { a in
      vector.withUnsafeBufferPointer { x in
        result.withUnsafeMutableBufferPointer { y in
          cblas_sgemv(
            CblasRowMajor, transposeSelf ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns), 1,
            a.baseAddress!, Int32(columns), x.baseAddress!, 1, 0, y.baseAddress!, 1)
        }
      }
    }
    return result
  }
}
