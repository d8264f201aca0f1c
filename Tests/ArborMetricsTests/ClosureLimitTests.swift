import ArborTree
import Testing

@testable import ArborMetrics

/// Ancestor closures that would not fit are refused, not overflowed (a 100,000-deep chain needs 5·10⁹
/// entries; `arbor eval` used to stop on an Int32 conversion).
@Suite struct ClosureLimitTests {
  /// A chain r → c1 → … → c`length`: node c_k's closure is {c1, …, c_k}, so all of them hold
  /// length·(length + 1)/2 entries.
  static func chain(_ length: Int) throws -> Taxonomy {
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "r"))
    for k in 1...length {
      builder.addNode(TaxonomyNode(id: "c\(k)"))
      builder.addEdge(parent: k == 1 ? "r" : "c\(k - 1)", child: "c\(k)")
    }
    return try builder.build()
  }

  @Test func closuresWithinTheLimitAreComplete() throws {
    // 40 nodes: 820 entries, under a limit of 900.
    let hierarchy = LabelHierarchy(try Self.chain(40), closureEntryLimit: 900)
    #expect(hierarchy.closureIsComplete)
    #expect(throws: Never.self) { try hierarchy.checkClosureSize() }
    #expect(hierarchy.closure(of: hierarchy.index(of: "c40")!).count == 40)
  }

  @Test func closuresPastTheLimitAreRefusedWithTheFile() throws {
    // 50 nodes: 1,275 entries, over a limit of 900.
    let hierarchy = LabelHierarchy(try Self.chain(50), closureEntryLimit: 900)
    #expect(!hierarchy.closureIsComplete)
    do {
      try hierarchy.checkClosureSize(file: "deep.json")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics.first?.location == SourceLocation(file: "deep.json"))
      #expect(error.diagnostics.first?.message.contains("50 levels down") == true, "\(error)")
    }
  }
}
