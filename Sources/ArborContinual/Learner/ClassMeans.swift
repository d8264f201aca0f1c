import COpenBLAS
import Foundation

/// Streaming linear discriminant scores: running class means and one shared covariance, updated with every
/// stream sample (Hayes & Kanan, "Lifelong Machine Learning with Deep Streaming Linear Discriminant
/// Analysis", CVPR Workshops 2020).
///
/// The score of class c for input x is `w_c·x − ½ w_c·μ_c + log π_c` with `w_c = Σ⁻¹ μ_c` and π_c the
/// share of the level's samples in class c (the Gaussian Bayes rule, Hastie, Tibshirani & Friedman, The
/// Elements of Statistical Learning, §4.3), where
/// `Σ = (1 − s) S + s (tr S / d) I` shrinks the pooled within-class covariance `S` towards a scaled identity
/// (Ledoit & Wolf, J. Multivariate Analysis 2004). `S` is kept exactly from the second moment of all samples
/// minus the between-class part of the classes the samples are deepest-labelled with.
public struct ClassMeans: Sendable {
  /// Width of the vectors.
  public let dimension: Int
  /// Weight of the scaled identity in the covariance, in (0, 1].
  public var shrinkage: Double
  /// Weight of the log class prior log(n_c / n_level) added to each score (1: the Bayes rule of LDA).
  public var priorWeight: Double = 1
  /// Sums of the vectors of each class, per level (rows in the order of the level's head).
  private(set) var sums: [[Double]]
  /// Samples per class, per level.
  private(set) var counts: [[Int]]
  /// Second moment Σ x xᵀ of all samples (upper triangle, row-major d × d).
  private var secondMoment: [Double]
  /// Sums and counts of the classes each sample is deepest-labelled with (node → (sum, count)).
  private var scatterRow: [Int: Int] = [:]
  private var scatterSums: [Double] = []
  private var scatterCounts: [Int] = []
  /// Vectors not yet in the second moment (at most `pendingLimit` rows).
  private var pending: [Float] = []
  private let pendingLimit = 1024
  /// Samples seen.
  public private(set) var total = 0
  /// Discriminant weights per level (`classes × dimension`) and biases, valid after `refresh()`.
  private(set) var weights: [[Float]]
  private(set) var biases: [[Float]]
  /// Whether samples arrived since the last `refresh()`.
  public private(set) var isStale = true

  /// Empty statistics for `levels` levels.
  public init(dimension: Int, levels: Int, shrinkage: Double) {
    self.dimension = dimension
    self.shrinkage = min(1, max(1e-6, shrinkage))
    sums = [[Double]](repeating: [], count: levels)
    counts = [[Int]](repeating: [], count: levels)
    secondMoment = [Double](repeating: 0, count: dimension * dimension)
    weights = [[Float]](repeating: [], count: levels)
    biases = [[Float]](repeating: [], count: levels)
  }

  /// Adds an empty class row to a level (its head's newest row).
  mutating func addClass(level: Int) {
    sums[level] += [Double](repeating: 0, count: dimension)
    counts[level].append(0)
    isStale = true
  }

  /// Adds `rows` samples (`rows × dimension`); `targets[r * levels + l]` is the row of sample r's class at
  /// level l or −1, and `deepest[r]` the node it is deepest-labelled with.
  mutating func add(
    _ vectors: UnsafePointer<Float>, rows: Int, targets: [Int], deepest: [Int]
  ) {
    guard rows > 0 else { return }
    let levels = sums.count
    let d = dimension
    var batch = [Double](repeating: 0, count: rows * d)
    for i in 0..<(rows * d) { batch[i] = Double(vectors[i]) }
    // The second moment takes the raw vectors in blocks of `pendingLimit` rows: one large product instead
    // of one per batch, summed in single precision within a block and in double precision across blocks.
    pending.append(contentsOf: UnsafeBufferPointer(start: vectors, count: rows * d))
    if pending.count >= pendingLimit * d { flushPending() }
    for r in 0..<rows {
      for level in 0..<levels {
        let c = targets[r * levels + level]
        guard c >= 0 else { continue }
        counts[level][c] += 1
        sums[level].withUnsafeMutableBufferPointer { s in
          for k in 0..<d { s[c * d + k] += batch[r * d + k] }
        }
      }
      let node = deepest[r]
      let row: Int
      if let existing = scatterRow[node] {
        row = existing
      } else {
        row = scatterCounts.count
        scatterRow[node] = row
        scatterCounts.append(0)
        scatterSums += [Double](repeating: 0, count: d)
      }
      scatterCounts[row] += 1
      scatterSums.withUnsafeMutableBufferPointer { s in
        for k in 0..<d { s[row * d + k] += batch[r * d + k] }
      }
    }
    total += rows
    isStale = true
  }

  /// Adds the pending vectors' outer products to the second moment.
  private mutating func flushPending() {
    let d = dimension
    let rows = pending.count / d
    guard rows > 0 else { return }
    var block = [Float](repeating: 0, count: d * d)
    pending.withUnsafeBufferPointer { x in
      block.withUnsafeMutableBufferPointer { c in
        cblas_ssyrk(
          CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(rows), 1, x.baseAddress, Int32(d), 0,
          c.baseAddress, Int32(d))
      }
    }
    for i in 0..<d {
      for j in i..<d { secondMoment[i * d + j] += Double(block[i * d + j]) }
    }
    pending.removeAll(keepingCapacity: true)
  }

  /// Recomputes the discriminant weights from the current statistics.
  public mutating func refresh() {
    flushPending()
    let d = dimension
    var covariance = [Double](repeating: 0, count: d * d)
    if total > 1 {
      for i in 0..<d {
        for j in i..<d { covariance[i * d + j] = secondMoment[i * d + j] }
      }
      // Subtract the between-class part: Σ_k n_k μ_k μ_kᵀ = Σ_k s_k s_kᵀ / n_k.
      let groups = scatterCounts.count
      var scaled = [Double](repeating: 0, count: groups * d)
      for r in 0..<groups {
        let root = Double(max(1, scatterCounts[r])).squareRoot()
        for k in 0..<d { scaled[r * d + k] = scatterSums[r * d + k] / root }
      }
      covariance.withUnsafeMutableBufferPointer { c in
        scaled.withUnsafeBufferPointer { x in
          cblas_dsyrk(
            CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(groups), -1, x.baseAddress, Int32(d),
            1, c.baseAddress, Int32(d))
        }
      }
      let n = Double(total)
      for i in 0..<d {
        for j in i..<d {
          covariance[i * d + j] /= n
          covariance[j * d + i] = covariance[i * d + j]
        }
      }
    }
    var trace = 0.0
    for i in 0..<d { trace += covariance[i * d + i] }
    let s = trace > 1e-12 ? shrinkage : 1
    let diagonal = trace > 1e-12 ? trace / Double(d) : 1
    for i in 0..<d {
      for j in 0..<d { covariance[i * d + j] *= (1 - s) }
      covariance[i * d + i] += s * diagonal + 1e-9
    }
    let factor = Self.cholesky(covariance, dimension: d)
    for level in 0..<sums.count {
      let classes = counts[level].count
      var means = [Double](repeating: 0, count: classes * d)
      for c in 0..<classes where counts[level][c] > 0 {
        let n = Double(counts[level][c])
        for k in 0..<d { means[c * d + k] = sums[level][c * d + k] / n }
      }
      var solved = means
      if let factor, classes > 0 {
        factor.withUnsafeBufferPointer { l in
          solved.withUnsafeMutableBufferPointer { b in
            cblas_dtrsm(
              CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(classes), Int32(d), 1,
              l.baseAddress, Int32(d), b.baseAddress, Int32(d))
            cblas_dtrsm(
              CblasRowMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, Int32(classes), Int32(d), 1,
              l.baseAddress, Int32(d), b.baseAddress, Int32(d))
          }
        }
      }
      let levelTotal = max(1, counts[level].reduce(0, +))
      var w = [Float](repeating: 0, count: classes * d)
      var b = [Float](repeating: 0, count: classes)
      for c in 0..<classes {
        var dot = 0.0
        for k in 0..<d {
          w[c * d + k] = Float(solved[c * d + k])
          dot += solved[c * d + k] * means[c * d + k]
        }
        b[c] =
          counts[level][c] > 0
          ? Float(-0.5 * dot + priorWeight * log(Double(counts[level][c]) / Double(levelTotal)))
          : -Float.greatestFiniteMagnitude
      }
      weights[level] = w
      biases[level] = b
    }
    isStale = false
  }

  /// Scores of `rows` vectors against the classes of `level` into `output` (`rows × classes`); call
  /// `refresh()` first.
  public func scores(
    level: Int, _ inputs: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>
  ) {
    let classes = biases[level].count
    guard rows > 0, classes > 0 else { return }
    for r in 0..<rows {
      for c in 0..<classes { output[r * classes + c] = biases[level][c] }
    }
    weights[level].withUnsafeBufferPointer { w in
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(classes), Int32(dimension), 1, inputs,
        Int32(dimension), w.baseAddress, Int32(dimension), 1, output, Int32(classes))
    }
  }

  /// The lower Cholesky factor (row-major) of a symmetric positive definite matrix, or nil: right-looking
  /// blocked factorisation (Golub & Van Loan, Matrix Computations, §4.2), the panel solve and the trailing
  /// update by BLAS.
  static func cholesky(_ a: [Double], dimension d: Int, block: Int = 64) -> [Double]? {
    var l = a
    let ok = l.withUnsafeMutableBufferPointer { m -> Bool in
      guard let base = m.baseAddress else { return d == 0 }
      var j = 0
      while j < d {
        let b = min(block, d - j)
        // Unblocked factorisation of the diagonal block (its trailing updates are already applied).
        for q in j..<(j + b) {
          var diagonal = m[q * d + q]
          for k in j..<q { diagonal -= m[q * d + k] * m[q * d + k] }
          guard diagonal > 0 else { return false }
          let root = diagonal.squareRoot()
          m[q * d + q] = root
          for i in (q + 1)..<max(q + 1, j + b) {
            var value = m[i * d + q]
            for k in j..<q { value -= m[i * d + k] * m[q * d + k] }
            m[i * d + q] = value / root
          }
        }
        let below = d - j - b
        if below > 0 {
          // Panel: L21 = A21 L11^-T.
          cblas_dtrsm(
            CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(below), Int32(b), 1,
            base + j * d + j, Int32(d), base + (j + b) * d + j, Int32(d))
          // Trailing update: A22 -= L21 L21^T (lower triangle).
          cblas_dsyrk(
            CblasRowMajor, CblasLower, CblasNoTrans, Int32(below), Int32(b), -1, base + (j + b) * d + j,
            Int32(d), 1, base + (j + b) * d + j + b, Int32(d))
        }
        j += b
      }
      return true
    }
    guard ok else { return nil }
    for i in 0..<d {
      for k in (i + 1)..<max(i + 1, d) { l[i * d + k] = 0 }
    }
    return l
  }
}
