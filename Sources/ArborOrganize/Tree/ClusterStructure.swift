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
  mutating func refine(_ points: [Float], dimension: Int, passes: Int) {
    let n = members[0].count
    let leafNodes = leaves
    let nodeCount = parent.count
    let paths: [[Int]] = leafNodes.map { leaf in
      var path: [Int] = []
      var current = leaf
      while let p = parent[current] {
        path.append(current)
        current = p
      }
      return path
    }
    var leafOf = [Int](repeating: 0, count: n)
    for (position, leaf) in leafNodes.enumerated() { for d in members[leaf] { leafOf[d] = position } }
    var similarities: [Float] = []
    for _ in 0..<passes {
      let centroids = centroidMatrix(points, dimension: dimension)
      SphericalKMeans.similarities(
        points, n: n, centroids, k: nodeCount, dimension: dimension, into: &similarities)
      var counts = [Int](repeating: 0, count: leafNodes.count)
      for l in leafOf { counts[l] += 1 }
      var moved = 0
      for d in 0..<n {
        let row = d * nodeCount
        var best = leafOf[d]
        var bestScore = -Float.infinity
        for (position, path) in paths.enumerated() {
          var score: Float = 0
          for v in path { score += similarities[row + v] }
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

  /// Unit-length centroids of every node, `[nodes, dimension]`.
  func centroidMatrix(_ points: [Float], dimension: Int) -> [Float] {
    var sums = sumMatrix(points, dimension: dimension)
    for node in parent.indices { SphericalKMeans.normalizeRow(&sums, row: node, dimension: dimension) }
    return sums
  }

  func sumMatrix(_ points: [Float], dimension: Int) -> [Float] {
    var sums = [Float](repeating: 0, count: parent.count * dimension)
    for node in parent.indices {
      let base = node * dimension
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
