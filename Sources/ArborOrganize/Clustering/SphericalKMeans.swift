import ArborTensor
import COpenBLAS

/// Spherical k-means (Dhillon & Modha 2001) on unit-length rows: each point joins the centroid of
/// highest cosine `x·c`, each centroid is the normalised mean of its points. Seeded with k-means++
/// (Arthur & Vassilvitskii 2007) on the cosine distance `1 - x·c`; the best of `restarts` runs by the
/// objective `Σ x·c(x)` is kept. All similarity work is one BLAS `sgemm` per pass. Beyond
/// `miniBatchThreshold` points it runs mini-batch k-means (Sculley 2010) with per-centroid learning rates
/// `1/count`, then one full assignment pass.
struct SphericalKMeans {
  /// Clusters wanted (clamped to the point count).
  var clusterCount: Int
  /// Independent seeded runs; the best objective wins.
  var restarts = 4
  /// Lloyd iterations at most.
  var iterations = 40
  /// Lloyd iterations of each restart before the best one is run to convergence.
  var restartIterations = 20
  /// A run stops when fewer than this share of the points change cluster in a pass.
  var tolerance = 0.001
  /// Above this many points, mini-batch updates replace full Lloyd passes.
  var miniBatchThreshold = 20_000
  /// Points per mini-batch.
  var batchSize = 2_048
  /// Mini-batch steps.
  var miniBatchSteps = 60

  /// The result of one clustering.
  struct Result {
    /// Cluster of every point, `0..<centroids.count / dimension`, every cluster non-empty.
    var assignments: [Int]
    /// Unit-length centroids, row-major `[k, dimension]`.
    var centroids: [Float]
    /// `Σ x·c(x)`.
    var objective: Double
  }

  /// Clusters `points` (row-major `[n, dimension]`, unit-length rows); deterministic for `seed`.
  func fit(_ points: [Float], dimension: Int, seed: UInt64) -> Result {
    let n = points.count / dimension
    let k = min(clusterCount, n)
    if k <= 1 {
      var centroid = [Float](repeating: 0, count: dimension)
      for row in 0..<n { for j in 0..<dimension { centroid[j] += points[row * dimension + j] } }
      RowVectors.normalize(&centroid, row: 0, dimension: dimension)
      return Result(assignments: [Int](repeating: 0, count: n), centroids: centroid, objective: 0)
    }
    // Every restart runs a few passes from its own seeding; the best objective is run to convergence.
    var best: Result?
    for restart in 0..<max(1, restarts) {
      var generator = RandomGenerator(seed: seed &+ UInt64(restart) &* 0x9E37_79B9_7F4A_7C15)
      let result = run(
        points, n: n, k: k, dimension: dimension, generator: &generator,
        passes: restarts > 1 ? restartIterations : iterations, start: nil)
      if best == nil || result.objective > best!.objective { best = result }
    }
    guard restarts > 1, n <= miniBatchThreshold, var result = best else { return best! }
    var generator = RandomGenerator(seed: seed)
    result = run(
      points, n: n, k: k, dimension: dimension, generator: &generator, passes: iterations - restartIterations,
      start: result.centroids)
    return result
  }

  private func run(
    _ points: [Float], n: Int, k: Int, dimension: Int, generator: inout RandomGenerator, passes: Int,
    start: [Float]?
  ) -> Result {
    var centroids = start ?? seedPlusPlus(points, n: n, k: k, dimension: dimension, generator: &generator)
    var assignments = [Int](repeating: -1, count: n)
    var similarities = [Float](repeating: 0, count: 0)
    if n > miniBatchThreshold {
      miniBatch(points, n: n, k: k, dimension: dimension, centroids: &centroids, generator: &generator)
      var objective = Self.assign(
        points, n: n, centroids: centroids, k: k, dimension: dimension, into: &assignments,
        scratch: &similarities)
      Self.fixEmpty(points, n: n, k: k, dimension: dimension, assignments: &assignments)
      Self.recompute(points, n: n, k: k, dimension: dimension, assignments: assignments, into: &centroids)
      objective = Self.assign(
        points, n: n, centroids: centroids, k: k, dimension: dimension, into: &assignments,
        scratch: &similarities)
      Self.fixEmpty(points, n: n, k: k, dimension: dimension, assignments: &assignments)
      Self.recompute(points, n: n, k: k, dimension: dimension, assignments: assignments, into: &centroids)
      return Result(assignments: assignments, centroids: centroids, objective: objective)
    }
    var objective = 0.0
    for _ in 0..<max(1, passes) {
      let previous = assignments
      objective = Self.assign(
        points, n: n, centroids: centroids, k: k, dimension: dimension, into: &assignments,
        scratch: &similarities)
      Self.fixEmpty(points, n: n, k: k, dimension: dimension, assignments: &assignments)
      Self.recompute(points, n: n, k: k, dimension: dimension, assignments: assignments, into: &centroids)
      var changed = 0
      for i in 0..<n where previous[i] != assignments[i] { changed += 1 }
      if Double(changed) <= tolerance * Double(n) { break }
    }
    return Result(assignments: assignments, centroids: centroids, objective: objective)
  }

  /// k-means++ seeding on `1 - x·c` (squared Euclidean / 2 on the unit sphere).
  private func seedPlusPlus(
    _ points: [Float], n: Int, k: Int, dimension: Int, generator: inout RandomGenerator
  ) -> [Float] {
    var centroids = [Float](repeating: 0, count: k * dimension)
    var first = generator.nextInt(below: n)
    var distance = [Float](repeating: 0, count: n)
    var similarity = [Float](repeating: 0, count: n)
    for c in 0..<k {
      for j in 0..<dimension { centroids[c * dimension + j] = points[first * dimension + j] }
      // similarity[i] = x_i · centroid_c through one sgemv.
      points.withUnsafeBufferPointer { x in
        centroids.withUnsafeBufferPointer { cs in
          similarity.withUnsafeMutableBufferPointer { s in
            cblas_sgemv(
              CblasRowMajor, CblasNoTrans, Int32(n), Int32(dimension), 1, x.baseAddress, Int32(dimension),
              cs.baseAddress! + c * dimension, 1, 0, s.baseAddress, 1)
          }
        }
      }
      var total: Double = 0
      for i in 0..<n {
        let d = max(0, 1 - similarity[i])
        if c == 0 || d < distance[i] { distance[i] = d }
        total += Double(distance[i])
      }
      if c == k - 1 { break }
      // The next seed is drawn with probability proportional to the squared distance (D²).
      if total <= 0 {
        first = generator.nextInt(below: n)
        continue
      }
      var target = generator.nextUniformDouble() * total
      var chosen = n - 1
      for i in 0..<n {
        target -= Double(distance[i])
        if target <= 0 {
          chosen = i
          break
        }
      }
      first = chosen
    }
    return centroids
  }

  private func miniBatch(
    _ points: [Float], n: Int, k: Int, dimension: Int, centroids: inout [Float],
    generator: inout RandomGenerator
  ) {
    var counts = [Float](repeating: 0, count: k)
    var batch = [Float](repeating: 0, count: batchSize * dimension)
    var rows = [Int](repeating: 0, count: batchSize)
    var assignments = [Int](repeating: 0, count: batchSize)
    var scratch: [Float] = []
    for _ in 0..<miniBatchSteps {
      for b in 0..<batchSize {
        let row = generator.nextInt(below: n)
        rows[b] = row
        for j in 0..<dimension { batch[b * dimension + j] = points[row * dimension + j] }
      }
      _ = Self.assign(
        batch, n: batchSize, centroids: centroids, k: k, dimension: dimension, into: &assignments,
        scratch: &scratch)
      for b in 0..<batchSize {
        let c = assignments[b]
        counts[c] += 1
        let rate = 1 / counts[c]
        for j in 0..<dimension {
          centroids[c * dimension + j] += rate * (batch[b * dimension + j] - centroids[c * dimension + j])
        }
      }
      for c in 0..<k { RowVectors.normalize(&centroids, row: c, dimension: dimension) }
    }
  }

  /// Assigns each point to its most similar centroid; returns `Σ x·c(x)`.
  static func assign(
    _ points: [Float], n: Int, centroids: [Float], k: Int, dimension: Int, into assignments: inout [Int],
    scratch: inout [Float]
  ) -> Double {
    if scratch.count < n * k { scratch = [Float](repeating: 0, count: n * k) }
    if assignments.count != n { assignments = [Int](repeating: 0, count: n) }
    similarities(points, n: n, centroids, k: k, dimension: dimension, into: &scratch)
    var objective = 0.0
    for i in 0..<n {
      var best = 0
      var bestValue = -Float.infinity
      for c in 0..<k where scratch[i * k + c] > bestValue {
        bestValue = scratch[i * k + c]
        best = c
      }
      assignments[i] = best
      objective += Double(bestValue)
    }
    return objective
  }

  /// `out[i * k + c] = points_i · centroids_c` through one sgemm.
  static func similarities(
    _ points: [Float], n: Int, _ centroids: [Float], k: Int, dimension: Int, into out: inout [Float]
  ) {
    if out.count < n * k { out = [Float](repeating: 0, count: n * k) }
    points.withUnsafeBufferPointer { x in
      centroids.withUnsafeBufferPointer { c in
        out.withUnsafeMutableBufferPointer { s in
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(k), Int32(dimension), 1,
            x.baseAddress, Int32(dimension), c.baseAddress, Int32(dimension), 0, s.baseAddress, Int32(k))
        }
      }
    }
  }

  /// Gives every empty cluster one point of the currently largest cluster (its last point, so the
  /// choice is deterministic), so that no cluster is empty.
  static func fixEmpty(_ points: [Float], n: Int, k: Int, dimension: Int, assignments: inout [Int]) {
    var counts = [Int](repeating: 0, count: k)
    for a in assignments { counts[a] += 1 }
    for c in 0..<k where counts[c] == 0 {
      guard let largest = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[largest] > 1 else {
        continue
      }
      // Move the last point of the largest cluster (deterministic).
      if let i = assignments.lastIndex(of: largest) {
        assignments[i] = c
        counts[largest] -= 1
        counts[c] += 1
      }
    }
  }

  /// Centroids as the normalised means of their points.
  static func recompute(
    _ points: [Float], n: Int, k: Int, dimension: Int, assignments: [Int], into centroids: inout [Float]
  ) {
    centroids = [Float](repeating: 0, count: k * dimension)
    centroids.withUnsafeMutableBufferPointer { sums in
      points.withUnsafeBufferPointer { rows in
        guard let sum = sums.baseAddress, let row = rows.baseAddress else { return }
        for i in 0..<n {
          let target = sum + assignments[i] * dimension
          let source = row + i * dimension
          for j in 0..<dimension { target[j] += source[j] }
        }
      }
    }
    for c in 0..<k { RowVectors.normalize(&centroids, row: c, dimension: dimension) }
  }
}
