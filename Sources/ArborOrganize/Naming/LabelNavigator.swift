import ArborTensor

/// The label-only navigator: from the root, at each level it embeds the children's labels (nothing
/// else) with the encoder and steps to the child whose label vector has the highest cosine with the
/// document's vector. It is the LLM-free analogue of SCYCHIC's navigator (Science Hierarchography, JHU
/// 2025), which asks a language model to pick a child from the children's names.
public struct LabelNavigator {
  /// Navigation results over a set of documents.
  public struct Outcome: Sendable, Equatable {
    /// Documents navigated.
    public var count: Int
    /// Share that reached their own leaf.
    public var exact: Double
    /// Per depth (top level first): share whose navigator node at that depth is their own node there.
    public var levelAccuracy: [Double]
  }

  /// Children of every node (index 0 the root).
  public var children: [[Int]]
  /// Unit-length label vectors of every node, `[children.count, dimension]` (the root's row unused).
  public var labelVectors: [Float]
  /// Width of the vectors.
  public var dimension: Int

  /// A navigator over a tree given by its children lists and label vectors.
  public init(children: [[Int]], labelVectors: [Float], dimension: Int) {
    self.children = children
    self.labelVectors = labelVectors
    self.dimension = dimension
    for node in children.indices {
      RowVectors.normalize(&self.labelVectors, row: node, dimension: dimension)
    }
  }

  /// The path (top level to leaf) the navigator takes for one document vector.
  public func navigate(_ vector: ArraySlice<Float>) -> [Int] {
    var path: [Int] = []
    var node = 0
    let base = vector.startIndex
    while !children[node].isEmpty {
      var best = children[node][0]
      var bestScore = -Float.infinity
      for child in children[node] {
        var s: Float = 0
        for j in 0..<dimension { s += labelVectors[child * dimension + j] * vector[base + j] }
        if s > bestScore {
          bestScore = s
          best = child
        }
      }
      path.append(best)
      node = best
    }
    return path
  }

  /// Navigates every document (`vectors` row-major) and compares with its own path (top level to leaf).
  public func evaluate(vectors: [Float], targets: [[Int]]) -> Outcome {
    let depth = targets.map(\.count).max() ?? 0
    var exact = 0
    var levelHits = [Int](repeating: 0, count: depth)
    var levelTotals = [Int](repeating: 0, count: depth)
    for (d, target) in targets.enumerated() {
      let path = navigate(vectors[(d * dimension)..<((d + 1) * dimension)])
      if path == target { exact += 1 }
      for level in 0..<target.count {
        levelTotals[level] += 1
        if level < path.count && path[level] == target[level] { levelHits[level] += 1 }
      }
    }
    return Outcome(
      count: targets.count, exact: Double(exact) / Double(max(1, targets.count)),
      levelAccuracy: zip(levelHits, levelTotals).map { Double($0) / Double(max(1, $1)) })
  }
}
