import ArborTree
import Testing

@Suite struct TaxonomyBuilderTests {
  @Test func reportsEveryProblemAtOnce() {
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "a"), at: SourceLocation(file: "t.json", line: 1))
    builder.addNode(TaxonomyNode(id: "b"), at: SourceLocation(file: "t.json", line: 2))
    builder.addNode(TaxonomyNode(id: "a"), at: SourceLocation(file: "t.json", line: 3))
    builder.addNode(TaxonomyNode(id: ""), at: SourceLocation(file: "t.json", line: 4))
    builder.addEdge(parent: "a", child: "b", at: SourceLocation(file: "t.json", line: 2))
    builder.addEdge(parent: "zz", child: "b", at: SourceLocation(file: "t.json", line: 5))
    builder.addEdge(parent: "b", child: "b", at: SourceLocation(file: "t.json", line: 6))
    #expect(throws: TaxonomyError.self) { try builder.build() }
    do {
      _ = try builder.build()
    } catch {
      let kinds = error.diagnostics.map(\.kind)
      #expect(kinds.contains(.duplicateID))
      #expect(kinds.contains(.emptyID))
      #expect(kinds.contains(.unknownID))
      #expect(kinds.contains(.selfLoop))
      #expect(error.diagnostics.count == 4)
      let duplicate = error.diagnostics.first { $0.kind == .duplicateID }
      #expect(duplicate?.description.hasPrefix("t.json:3: duplicate id 'a'") == true)
      let unknown = error.diagnostics.first { $0.kind == .unknownID }
      #expect(unknown?.location?.line == 5)
      #expect(unknown?.message.contains("'zz'") == true)
    }
  }

  @Test func namesTheIdsOnACycle() {
    var builder = TaxonomyBuilder()
    for id in ["root", "x", "y", "z"] { builder.addNode(TaxonomyNode(id: id)) }
    builder.addEdge(parent: "root", child: "x")
    builder.addEdge(parent: "x", child: "y")
    builder.addEdge(parent: "y", child: "z")
    builder.addEdge(parent: "z", child: "x")
    do {
      _ = try builder.build()
      Issue.record("a cycle must be rejected")
    } catch {
      #expect(error.diagnostics.count == 1)
      let message = error.diagnostics[0].message
      #expect(error.diagnostics[0].kind == .cycle)
      for id in ["x", "y", "z"] { #expect(message.contains(id)) }
      #expect(!message.contains("root"))
    }
  }

  @Test func addsASyntheticRootAboveSeveralTopConcepts() throws {
    let taxonomy = try makeTaxonomy([("a", "a1"), ("b", "b1")])
    #expect(taxonomy.hasSyntheticRoot)
    #expect(taxonomy.id(taxonomy.root) == Taxonomy.syntheticRootID)
    #expect(Set(taxonomy.children(of: taxonomy.root).map(taxonomy.id)) == ["a", "b"])
    #expect(taxonomy.depth(of: taxonomy.index(of: "b1")!) == 2)
  }

  @Test func singleTopConceptIsTheRoot() throws {
    let taxonomy = try makeTaxonomy([("a", "b")])
    #expect(!taxonomy.hasSyntheticRoot)
    #expect(taxonomy.id(taxonomy.root) == "a")
    #expect(taxonomy.count == 2)
  }

  @Test func dropsRepeatedEdges() throws {
    let taxonomy = try makeTaxonomy([("a", "b"), ("a", "b")])
    #expect(taxonomy.edgeCount == 1)
  }
}
