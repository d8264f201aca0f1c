import ArborTree
import Foundation
import Testing

@testable import ArborExpand

@Suite struct ConsensusRerankTests {
  /// r → a → a1 → {a11, a12}; r → b. Depths (root 0): a 1, a1 2, a11 and a12 3, b 1.
  static func taxonomy() throws -> Taxonomy {
    var builder = TaxonomyBuilder()
    for id in ["r", "a", "a1", "a11", "a12", "b"] { builder.addNode(TaxonomyNode(id: id, label: id)) }
    for (parent, child) in [("r", "a"), ("a", "a1"), ("a1", "a11"), ("a1", "a12"), ("r", "b")] {
      builder.addEdge(parent: parent, child: child)
    }
    return try builder.build()
  }

  @Test func wuPalmerCountsTheRootAsDepthOne() throws {
    let tree = try Self.taxonomy()
    var consensus = ConsensusRerank(tree)
    let node = { (id: String) in tree.index(of: id)! }
    // Hand-computed: lca(a11, a12) = a1 (depth 2): 2·3 / (4 + 4) = 0.75; lca(a11, b) = r: 2·1 / (4 + 2).
    #expect(abs(consensus.wuPalmer(node("a11"), node("a12")) - 0.75) < 1e-6)
    #expect(abs(consensus.wuPalmer(node("a11"), node("b")) - 1.0 / 3.0) < 1e-6)
    #expect(consensus.wuPalmer(node("b"), node("b")) == 1)
  }

  @Test func closeRunnersUpOvertakeAnIsolatedLeaderOnlyWithEnoughWeight() throws {
    let tree = try Self.taxonomy()
    var consensus = ConsensusRerank(tree)
    let (a11, a12, b) = (tree.index(of: "a11")!, tree.index(of: "a12")!, tree.index(of: "b")!)
    let start = [(b, Float(0.4)), (a11, 0.3), (a12, 0.3)].map {
      ExpansionPosition(node: $0.0, score: $0.1, fittingScore: nil, retrievalProbability: 0.5)
    }
    // Hand-computed expectations: E(b) = 0.4 + 0.6/3 = 0.6; E(a11) = E(a12) = 0.3 + 0.3·0.75 + 0.4/3.
    // λ = 0: unchanged. λ = 1: b 0.4·e^0.6 = 0.729 > a11 0.3·e^0.658 = 0.579. λ = 8: b 0.4·e^4.8 = 48.6 <
    // a11 0.3·e^5.267 = 58.1, and a11 precedes a12 on the tie by index.
    for (lambda, order) in [(Float(0), [b, a11, a12]), (1, [b, a11, a12]), (8, [a11, a12, b])] {
      var positions = start
      consensus.rerank(&positions, reranked: 3, lambda: lambda)
      #expect(positions.map(\.node) == order, "λ = \(lambda)")
    }
    var positions = start
    consensus.rerank(&positions, reranked: 3, lambda: 8)
    #expect(abs(positions[0].score - 0.3 * expf(8 * (0.3 + 0.225 + 0.4 / 3))) < 1e-3)
  }
}
