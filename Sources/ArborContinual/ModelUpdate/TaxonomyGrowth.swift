import ArborTree

/// How a grown taxonomy relates to the one a model was trained on: every old node found again by id.
///
/// A grown taxonomy may add nodes anywhere. It may not drop a node the model knows, and it may
/// not move one (give it a different set of parents) unless moves are allowed; both are reported
/// with the nodes named, at most `listed` of them.
package struct TaxonomyGrowth: Sendable {
  /// The grown taxonomy's index of each old node.
  package let newIndexOfOld: [Int]
  /// Grown-taxonomy nodes that the old taxonomy lacks.
  package let addedNodes: [Int]
  /// Old nodes whose parents changed (only when moves are allowed).
  package let movedNodes: [Int]

  /// How many nodes an error names before it summarises the rest.
  static let listed = 10

  /// Matches `grown` against `old`; `source` names the grown taxonomy in errors.
  package init(old: Taxonomy, grown: Taxonomy, allowMoves: Bool, source: String?) throws(TaxonomyError) {
    func newIndex(_ node: Int) -> Int? {
      node == old.root ? grown.root : grown.index(of: old.id(node))
    }
    var map = [Int](repeating: -1, count: old.count)
    var dropped: [Int] = []
    for node in old.indices {
      if let index = newIndex(node) { map[node] = index } else { dropped.append(node) }
    }
    let location = SourceLocation(file: source)
    func named(_ nodes: [Int], _ describe: (Int) -> String) -> String {
      let shown = nodes.prefix(Self.listed).map(describe).joined(separator: "; ")
      return nodes.count > Self.listed ? shown + "; and \(nodes.count - Self.listed) more" : shown
    }
    if !dropped.isEmpty {
      throw TaxonomyError(
        .schema,
        "the taxonomy drops \(dropped.count) node(s) the model knows: "
          + named(dropped) { "'\(old.id($0))' (\(old.label($0)))" }
          + "; a grown taxonomy must keep every node of the model's taxonomy with its id",
        at: location)
    }
    func parentIDs(_ taxonomy: Taxonomy, _ node: Int) -> [String] {
      taxonomy.parents(of: node).map { $0 == taxonomy.root ? "(root)" : taxonomy.id($0) }.sorted()
    }
    var moved: [Int] = []
    for node in old.indices where node != old.root {
      if parentIDs(old, node) != parentIDs(grown, map[node]) { moved.append(node) }
    }
    if !moved.isEmpty && !allowMoves {
      throw TaxonomyError(
        .schema,
        "the taxonomy moves \(moved.count) node(s) the model knows to other parents: "
          + named(moved) {
            "'\(old.id($0))' (\(old.label($0))) was under \(parentIDs(old, $0).joined(separator: ", ")), "
              + "now under \(parentIDs(grown, map[$0]).joined(separator: ", "))"
          } + "; pass --allow-moves to accept moves",
        at: location)
    }
    var known = [Bool](repeating: false, count: grown.count)
    for index in map { known[index] = true }
    newIndexOfOld = map
    addedNodes = grown.indices.filter { !known[$0] }
    movedNodes = moved
  }
}
