import COpenBLAS

/// Agglomerative clustering with Ward's criterion (Ward 1963) by the nearest-neighbour chain algorithm
/// (Murtagh 1983) on a condensed matrix of squared Euclidean distances, updated by the Lance–Williams
/// formula `d(k, i∪j) = ((n_i+n_k) d(k,i) + (n_j+n_k) d(k,j) - n_k d(i,j)) / (n_i+n_j+n_k)`.
/// Memory `n(n-1)/2` floats, time O(n²).
enum WardLinkage {
  /// Cuts the dendrogram of `points` at each of `sizes` clusters and materialises the nested levels.
  static func cluster(_ points: [Float], dimension: Int, sizes: [Int], into structure: inout ClusterStructure)
  {
    let n = points.count / dimension
    let merges = mergeSequence(points, n: n, dimension: dimension)
    var labels: [[Int]] = []
    for k in sizes {
      var unionFind = Array(0..<n)
      func find(_ x: Int) -> Int {
        var x = x
        while unionFind[x] != x {
          unionFind[x] = unionFind[unionFind[x]]
          x = unionFind[x]
        }
        return x
      }
      for merge in merges.prefix(max(0, n - k)) {
        let a = find(merge.0)
        let b = find(merge.1)
        if a != b { unionFind[max(a, b)] = min(a, b) }
      }
      labels.append((0..<n).map { find($0) })
    }
    structure.materialize(levels: labels)
  }

  /// The `n - 1` merges (slot, slot) in order of increasing height.
  static func mergeSequence(_ points: [Float], n: Int, dimension: Int) -> [(Int, Int)] {
    // Condensed index of (i, j), i < j.
    func index(_ i: Int, _ j: Int) -> Int {
      let (a, b) = i < j ? (i, j) : (j, i)
      return a * n - a * (a + 1) / 2 + (b - a - 1)
    }
    var distances = [Float](repeating: 0, count: n * (n - 1) / 2)
    var norms = [Float](repeating: 0, count: n)
    for i in 0..<n {
      var s: Float = 0
      for j in 0..<dimension { s += points[i * dimension + j] * points[i * dimension + j] }
      norms[i] = s
    }
    // Blocks of rows through sgemm: |x_i - x_j|² = |x_i|² + |x_j|² - 2 x_i·x_j.
    let block = 512
    var products = [Float](repeating: 0, count: block * n)
    for start in stride(from: 0, to: n, by: block) {
      let rows = min(block, n - start)
      points.withUnsafeBufferPointer { x in
        products.withUnsafeMutableBufferPointer { p in
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(dimension), 1,
            x.baseAddress! + start * dimension, Int32(dimension), x.baseAddress, Int32(dimension), 0,
            p.baseAddress, Int32(n))
        }
      }
      for r in 0..<rows {
        let i = start + r
        for j in (i + 1)..<max(i + 1, n) {
          distances[index(i, j)] = max(0, norms[i] + norms[j] - 2 * products[r * n + j])
        }
      }
    }
    var size = [Int](repeating: 1, count: n)
    var active = [Bool](repeating: true, count: n)
    var merges: [(Int, Int, Float)] = []
    var chain: [Int] = []
    var remaining = n
    while remaining > 1 {
      if chain.isEmpty { chain.append(active.firstIndex(of: true)!) }
      let a = chain[chain.count - 1]
      var best = -1
      var bestDistance = Float.infinity
      // Prefer the previous chain element on ties, so that the chain terminates.
      if chain.count >= 2 {
        best = chain[chain.count - 2]
        bestDistance = distances[index(a, best)]
      }
      for j in 0..<n where active[j] && j != a {
        let d = distances[index(a, j)]
        if d < bestDistance {
          bestDistance = d
          best = j
        }
      }
      if chain.count >= 2 && best == chain[chain.count - 2] {
        chain.removeLast(2)
        let (i, j) = (min(a, best), max(a, best))
        let dij = distances[index(i, j)]
        for k in 0..<n where active[k] && k != i && k != j {
          let nk = Float(size[k])
          let ni = Float(size[i])
          let nj = Float(size[j])
          let updated =
            ((ni + nk) * distances[index(k, i)] + (nj + nk) * distances[index(k, j)] - nk * dij)
            / (ni + nj + nk)
          distances[index(k, i)] = updated
        }
        size[i] += size[j]
        active[j] = false
        remaining -= 1
        merges.append((i, j, dij))
      } else {
        chain.append(best)
      }
    }
    let ordered = merges.enumerated().sorted { ($0.element.2, $0.offset) < ($1.element.2, $1.offset) }
    return ordered.map { ($0.element.0, $0.element.1) }
  }
}
