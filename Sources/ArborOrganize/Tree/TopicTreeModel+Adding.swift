import ArborTensor

/// What `TopicTreeModel.add` did.
public struct TopicTreeAddition: Sendable {
  /// For every new document, its node indices from the top level down to its leaf (after splits).
  public var paths: [[Int]]
  /// Leaves that outgrew the limit and were split, by id.
  public var splitLeaves: [String]
}

/// How `TopicTreeModel.add` picks a new document's leaf.
public enum TopicTreePlacement: String, Sendable, CaseIterable {
  /// Level by level, the child with the most similar centroid (the greedy tree-path policy decision).
  case greedy
  /// The leaf whose path has the highest summed cosine `Σ_v x·c_v`, the rule the build's refinement
  /// assigns documents by.
  case path
}

extension TopicTreeModel {
  /// Places new documents top-down, each at every level in the child whose centroid has the highest
  /// cosine with its vector (the greedy decision of the tree-path policy `softmax(cos(x, c_j) / τ)`, for
  /// any temperature τ); adds it to the sums and sizes of every node on its path; then splits every leaf
  /// with more than `maxLeaf` documents in two by seeded spherical k-means (new children `ID.1`, `ID.2`,
  /// named by `namer`). Existing node ids never change; new nodes are appended.
  ///
  /// A fine-tuned tree (``TopicTree/tunedCentroids``, from `arbor finetune`) places by its tuned
  /// centroids; a new document moves a tuned centroid as it would the untuned one (see
  /// ``TopicTree/placementSums``), and the children of a split start untuned (their normalised sums).
  ///
  /// With `placement` `.path`, each document instead goes to the leaf whose whole path is most similar
  /// (`Σ_v x·c_v` over the path's nodes), the rule the build's refinement used for the built documents;
  /// a tree built on joined encoder and TF-IDF SVD features (``lexicalFeatures``) compares each node in
  /// its level's joined space, rebuilt from the model's texts (see `JoinedPlacement`).
  public mutating func add(
    ids: [String], texts: [String], vectors: [Float], maxLeaf: Int, seed: UInt64, namer: TopicNamer?,
    placement: TopicTreePlacement = .greedy
  ) throws -> TopicTreeAddition {
    let dimension = tree.dimension
    var points = vectors
    RowVectors.normalizeRows(&points, dimension: dimension)
    var centroids = tree.centroids
    // What the centroids follow: the sums, or a fine-tuned tree's tuned centroids at the sums' lengths.
    var following = tree.placementSums
    let firstNew = tree.documentIDs.count
    let newTexts = ids.indices.map { $0 < texts.count ? texts[$0] : "" }
    // A tree clustered on joined encoder and lexical features places in those spaces (unless tuned).
    var joined =
      placement == .path && tree.tunedCentroids == nil
      ? JoinedPlacement(model: self, newTexts: newTexts) : nil
    var similarity = [Float](repeating: 0, count: tree.nodes.count)
    for (position, id) in ids.enumerated() {
      let row = points[(position * dimension)..<((position + 1) * dimension)]
      var node = 0
      if placement == .path {
        if let joined {
          for v in tree.nodes.indices.dropFirst() {
            similarity[v] = joined.similarity(
              node: v, position: position, encoder: row, encoderSums: tree.sums)
          }
        } else {
          for v in tree.nodes.indices.dropFirst() {
            var dot: Float = 0
            for j in 0..<dimension { dot += centroids[v * dimension + j] * row[row.startIndex + j] }
            similarity[v] = dot
          }
        }
        var best = -Float.infinity
        for leaf in tree.nodes.indices where leaf != 0 && tree.isLeaf(leaf) {
          var score: Float = 0
          var current: Int? = leaf
          while let v = current, v != 0 {
            score += similarity[v]
            current = tree.nodes[v].parent
          }
          if score > best {
            best = score
            node = leaf
          }
        }
      }
      while !tree.nodes[node].children.isEmpty {
        var best = tree.nodes[node].children[0]
        var bestScore = -Float.infinity
        for child in tree.nodes[node].children {
          var s: Float = 0
          for j in 0..<dimension { s += centroids[child * dimension + j] * row[row.startIndex + j] }
          if s > bestScore {
            bestScore = s
            best = child
          }
        }
        node = best
      }
      var current: Int? = node
      while let v = current {
        tree.nodes[v].size += 1
        for j in 0..<dimension {
          tree.sums[v * dimension + j] += row[row.startIndex + j]
          following[v * dimension + j] += row[row.startIndex + j]
        }
        current = tree.nodes[v].parent
      }
      let updated = tree.path(to: node) + [0]
      joined?.add(position, to: updated, encoderSums: tree.sums)
      // Centroids follow the sums (or the scaled tuned centroids) as documents arrive.
      for v in updated {
        for j in 0..<dimension { centroids[v * dimension + j] = following[v * dimension + j] }
        RowVectors.normalize(&centroids, row: v, dimension: dimension)
      }
      tree.documentIDs.append(id)
      tree.documentLeaves.append(node)
      documentTexts.append(newTexts[position])
    }
    documentVectors += points
    if tree.tunedCentroids != nil { tree.tunedCentroids = centroids }

    var split: [String] = []
    var newParents: Set<Int> = []
    var queue = tree.nodes.indices.filter { tree.isLeaf($0) && tree.nodes[$0].size > maxLeaf && $0 != 0 }
    var existing = Set(tree.nodes.map(\.id))
    while let leaf = queue.popLast() {
      let members = tree.documentLeaves.indices.filter { tree.documentLeaves[$0] == leaf }
      guard members.count > maxLeaf, members.count >= 2 else { continue }
      let subset = TopicTreeBuilder.gather(documentVectors, rows: members, dimension: dimension)
      var kmeans = SphericalKMeans(clusterCount: 2)
      kmeans.restarts = 4
      let result = kmeans.fit(subset, dimension: dimension, seed: seed &+ UInt64(leaf))
      guard Set(result.assignments).count == 2 else { continue }
      split.append(tree.nodes[leaf].id)
      newParents.insert(leaf)
      var children: [Int] = []
      for cluster in 0..<2 {
        var suffix = cluster + 1
        var id = tree.nodes[leaf].id + ".\(suffix)"
        while existing.contains(id) {
          suffix += 2
          id = tree.nodes[leaf].id + ".\(suffix)"
        }
        existing.insert(id)
        let index = tree.nodes.count
        tree.nodes.append(TopicTree.Node(id: id, parent: leaf))
        tree.sums += [Float](repeating: 0, count: dimension)
        tree.nodes[leaf].children.append(index)
        children.append(index)
      }
      for (position, d) in members.enumerated() {
        let child = children[result.assignments[position]]
        tree.documentLeaves[d] = child
        tree.nodes[child].size += 1
        for j in 0..<dimension { tree.sums[child * dimension + j] += documentVectors[d * dimension + j] }
      }
      for child in children where tree.nodes[child].size > maxLeaf { queue.append(child) }
    }
    // Nodes made by splits have no tuned centroid: theirs is their normalised sum.
    if var tuned = tree.tunedCentroids {
      for node in (tuned.count / dimension)..<tree.nodes.count {
        var row = Array(tree.sums[(node * dimension)..<((node + 1) * dimension)])
        RowVectors.normalize(&row, row: 0, dimension: dimension)
        tuned += row
      }
      tree.tunedCentroids = tuned
    }
    if let namer, !newParents.isEmpty {
      try namer.name(
        &tree, texts: documentTexts, titles: documentTexts.map { _ in "" }, vectors: documentVectors,
        dimension: dimension, onlyChildrenOf: newParents)
    }
    let paths = (firstNew..<tree.documentIDs.count).map { tree.path(to: tree.documentLeaves[$0]) }
    return TopicTreeAddition(paths: paths, splitLeaves: split)
  }
}
