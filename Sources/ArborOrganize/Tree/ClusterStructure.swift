import ArborTensor
import COpenBLAS

/// The tree while it is being clustered: parents, children and the documents under every node.
struct ClusterStructure {
  var parent: [Int?] = [nil]
  var children: [[Int]] = [[]]
  var members: [[Int]]

  init(documentCount: Int) {
    members = [Array(0..<documentCount)]
  }

  mutating func addChild(of node: Int, members group: [Int]) -> Int {
    let child = parent.count
    parent.append(node)
    children.append([])
    members.append(group)
    children[node].append(child)
    return child
  }

  /// Builds the nodes from per-level cluster labels of every document (nested partitions, top first).
  mutating func materialize(levels: [[Int]]) {
    var frontier = [0]
    for labels in levels {
      var next: [Int] = []
      for node in frontier {
        var groups: [Int: [Int]] = [:]
        for document in members[node] { groups[labels[document], default: []].append(document) }
        let order = groups.keys.sorted {
          (groups[$0]!.count, -(groups[$0]!.first ?? 0)) > (groups[$1]!.count, -(groups[$1]!.first ?? 0))
        }
        for key in order { next.append(addChild(of: node, members: groups[key]!)) }
      }
      frontier = next
    }
  }

  var leaves: [Int] { children.indices.filter { $0 != 0 && children[$0].isEmpty } }

  /// Path k-means: each document moves to the leaf whose path (top level to leaf) has the highest summed
  /// cosine `Σ_v x·c_v` over its nodes, centroids are recomputed from the new members, `passes` times.
  /// The tree's shape never changes; a move that would empty a leaf is not made.
  ///
  /// With several `spaces` (row-major `[documents, dimension]` each, unit rows), a node at depth `l`
  /// (top level 1) is compared in `spaces[min(l, spaces.count) - 1]`: `x^(l)·c_v^(l)`, its centroid
  /// taken in that space too.
  mutating func refine(_ spaces: [[Float]], dimension: Int, passes: Int) {
    let n = members[0].count
    let leafNodes = leaves
    // Every node below the root is compared in one space; its column there. A child's index is always
    // larger than its parent's (nodes are appended), so depths fill in one forward pass.
    var nodesOfSpace = [[Int]](repeating: [], count: spaces.count)
    var column = [Int](repeating: 0, count: parent.count)
    var spaceOf = [Int](repeating: 0, count: parent.count)
    var depth = [Int](repeating: 0, count: parent.count)
    for node in parent.indices.dropFirst() {
      depth[node] = depth[parent[node] ?? 0] + 1
      let space = min(depth[node], spaces.count) - 1
      spaceOf[node] = space
      column[node] = nodesOfSpace[space].count
      nodesOfSpace[space].append(node)
    }
    let widths = nodesOfSpace.map(\.count)
    // Paths from the leaf up, as (space, column) pairs.
    let paths: [[(space: Int, column: Int)]] = leafNodes.map { leaf in
      var path: [(space: Int, column: Int)] = []
      var current = leaf
      while let p = parent[current] {
        path.append((spaceOf[current], column[current]))
        current = p
      }
      return path
    }
    var leafOf = [Int](repeating: 0, count: n)
    for (position, leaf) in leafNodes.enumerated() { for d in members[leaf] { leafOf[d] = position } }
    var similarities = [[Float]](repeating: [], count: spaces.count)
    for _ in 0..<passes {
      for (s, points) in spaces.enumerated() where !nodesOfSpace[s].isEmpty {
        let centroids = centroidMatrix(points, dimension: dimension, nodes: nodesOfSpace[s])
        SphericalKMeans.similarities(
          points, n: n, centroids, k: nodesOfSpace[s].count, dimension: dimension, into: &similarities[s])
      }
      var counts = [Int](repeating: 0, count: leafNodes.count)
      for l in leafOf { counts[l] += 1 }
      var moved = 0
      for d in 0..<n {
        var best = leafOf[d]
        var bestScore = -Float.infinity
        for (position, path) in paths.enumerated() {
          var score: Float = 0
          for step in path { score += similarities[step.space][d * widths[step.space] + step.column] }
          if score > bestScore {
            bestScore = score
            best = position
          }
        }
        if best != leafOf[d] && counts[leafOf[d]] > 1 {
          counts[leafOf[d]] -= 1
          counts[best] += 1
          leafOf[d] = best
          moved += 1
        }
      }
      rebuildMembers(leafNodes: leafNodes, leafOf: leafOf)
      if moved == 0 { break }
    }
  }

  /// Members of every node from the leaf of each document.
  mutating func rebuildMembers(leafNodes: [Int], leafOf: [Int]) {
    for node in members.indices { members[node] = [] }
    for (d, position) in leafOf.enumerated() {
      var current: Int? = leafNodes[position]
      while let node = current {
        members[node].append(d)
        current = parent[node]
      }
    }
  }

  /// Unit-length centroids of `nodes`, `[nodes.count, dimension]`.
  func centroidMatrix(_ points: [Float], dimension: Int, nodes: [Int]) -> [Float] {
    var sums = sumMatrix(points, dimension: dimension, nodes: nodes)
    for row in nodes.indices { RowVectors.normalize(&sums, row: row, dimension: dimension) }
    return sums
  }

  /// Sums of the member rows of `nodes` (every node by default), `[nodes.count, dimension]`.
  func sumMatrix(_ points: [Float], dimension: Int, nodes: [Int]? = nil) -> [Float] {
    let nodes = nodes ?? Array(parent.indices)
    var sums = [Float](repeating: 0, count: nodes.count * dimension)
    for (row, node) in nodes.enumerated() {
      let base = row * dimension
      for d in members[node] {
        let source = d * dimension
        for j in 0..<dimension { sums[base + j] += points[source + j] }
      }
    }
    return sums
  }

  /// The finished tree: ids `t1`, `t1.2`, ... by position, no labels yet.
  func tree(_ points: [Float], dimension: Int, ids: [String]) -> TopicTree {
    let n = ids.count
    // Renumber breadth-first so that a node's index is smaller than its children's.
    var order = [0]
    var head = 0
    while head < order.count {
      order += children[order[head]]
      head += 1
    }
    var newIndex = [Int](repeating: -1, count: parent.count)
    for (position, node) in order.enumerated() { newIndex[node] = position }
    let oldSums = sumMatrix(points, dimension: dimension)
    var sums = [Float](repeating: 0, count: order.count * dimension)
    var nodes: [TopicTree.Node] = []
    for (position, node) in order.enumerated() {
      let id: String
      if let p = parent[node] {
        let rank = (children[p].firstIndex(of: node) ?? 0) + 1
        id = p == 0 ? "t\(rank)" : nodes[newIndex[p]].id + ".\(rank)"
      } else {
        id = TopicTree.rootID
      }
      nodes.append(
        TopicTree.Node(
          id: id, parent: parent[node].map { newIndex[$0] }, children: children[node].map { newIndex[$0] },
          size: members[node].count))
      for j in 0..<dimension { sums[position * dimension + j] = oldSums[node * dimension + j] }
    }
    var leaves = [Int](repeating: 0, count: n)
    for node in parent.indices where node != 0 && children[node].isEmpty {
      for d in members[node] { leaves[d] = newIndex[node] }
    }
    return TopicTree(nodes: nodes, dimension: dimension, sums: sums, documentIDs: ids, documentLeaves: leaves)
  }
}
