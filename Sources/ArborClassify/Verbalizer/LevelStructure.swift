import ArborTree

/// The taxonomy's nodes by level (depth 1, 2, …) and the parent of each node one level up.
struct LevelStructure: Sendable {
  /// Nodes at level d (index d − 1), in index order.
  let nodes: [[Int]]
  /// The position of each node within its level, or -1 for the root.
  let position: [Int]
  /// For each level ≥ 2, the position (within level d − 1) of each node's first parent at that level.
  let parentPosition: [[Int]]

  init(_ taxonomy: Taxonomy) {
    let depth = taxonomy.maximumDepth
    var nodes = [[Int]](repeating: [], count: depth)
    var position = [Int](repeating: -1, count: taxonomy.count)
    for node in taxonomy.indices where node != taxonomy.root {
      let level = taxonomy.depth(of: node)
      position[node] = nodes[level - 1].count
      nodes[level - 1].append(node)
    }
    var parents: [[Int]] = [[]]
    for level in 1..<max(1, depth) {
      parents.append(
        nodes[level].map { node in
          taxonomy.parents(of: node).first { taxonomy.depth(of: $0) == level }.map { position[$0] } ?? 0
        })
    }
    self.nodes = nodes
    self.position = position
    self.parentPosition = parents
  }

  var levelCount: Int { nodes.count }
}
