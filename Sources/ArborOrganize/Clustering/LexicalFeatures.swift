import ArborTensor
import COpenBLAS
import Foundation

/// Dense lexical features of a collection: TF-IDF over word uni- and bigrams (sublinear tf `1 + ln tf`,
/// smoothed idf `ln((1 + n) / (1 + df)) + 1`, phrases in at least two documents, unit rows) reduced to
/// `dimension` columns by a randomized truncated SVD (Halko, Martinsson & Tropp 2011, Algorithm 4.4 with
/// two power iterations): the rows of `U_k Σ_k`, the latent semantic analysis coordinates of Deerwester et
/// al. (1990). Orthonormalisation and the small SVD go through the eigendecomposition of `l × l` Gram
/// matrices (Cholesky QR, and cyclic Jacobi for the last small SVD), all products through BLAS.
enum LexicalFeatures {
  /// The sparse TF-IDF matrix in compressed rows.
  struct SparseRows {
    var offsets: [Int] = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    var columnCount = 0
  }

  /// TF-IDF rows of `texts`.
  static func tfidf(_ texts: [String]) -> SparseRows {
    fitTFIDF(texts).rows
  }

  /// TF-IDF rows of `texts` with the vocabulary (the phrase of every column) and idf fitted on them.
  static func fitTFIDF(_ texts: [String]) -> (rows: SparseRows, vocabulary: [String], idf: [Float]) {
    let table = PhraseTable(texts: texts, keepingStopWords: true)
    var df = [Int32](repeating: 0, count: table.phrases.count)
    for row in table.documents { for t in Set(row) { df[Int(t)] += 1 } }
    var column = [Int32](repeating: -1, count: df.count)
    var vocabulary: [String] = []
    var idf: [Float] = []
    let n = Float(texts.count)
    for t in df.indices where df[t] >= 2 {
      column[t] = Int32(idf.count)
      vocabulary.append(table.phrases[t])
      idf.append(logf((1 + n) / (1 + Float(df[t]))) + 1)
    }
    return (weightedRows(table.documents, column: column, idf: idf), vocabulary, idf)
  }

  /// Unit-length sublinear TF-IDF rows of documents given as phrase ids; `column[id]` is a phrase's
  /// column (-1: not in the vocabulary).
  static func weightedRows(_ documents: [[Int32]], column: [Int32], idf: [Float]) -> SparseRows {
    var rows = SparseRows()
    rows.columnCount = idf.count
    var counts: [Int32: Int] = [:]
    for document in documents {
      counts.removeAll(keepingCapacity: true)
      for t in document where column[Int(t)] >= 0 { counts[column[Int(t)], default: 0] += 1 }
      let keys = counts.keys.sorted()
      var norm: Float = 0
      let start = rows.values.count
      for c in keys {
        let v = (1 + logf(Float(counts[c]!))) * idf[Int(c)]
        rows.columns.append(c)
        rows.values.append(v)
        norm += v * v
      }
      if norm > 0 {
        let scale = 1 / norm.squareRoot()
        for i in start..<rows.values.count { rows.values[i] *= scale }
      }
      rows.offsets.append(rows.values.count)
    }
    return rows
  }

  /// `U_k Σ_k` of the TF-IDF matrix of `texts`, `[texts.count, k]` with `k <= dimension`.
  static func svd(texts: [String], dimension: Int, seed: UInt64) -> (vectors: [Float], dimension: Int) {
    guard let (vectors, space) = fit(texts: texts, dimension: dimension, seed: seed) else { return ([], 0) }
    return (vectors, space.dimension)
  }

  /// `U_k Σ_k` of the TF-IDF matrix of `texts` (`[texts.count, k]`, `k <= dimension`) and the space that
  /// folds other texts into the same coordinates; nil when fewer than two columns can be kept.
  static func fit(texts: [String], dimension: Int, seed: UInt64) -> (vectors: [Float], space: LexicalSpace)? {
    let (a, vocabulary, idf) = fitTFIDF(texts)
    let n = texts.count
    let v = a.columnCount
    let l = min(dimension + 10, n, v)
    let k = min(dimension, l)
    guard k >= 2 else { return nil }
    var generator = RandomGenerator(seed: seed &+ 0x5EED_1E71)
    var omega = [Float](repeating: 0, count: v * l)
    for i in omega.indices { omega[i] = generator.nextNormal() }
    var y = multiply(a, omega, width: l, rows: n)
    orthonormalize(&y, rows: n, width: l)
    for _ in 0..<2 {
      var z = multiplyTransposed(a, y, width: l)
      orthonormalize(&z, rows: v, width: l)
      y = multiply(a, z, width: l, rows: n)
      orthonormalize(&y, rows: n, width: l)
    }
    // B = Qᵀ A; B Bᵀ = (Aᵀ Q)ᵀ (Aᵀ Q) = W Λ Wᵀ; U Σ = Q W Σ.
    let bt = multiplyTransposed(a, y, width: l)
    let gram = gramMatrix(bt, rows: v, width: l)
    let (eigenvalues, eigenvectors) = symmetricEigen(gram, size: l)
    // W_k Σ_k as an l × k matrix, then Q (n × l) times it.
    var scaled = [Float](repeating: 0, count: l * k)
    for column in 0..<k {
      let sigma = Float(max(0, eigenvalues[column]).squareRoot())
      for row in 0..<l { scaled[row * k + column] = Float(eigenvectors[row * l + column]) * sigma }
    }
    let out = Tensor(shape: [n, l], storage: y).matmul(Tensor(shape: [l, k], storage: scaled))
    // V_k = Aᵀ Q · W_k Σ_k⁻¹ (columns for σ = 0 stay zero), kept as its two factors: folding in a few
    // texts through them is cheaper than forming the [columns, k] product that a build never uses.
    var rotation = [Float](repeating: 0, count: l * k)
    for column in 0..<k {
      let sigma = max(0, eigenvalues[column]).squareRoot()
      guard sigma > 1e-12 else { continue }
      for row in 0..<l { rotation[row * k + column] = Float(eigenvectors[row * l + column] / sigma) }
    }
    return (
      out.storage,
      LexicalSpace(vocabulary: vocabulary, idf: idf, basis: bt, rotation: rotation, width: l, dimension: k)
    )
  }

  /// `[points | weight · lexical]` with both parts unit-length per row.
  static func join(
    _ points: [Float], dimension: Int, _ lexical: [Float], dimension lexicalDimension: Int, weight: Float
  ) -> ([Float], Int) {
    let n = points.count / dimension
    let width = dimension + lexicalDimension
    var out = [Float](repeating: 0, count: n * width)
    var row = [Float](repeating: 0, count: lexicalDimension)
    for i in 0..<n {
      for j in 0..<dimension { out[i * width + j] = points[i * dimension + j] }
      for j in 0..<lexicalDimension { row[j] = lexical[i * lexicalDimension + j] }
      RowVectors.normalize(&row, row: 0, dimension: lexicalDimension)
      for j in 0..<lexicalDimension { out[i * width + dimension + j] = weight * row[j] }
    }
    return (out, width)
  }

  /// `A · M` for sparse `A` (`rows × a.columnCount`) and dense `M` (`a.columnCount × width`).
  static func multiply(_ a: SparseRows, _ m: [Float], width: Int, rows: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows * width)
    out.withUnsafeMutableBufferPointer { o in
      m.withUnsafeBufferPointer { mm in
        for r in 0..<rows {
          for p in a.offsets[r]..<a.offsets[r + 1] {
            cblas_saxpy(
              Int32(width), a.values[p], mm.baseAddress! + Int(a.columns[p]) * width, 1,
              o.baseAddress! + r * width, 1)
          }
        }
      }
    }
    return out
  }

  /// `Aᵀ · M` for sparse `A` and dense `M` (`rows × width`).
  static func multiplyTransposed(_ a: SparseRows, _ m: [Float], width: Int) -> [Float] {
    var out = [Float](repeating: 0, count: a.columnCount * width)
    let rows = a.offsets.count - 1
    out.withUnsafeMutableBufferPointer { o in
      m.withUnsafeBufferPointer { mm in
        for r in 0..<rows {
          for p in a.offsets[r]..<a.offsets[r + 1] {
            cblas_saxpy(
              Int32(width), a.values[p], mm.baseAddress! + r * width, 1,
              o.baseAddress! + Int(a.columns[p]) * width, 1)
          }
        }
      }
    }
    return out
  }

  /// `Mᵀ M` in double precision.
  static func gramMatrix(_ m: [Float], rows: Int, width: Int) -> [Double] {
    let matrix = Tensor(shape: [rows, width], storage: m)
    return matrix.matmul(matrix, transposeSelf: true).storage.map(Double.init)
  }

  /// Replaces the columns of `m` by an orthonormal basis of their span (Cholesky QR: `MᵀM + εI = RᵀR`,
  /// `M ← M R⁻¹`, with a ridge `ε = 1e-7 · trace / width`); a column already in the span of the ones
  /// before it (residual at most ε) becomes zero.
  static func orthonormalize(_ m: inout [Float], rows: Int, width: Int) {
    var g = gramMatrix(m, rows: rows, width: width)
    var trace = 0.0
    for i in 0..<width { trace += g[i * width + i] }
    let ridge = max(1e-7 * trace / Double(width), 1e-30)
    for i in 0..<width { g[i * width + i] += ridge }
    // Upper-triangular R with RᵀR = G (row-major), by the Cholesky–Banachiewicz recurrence. A column
    // whose residual is no larger than the ridge lies in the span of the columns before it: its row of
    // R becomes a unit row, so that it projects nothing out of later columns, and its output column is
    // zero. Dividing by the ridge's square root instead compounded over several such columns (a
    // collection of two distinct texts gave 1e24 and then NaN).
    var r = [Double](repeating: 0, count: width * width)
    var dependent = [Bool](repeating: false, count: width)
    for i in 0..<width {
      var diagonal = g[i * width + i]
      for k in 0..<i { diagonal -= r[k * width + i] * r[k * width + i] }
      if diagonal <= 2 * ridge {
        dependent[i] = true
        r[i * width + i] = 1
        continue
      }
      let pivot = diagonal.squareRoot()
      r[i * width + i] = pivot
      for j in (i + 1)..<max(i + 1, width) {
        var value = g[i * width + j]
        for k in 0..<i { value -= r[k * width + i] * r[k * width + j] }
        r[i * width + j] = value / pivot
      }
    }
    // R⁻¹ (upper triangular) by back substitution, column by column.
    var inverse = [Float](repeating: 0, count: width * width)
    var column = [Double](repeating: 0, count: width)
    for j in 0..<width where !dependent[j] {
      for i in stride(from: j, through: 0, by: -1) {
        var value = i == j ? 1.0 : 0.0
        for k in (i + 1)..<(j + 1) where k > i { value -= r[i * width + k] * column[k] }
        column[i] = value / r[i * width + i]
      }
      for i in 0...j { inverse[i * width + j] = Float(column[i]) }
    }
    m =
      Tensor(shape: [rows, width], storage: m).matmul(Tensor(shape: [width, width], storage: inverse)).storage
  }

  /// Eigenvalues (descending) and eigenvectors (columns of a row-major `size × size` matrix) of a
  /// symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, Algorithm 8.5.3).
  static func symmetricEigen(_ matrix: [Double], size: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: size * size)
    for i in 0..<size { v[i * size + i] = 1 }
    a.withUnsafeMutableBufferPointer { aBuffer in
      v.withUnsafeMutableBufferPointer { vBuffer in
        guard let a = aBuffer.baseAddress, let v = vBuffer.baseAddress else { return }
        for _ in 0..<30 {
          var off = 0.0
          var diagonal = 0.0
          for i in 0..<size {
            diagonal += a[i * size + i] * a[i * size + i]
            for j in (i + 1)..<max(i + 1, size) { off += a[i * size + j] * a[i * size + j] }
          }
          if off <= 1e-22 * max(diagonal, 1e-300) { break }
          for p in 0..<size {
            for q in (p + 1)..<max(p + 1, size) {
              let apq = a[p * size + q]
              if abs(apq) < 1e-300 { continue }
              let theta = (a[q * size + q] - a[p * size + p]) / (2 * apq)
              let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
              let c = 1 / (t * t + 1).squareRoot()
              let s = t * c
              for k in 0..<size {
                let akp = a[k * size + p]
                let akq = a[k * size + q]
                a[k * size + p] = c * akp - s * akq
                a[k * size + q] = s * akp + c * akq
              }
              let rowP = a + p * size
              let rowQ = a + q * size
              for k in 0..<size {
                let apk = rowP[k]
                let aqk = rowQ[k]
                rowP[k] = c * apk - s * aqk
                rowQ[k] = s * apk + c * aqk
              }
              for k in 0..<size {
                let vkp = v[k * size + p]
                let vkq = v[k * size + q]
                v[k * size + p] = c * vkp - s * vkq
                v[k * size + q] = s * vkp + c * vkq
              }
            }
          }
        }
      }
    }
    let order = (0..<size).sorted { a[$0 * size + $0] > a[$1 * size + $1] }
    var values = [Double](repeating: 0, count: size)
    var vectors = [Double](repeating: 0, count: size * size)
    for (position, column) in order.enumerated() {
      values[position] = a[column * size + column]
      for row in 0..<size { vectors[row * size + position] = v[row * size + column] }
    }
    return (values, vectors)
  }
}
