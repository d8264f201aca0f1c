import ArborTree
import Testing

/// A hand-drawn DAG:
///
///     r ─┬─ a ─┬─ c ── f
///        │     └─ d ─┐
///        └─ b ─┬─ d  ├─ g ── h
///              └─ e ─┘
let diamondEdges = [
  ("r", "a"), ("r", "b"), ("a", "c"), ("a", "d"), ("b", "d"), ("b", "e"), ("c", "f"), ("d", "g"),
  ("e", "g"), ("g", "h"),
]

@Suite struct TaxonomyQueryTests {
  let t: Taxonomy
  init() throws { t = try makeTaxonomy(diamondEdges) }

  func ids(_ nodes: some Sequence<Int>) -> Set<String> { Set(nodes.map(t.id)) }
  func n(_ id: String) -> Int { t.index(of: id)! }

  @Test func depthsAreShortestPaths() {
    let expected = ["r": 0, "a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 3, "g": 3, "h": 4]
    for (id, depth) in expected { #expect(t.depth(of: n(id)) == depth, "depth of \(id)") }
    #expect(t.nodesPerLevel == [1, 2, 3, 2, 1])
    #expect(t.maximumDepth == 4)
  }

  @Test func parentsChildrenAncestorsDescendants() {
    #expect(t.parents(of: n("d")).map(t.id) == ["a", "b"])
    #expect(t.children(of: n("b")).map(t.id) == ["d", "e"])
    #expect(ids(t.ancestors(of: n("h"))) == ["g", "d", "e", "a", "b", "r"])
    #expect(t.ancestors(of: n("h")).count == 6)
    #expect(ids(t.descendants(of: n("b"))) == ["d", "e", "g", "h"])
    #expect(t.ancestors(of: n("r")).isEmpty)
    #expect(ids(t.leaves) == ["f", "h"])
    #expect(ids(t.multiParentNodes) == ["d", "g"])
  }

  @Test func everyPathToANode() {
    let paths = Set(t.paths(to: n("g")).map { $0.map(t.id).joined(separator: "/") })
    #expect(paths == ["r/a/d/g", "r/b/d/g", "r/b/e/g"])
    #expect(t.paths(to: n("r")).map { $0.map(t.id) } == [["r"]])
    #expect(t.paths(to: n("g"), limit: 2).count == 2)
  }

  @Test func lowestCommonAncestors() {
    let cases: [(String, String, String)] = [
      ("f", "g", "a"), ("d", "e", "b"), ("h", "d", "d"), ("d", "h", "d"), ("c", "e", "r"), ("g", "g", "g"),
      ("f", "h", "a"), ("e", "h", "e"),
    ]
    var finder = LowestCommonAncestorFinder(t)
    for (x, y, lca) in cases {
      #expect(t.id(t.lowestCommonAncestor(n(x), n(y))) == lca, "LCA(\(x), \(y))")
      #expect(t.id(finder(n(x), n(y))) == lca, "finder LCA(\(x), \(y))")
    }
    // d and e share b; a and b tie for nothing here, but c and d share only a.
    #expect(t.lowestCommonAncestors(n("c"), n("d")).map(t.id) == ["a"])
  }

  @Test func tiedLowestCommonAncestorsInADAG() throws {
    // x and y both sit under p and q, which are at the same depth.
    let dag = try makeTaxonomy([("r", "p"), ("r", "q"), ("p", "x"), ("q", "x"), ("p", "y"), ("q", "y")])
    let x = dag.index(of: "x")!
    let y = dag.index(of: "y")!
    #expect(dag.lowestCommonAncestors(x, y).map(dag.id) == ["p", "q"])
    var finder = LowestCommonAncestorFinder(dag)
    #expect(dag.id(finder(x, y)) == "p")
  }

  @Test func subtreeKeepsOnlyDescendants() {
    let sub = t.subtree(rootedAt: n("b"))
    #expect(Set(sub.indices.map(sub.id)) == ["b", "d", "e", "g", "h"])
    #expect(sub.id(sub.root) == "b")
    #expect(sub.parents(of: sub.index(of: "d")!).map(sub.id) == ["b"])
    #expect(sub.depth(of: sub.index(of: "h")!) == 3)
  }

  @Test func removingANodeReattachesItsChildren() throws {
    let removed = try t.removing(n("d"))
    #expect(removed.index(of: "d") == nil)
    #expect(removed.count == t.count - 1)
    let g = removed.index(of: "g")!
    #expect(Set(removed.parents(of: g).map(removed.id)) == ["e", "a", "b"])
    #expect(throws: TaxonomyError.self) { try t.removing(t.root) }
  }

  @Test func addingANodeUnderParents() throws {
    let added = try t.adding(TaxonomyNode(id: "new", label: "New thing"), under: ["c", "e"])
    let node = added.index(of: "new")!
    #expect(node == t.count)
    #expect(added.parents(of: node).map(added.id) == ["c", "e"])
    #expect(added.depth(of: node) == 3)
    #expect(added.label(node) == "New thing")
    #expect(throws: TaxonomyError.self) { try t.adding(TaxonomyNode(id: "a"), under: ["r"]) }
    #expect(throws: TaxonomyError.self) { try t.adding(TaxonomyNode(id: "z"), under: ["nope"]) }
    #expect(throws: TaxonomyError.self) { try t.adding(TaxonomyNode(id: "z"), under: []) }
  }
}
