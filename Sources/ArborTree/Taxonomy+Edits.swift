extension Taxonomy {
  /// The node and all its descendants as a taxonomy of their own, rooted at the node.
  ///
  /// Edges from outside the subtree are dropped; node order is kept.
  public func subtree(rootedAt node: Int) -> Taxonomy {
    var keep = [Bool](repeating: false, count: count)
    keep[node] = true
    for d in descendants(of: node) { keep[d] = true }
    return rebuilt(keeping: keep, extraParents: [:], appending: [], root: nil)
  }

  /// A copy without the node; its children are attached to its parents so nothing is orphaned.
  ///
  /// Throws when the node is the root.
  public func removing(_ node: Int) throws(TaxonomyError) -> Taxonomy {
    guard node != root else {
      throw TaxonomyError(.schema, "cannot remove the root '\(id(node))'")
    }
    var keep = [Bool](repeating: true, count: count)
    keep[node] = false
    var extra: [Int: [Int]] = [:]
    for child in children(of: node) { extra[child] = Array(parents(of: node)) }
    return rebuilt(keeping: keep, extraParents: extra, appending: [], root: root)
  }

  /// A copy with a new node under the given parents (ids), appended after the existing nodes.
  ///
  /// Throws when the id is empty or taken, or a parent id is unknown.
  public func adding(_ node: TaxonomyNode, under parentIDs: [String]) throws(TaxonomyError) -> Taxonomy {
    var problems: [TaxonomyDiagnostic] = []
    if node.id.isEmpty { problems.append(.init(.emptyID, "the new node has an empty id")) }
    if index(of: node.id) != nil { problems.append(.init(.duplicateID, "id '\(node.id)' already exists")) }
    var parentIndices: [Int] = []
    for parentID in parentIDs {
      if let p = index(of: parentID) {
        if !parentIndices.contains(p) { parentIndices.append(p) }
      } else {
        problems.append(.init(.unknownID, "unknown parent id '\(parentID)' for new node '\(node.id)'"))
      }
    }
    if parentIndices.isEmpty && problems.isEmpty {
      problems.append(.init(.schema, "the new node '\(node.id)' needs at least one parent"))
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    let keep = [Bool](repeating: true, count: count)
    return rebuilt(keeping: keep, extraParents: [:], appending: [(node, parentIndices)], root: root)
  }

  /// A copy with several new nodes, each under the given parents (ids of existing nodes), appended in
  /// order after the existing nodes; one rebuild however many nodes are added.
  ///
  /// Throws when an id is empty, taken or repeated, a parent id is unknown, or a node has no parent.
  public func adding(_ newNodes: [(node: TaxonomyNode, parentIDs: [String])]) throws(TaxonomyError)
    -> Taxonomy
  {
    var problems: [TaxonomyDiagnostic] = []
    var newIDs = Set<String>()
    var appended: [(TaxonomyNode, [Int])] = []
    for (node, parentIDs) in newNodes {
      if node.id.isEmpty { problems.append(.init(.emptyID, "a new node has an empty id")) }
      if index(of: node.id) != nil || !newIDs.insert(node.id).inserted {
        problems.append(.init(.duplicateID, "id '\(node.id)' already exists"))
      }
      var parentIndices: [Int] = []
      for parentID in parentIDs {
        if let p = index(of: parentID) {
          if !parentIndices.contains(p) { parentIndices.append(p) }
        } else {
          problems.append(.init(.unknownID, "unknown parent id '\(parentID)' for new node '\(node.id)'"))
        }
      }
      if parentIDs.isEmpty {
        problems.append(.init(.schema, "the new node '\(node.id)' needs at least one parent"))
      }
      appended.append((node, parentIndices))
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    let keep = [Bool](repeating: true, count: count)
    return rebuilt(keeping: keep, extraParents: [:], appending: appended, root: root)
  }

  /// Rebuilds flat storage for the kept nodes, with extra parent edges and an optional new node.
  private func rebuilt(
    keeping keep: [Bool], extraParents: [Int: [Int]], appending newNodes: [(TaxonomyNode, [Int])],
    root oldRoot: Int?
  ) -> Taxonomy {
    var newIndex = [Int32](repeating: -1, count: count)
    var nodes: [TaxonomyNode] = []
    for i in indices where keep[i] {
      newIndex[i] = Int32(nodes.count)
      nodes.append(node(i))
    }
    var parentLists = [[Int32]](repeating: [], count: nodes.count)
    for i in indices where keep[i] {
      var list: [Int32] = []
      for p in parents(of: i) + (extraParents[i] ?? []) where keep[p] {
        let mapped = newIndex[p]
        if !list.contains(mapped) { list.append(mapped) }
      }
      parentLists[Int(newIndex[i])] = list
    }
    for (node, parents) in newNodes {
      nodes.append(node)
      parentLists.append(parents.map { newIndex[$0] })
    }
    var indexByID: [String: Int32] = [:]
    indexByID.reserveCapacity(nodes.count)
    for (i, node) in nodes.enumerated() { indexByID[node.id] = Int32(i) }
    let rootIndex: Int
    if let oldRoot {
      rootIndex = Int(newIndex[oldRoot])
    } else {
      rootIndex = parentLists.firstIndex(where: \.isEmpty) ?? 0
    }
    return Taxonomy(
      nodes: nodes, parentLists: parentLists, indexByID: indexByID, root: rootIndex,
      hasSyntheticRoot: oldRoot != nil && hasSyntheticRoot)
  }
}
