import ArborTree
import Foundation

/// Minimum-Bayes-risk reranking of the best positions by Wu & Palmer similarity.
///
/// The top `count` reranked anchors are read as a distribution `p_j ∝ score_j`; each gets the expected
/// Wu & Palmer similarity `E_i = Σ_j p_j · wup(a_i, a_j)` of choosing it when the answer is drawn from
/// that distribution, and its score is multiplied by `exp(λ·E_i)` (λ = `FittingConstants.consensusWeight`,
/// tuned on held-out pseudo-queries). With λ = 0 the ranking is unchanged. Anchors that lie near other
/// likely anchors move up, which trades a little exact accuracy for closeness when the model is unsure
/// (Kumar & Byrne 2004, minimum-Bayes-risk decoding; Wu & Palmer 1994, with the root at depth 1).
struct ConsensusRerank {
  /// How many of the best anchors take part.
  static let count = 10
  private var finder: LowestCommonAncestorFinder
  private let depths: [Int32]

  /// Prepares a reranker for a taxonomy.
  init(_ taxonomy: Taxonomy) {
    finder = LowestCommonAncestorFinder(taxonomy)
    depths = taxonomy.depths
  }

  /// `wup(a, b) = 2·(d(lca) + 1) / (d(a) + d(b) + 2)`.
  mutating func wuPalmer(_ a: Int, _ b: Int) -> Float {
    if a == b { return 1 }
    let lca = finder(a, b)
    return 2 * Float(depths[lca] + 1) / Float(depths[a] + depths[b] + 2)
  }

  /// Reorders the front of `positions` (sorted best first) with weight `lambda`.
  mutating func rerank(_ positions: inout [ExpansionPosition], reranked: Int, lambda: Float) {
    let m = min(Self.count, reranked, positions.count)
    guard lambda > 0, m > 1 else { return }
    var total: Float = 0
    for i in 0..<m { total += positions[i].score }
    guard total > 0 else { return }
    var expected = [Float](repeating: 0, count: m)
    for i in 0..<m {
      for j in 0..<m {
        expected[i] += positions[j].score / total * wuPalmer(positions[i].node, positions[j].node)
      }
    }
    for i in 0..<m { positions[i].score *= expf(lambda * expected[i]) }
    positions[0..<m].sort { $0.score > $1.score || ($0.score == $1.score && $0.node < $1.node) }
  }
}
