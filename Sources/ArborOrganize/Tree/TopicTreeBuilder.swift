import ArborTensor
import ArborTree

/// Builds the unnamed structure of a topic tree from unit-length document vectors.
public struct TopicTreeBuilder: Sendable {
  /// The clustering options.
  public var options: TopicTreeOptions

  /// A builder with `options`.
  public init(options: TopicTreeOptions = .init()) {
    self.options = options
  }

  /// Clusters `vectors` (row-major `[ids.count, dimension]`; normalised here) into a tree whose nodes have
  /// no labels yet. Deterministic for `options.seed`.
  ///
  /// With `refinementVectors` (`[ids.count, refinementDimension]`), the path k-means refinement works on
  /// those instead (for example the encoder's own vectors, where the label navigator works).
  public func build(
    vectors: [Float], dimension: Int, ids: [String], refinementVectors: [Float]? = nil,
    refinementDimension: Int = 0, progress: ((String) -> Void)? = nil
  ) throws(TaxonomyError) -> TopicTree {
    try build(
      levelVectors: [vectors], dimension: dimension, ids: ids, refinementVectors: refinementVectors,
      refinementDimension: refinementDimension, progress: progress)
  }

  /// Clusters documents described per level: level `l` (top level 1) is split, and its nodes refined,
  /// on `levelVectors[min(l, count) - 1]` (each row-major `[ids.count, dimension]`, normalised here).
  /// Bottom-up and ward cluster on the first. Deterministic for `options.seed`.
  public func build(
    levelVectors: [[Float]], dimension: Int, ids: [String], refinementVectors: [Float]? = nil,
    refinementDimension: Int = 0, progress: ((String) -> Void)? = nil
  ) throws(TaxonomyError) -> TopicTree {
    let n = ids.count
    guard n >= 2, !levelVectors.isEmpty, levelVectors.allSatisfy({ $0.count == n * dimension }) else {
      throw TaxonomyError(.schema, "a topic tree needs at least two documents with vectors")
    }
    // Levels given the same matrix share its normalised copy (Array's == is O(1) on shared storage).
    var spaces: [[Float]] = []
    for (level, vectors) in levelVectors.enumerated() {
      if let earlier = levelVectors[..<level].firstIndex(of: vectors) {
        spaces.append(spaces[earlier])
        continue
      }
      var points = vectors
      RowVectors.normalizeRows(&points, dimension: dimension)
      spaces.append(points)
    }
    let points = spaces[0]
    var structure = ClusterStructure(documentCount: n)
    switch (options.method, options.levels) {
    case (.topDown, .fixed(let sizes)):
      try Self.check(sizes, documents: n)
      topDownFixed(spaces, dimension: dimension, sizes: sizes, into: &structure, progress: progress)
    case (.topDown, .dataDriven(let maxDepth, let minChildren, let maxChildren, let minSize)):
      topDownDataDriven(
        spaces, dimension: dimension, maxDepth: maxDepth, minChildren: minChildren, maxChildren: maxChildren,
        minSize: minSize, into: &structure, progress: progress)
      guard !structure.children[0].isEmpty else {
        throw TaxonomyError(
          .schema,
          "the collection's \(n) documents cannot be split: a data-driven node needs at least "
            + "2 × --min-size (\(minSize)) and --min-children (\(minChildren)) documents, and children that "
            + "each keep --min-size; lower --min-size, or give --levels")
      }
    case (.bottomUp, .fixed(let sizes)):
      try Self.check(sizes, documents: n)
      bottomUp(points, dimension: dimension, sizes: sizes, into: &structure)
    case (.ward, .fixed(let sizes)):
      try Self.check(sizes, documents: n)
      guard n <= options.wardLimit else {
        throw TaxonomyError(
          .schema,
          "ward clusters at most \(options.wardLimit) documents (its distance matrix grows as n²); "
            + "this collection has \(n): use --method top-down or bottom-up")
      }
      WardLinkage.cluster(points, dimension: dimension, sizes: sizes, into: &structure)
    case (_, .dataDriven):
      throw TaxonomyError(
        .schema, "--method \(options.method.rawValue) needs fixed level sizes (--levels)")
    }
    if case .fixed = options.levels, options.refinementPasses > 0 {
      progress?("refining")
      if let refinementVectors, refinementDimension > 0 {
        var other = refinementVectors
        RowVectors.normalizeRows(&other, dimension: refinementDimension)
        structure.refine([other], dimension: refinementDimension, passes: options.refinementPasses)
      } else {
        structure.refine(spaces, dimension: dimension, passes: options.refinementPasses)
      }
    }
    return structure.tree(points, dimension: dimension, ids: ids)
  }

  static func check(_ sizes: [Int], documents: Int) throws(TaxonomyError) {
    guard let first = sizes.first, first >= 2 else {
      throw TaxonomyError(.schema, "--levels: the top level needs at least 2 nodes")
    }
    for (previous, next) in zip(sizes, sizes.dropFirst()) where next < previous {
      throw TaxonomyError(.schema, "--levels must not decrease from one level to the next")
    }
    guard let last = sizes.last, last <= documents else {
      throw TaxonomyError(
        .schema, "--levels asks for \(sizes.last ?? 0) leaves but the collection has \(documents) documents")
    }
  }

  func kMeans(_ k: Int, salt: UInt64) -> (SphericalKMeans, UInt64) {
    var kmeans = SphericalKMeans(clusterCount: k)
    kmeans.restarts = options.restarts
    kmeans.miniBatchThreshold = options.miniBatchThreshold
    return (kmeans, options.seed &* 0x100_0000_01B3 &+ salt)
  }

  private func topDownFixed(
    _ spaces: [[Float]], dimension: Int, sizes: [Int], into structure: inout ClusterStructure,
    progress: ((String) -> Void)?
  ) {
    var frontier = [0]
    for (level, total) in sizes.enumerated() {
      progress?("level \(level + 1): \(total) clusters")
      let counts = Self.allocate(total, among: frontier.map { structure.members[$0].count })
      let points = spaces[min(level, spaces.count - 1)]
      var next: [Int] = []
      for (node, k) in zip(frontier, counts) {
        next += split(node, into: k, points, dimension: dimension, structure: &structure)
      }
      frontier = next
    }
  }

  /// Splits `node`'s members into `k` children (one child holding all when `k` is 1).
  func split(
    _ node: Int, into k: Int, _ points: [Float], dimension: Int, structure: inout ClusterStructure
  ) -> [Int] {
    let members = structure.members[node]
    if k <= 1 { return [structure.addChild(of: node, members: members)] }
    let subset = Self.gather(points, rows: members, dimension: dimension)
    let (kmeans, seed) = kMeans(k, salt: UInt64(node))
    let result = kmeans.fit(subset, dimension: dimension, seed: seed)
    return Self.children(of: node, members: members, assignments: result.assignments, in: &structure)
  }

  static func children(
    of node: Int, members: [Int], assignments: [Int], in structure: inout ClusterStructure
  ) -> [Int] {
    let k = (assignments.max() ?? 0) + 1
    var groups = [[Int]](repeating: [], count: k)
    for (position, cluster) in assignments.enumerated() { groups[cluster].append(members[position]) }
    // Largest first, so that ids read in order of size.
    let order = groups.indices.filter { !groups[$0].isEmpty }.sorted {
      (groups[$0].count, groups[$1].first ?? 0) > (groups[$1].count, groups[$0].first ?? 0)
    }
    return order.map { structure.addChild(of: node, members: groups[$0]) }
  }

  private func topDownDataDriven(
    _ spaces: [[Float]], dimension: Int, maxDepth: Int, minChildren: Int, maxChildren: Int, minSize: Int,
    into structure: inout ClusterStructure, progress: ((String) -> Void)?
  ) {
    var frontier = [0]
    for depth in 0..<maxDepth {
      progress?("level \(depth + 1): splitting \(frontier.count) nodes")
      let points = spaces[min(depth, spaces.count - 1)]
      var next: [Int] = []
      for node in frontier {
        let members = structure.members[node]
        guard members.count / 2 >= minSize, members.count >= minChildren else { continue }
        let lowest = max(2, minChildren)
        let highest = min(maxChildren, members.count / max(1, minSize))
        if lowest > highest { continue }
        let subset = Self.gather(points, rows: members, dimension: dimension)
        let candidates = rankBranchings(
          subset, dimension: dimension, node: node, range: lowest...highest, minSize: minSize)
        // The best k whose clustering of all members keeps every child at minSize.
        for (k, searched) in candidates {
          let assignments: [Int]
          if let searched {
            assignments = searched
          } else {
            let (kmeans, seed) = branchingKMeans(k, node: node)
            assignments = kmeans.fit(subset, dimension: dimension, seed: seed).assignments
          }
          guard Self.every(of: assignments, k: k, hasAtLeast: minSize) else { continue }
          next += Self.children(of: node, members: members, assignments: assignments, in: &structure)
          break
        }
      }
      if next.isEmpty { break }
      frontier = next
    }
  }

  /// The candidate branchings of one node, best first, each with the search's own clustering when the
  /// search saw every member.
  ///
  /// Scores every k in `range` by the simplified silhouette of a k-means clustering of `points` (a node's
  /// members), on a seeded sample of `options.selectionSampleSize` of them where the node is larger. A k
  /// whose clustering leaves a child under `minSize` (scaled to the sample) is dropped when the search saw
  /// every member, and otherwise comes after the others: the clustering of all members may not.
  func rankBranchings(
    _ points: [Float], dimension: Int, node: Int, range: ClosedRange<Int>, minSize: Int
  ) -> [(k: Int, assignments: [Int]?)] {
    let n = points.count / dimension
    let limit = max(options.selectionSampleSize, range.upperBound)
    var sample = points
    var scale = 1.0
    if n > limit {
      var generator = RandomGenerator(seed: options.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(node))
      let rows = generator.permutation(n).prefix(limit).sorted()
      sample = Self.gather(points, rows: rows, dimension: dimension)
      scale = Double(rows.count) / Double(n)
    }
    let complete = sample.count == points.count
    let sampledMinimum = max(1, Int((Double(minSize) * scale).rounded(.down)))
    var scored: [(k: Int, large: Bool, score: Double, assignments: [Int]?)] = []
    for k in range {
      let (kmeans, seed) = branchingKMeans(k, node: node)
      let result = kmeans.fit(sample, dimension: dimension, seed: seed)
      let large = Self.every(of: result.assignments, k: k, hasAtLeast: sampledMinimum)
      if complete && !large { continue }
      let score = Self.simplifiedSilhouette(
        sample, dimension: dimension, centroids: result.centroids, k: k, assignments: result.assignments)
      scored.append((k, large, score, complete ? result.assignments : nil))
    }
    scored.sort { ($0.large ? 1 : 0, $0.score, -$0.k) > ($1.large ? 1 : 0, $1.score, -$1.k) }
    return scored.map { ($0.k, $0.assignments) }
  }

  /// The k-means and seed of a data-driven branching of `node` into `k` children: the search and the
  /// clustering of all members draw alike.
  func branchingKMeans(_ k: Int, node: Int) -> (SphericalKMeans, UInt64) {
    kMeans(k, salt: UInt64(node) &* 131 &+ UInt64(k))
  }

  /// Whether each of the `k` clusters of `assignments` has at least `minimum` members.
  static func every(of assignments: [Int], k: Int, hasAtLeast minimum: Int) -> Bool {
    var counts = [Int](repeating: 0, count: k)
    for a in assignments { counts[a] += 1 }
    return counts.allSatisfy { $0 >= minimum }
  }

  /// The mean simplified silhouette `(b - a) / max(a, b)` with `a = 1 - x·c(x)` and `b` the cosine
  /// distance to the nearest other centroid (Hruschka et al. 2004).
  static func simplifiedSilhouette(
    _ points: [Float], dimension: Int, centroids: [Float], k: Int, assignments: [Int]
  ) -> Double {
    let n = assignments.count
    var similarities: [Float] = []
    SphericalKMeans.similarities(points, n: n, centroids, k: k, dimension: dimension, into: &similarities)
    var total = 0.0
    for i in 0..<n {
      let own = assignments[i]
      let a = 1 - Double(similarities[i * k + own])
      var nearest = Float(-2)
      for c in 0..<k where c != own { nearest = max(nearest, similarities[i * k + c]) }
      let b = 1 - Double(nearest)
      let denominator = max(a, b)
      total += denominator > 0 ? (b - a) / denominator : 0
    }
    return total / Double(max(1, n))
  }

  private func bottomUp(
    _ points: [Float], dimension: Int, sizes: [Int], into structure: inout ClusterStructure
  ) {
    // Finest level first: documents into sizes.last clusters.
    let (kmeans, seed) = kMeans(sizes[sizes.count - 1], salt: 7)
    let finest = kmeans.fit(points, dimension: dimension, seed: seed)
    var groupOfDocument = finest.assignments
    var groupCentroids = finest.centroids
    // parentsPerLevel[level][group] = cluster at the coarser level.
    var merges: [[Int]] = []
    for level in stride(from: sizes.count - 2, through: 0, by: -1) {
      let (clusterer, levelSeed) = kMeans(sizes[level], salt: 11 &+ UInt64(level))
      let result = clusterer.fit(groupCentroids, dimension: dimension, seed: levelSeed)
      merges.append(result.assignments)
      groupCentroids = result.centroids
    }
    merges.reverse()
    // Top-down materialisation: a document's cluster at each level.
    var labels: [[Int]] = [[Int]](repeating: [], count: sizes.count)
    labels[sizes.count - 1] = groupOfDocument
    for level in stride(from: sizes.count - 2, through: 0, by: -1) {
      labels[level] = labels[level + 1].map { merges[level][$0] }
    }
    groupOfDocument = []
    structure.materialize(levels: labels)
  }

  /// Proportional allocation of `total` children among nodes of the given sizes (largest remainder),
  /// at least one each and two where the total allows, never more than a node's size.
  static func allocate(_ total: Int, among sizes: [Int]) -> [Int] {
    let count = sizes.count
    let sum = Double(sizes.reduce(0, +))
    let floor = total >= 2 * count ? 2 : 1
    var counts = sizes.map { min($0, max(floor, Int(Double(total) * Double($0) / max(sum, 1)))) }
    while counts.reduce(0, +) > total {
      // Take from the node with the most children per document beyond the floor.
      guard
        let j = counts.indices.filter({ counts[$0] > floor }).max(by: {
          (counts[$0], -$0) < (counts[$1], -$1)
        })
      else { break }
      counts[j] -= 1
    }
    while counts.reduce(0, +) < total {
      var best = -1
      var bestGap = -Double.infinity
      for j in 0..<count where counts[j] < sizes[j] {
        let gap = Double(total) * Double(sizes[j]) / max(sum, 1) - Double(counts[j])
        if gap > bestGap {
          bestGap = gap
          best = j
        }
      }
      if best < 0 { break }
      counts[best] += 1
    }
    return counts
  }

  /// Rows of `points` copied into one contiguous matrix.
  static func gather(_ points: [Float], rows: [Int], dimension: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows.count * dimension)
    out.withUnsafeMutableBufferPointer { destination in
      points.withUnsafeBufferPointer { source in
        for (position, row) in rows.enumerated() {
          (destination.baseAddress! + position * dimension).update(
            from: source.baseAddress! + row * dimension, count: dimension)
        }
      }
    }
    return out
  }
}
