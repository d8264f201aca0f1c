import ArborTree
import Foundation
import Testing

@testable import ArborMetrics

/// Small cases worked out by hand (the arithmetic is in each comment).
@Suite struct HandComputedTests {
  /// r → a → {a1, a2}; r → b → b1.
  static func tree() throws -> LabelHierarchy {
    var builder = TaxonomyBuilder()
    for id in ["r", "a", "b", "a1", "a2", "b1"] { builder.addNode(TaxonomyNode(id: id)) }
    for (p, c) in [("r", "a"), ("r", "b"), ("a", "a1"), ("a", "a2"), ("b", "b1")] {
      builder.addEdge(parent: p, child: c)
    }
    return LabelHierarchy(try builder.build())
  }

  static func records(_ h: LabelHierarchy, _ rows: [(String, [String])]) throws -> EvaluationRecords {
    try EvaluationRecords(hierarchy: h, records: rows.map { (id: $0.0, labels: $0.1) })
  }

  @Test func classificationMetricsOnATinyTree() throws {
    let h = try Self.tree()
    let gold = try Self.records(h, [("1", ["a", "a1"]), ("2", ["b1"]), ("3", ["a2"])])
    let pred = try Self.records(h, [("1", ["a", "a1"]), ("2", ["a1", "b"])])  // "3" missing: empty
    let r = Evaluation.classification(hierarchy: h, gold: gold, predicted: pred).report()
    // Closed gold {a,a1} {b,b1} {a,a2}; closed pred {a,a1} {a,a1,b} {}: correct 2+1+0, pred 5, gold 6.
    #expect(abs(r["h-micro-precision"]! - 3.0 / 5) < 1e-12)
    #expect(abs(r["h-micro-recall"]! - 3.0 / 6) < 1e-12)
    #expect(abs(r["h-micro-f1"]! - 6.0 / 11) < 1e-12)
    // Per sample: (1,1,1), (1/3, 1/2, 0.4), (0,0,0).
    #expect(abs(r["h-sample-precision"]! - (1 + 1.0 / 3) / 3) < 1e-12)
    #expect(abs(r["h-sample-f1"]! - 1.4 / 3) < 1e-12)
    // Flat, as written: correct {a,a1}, 4 predicted, 4 gold.
    #expect(abs(r["flat-micro-f1"]! - 0.5) < 1e-12)
    // Flat macro over a, b, a1, a2, b1: F1 = 2/3 (a: 1/2 pred... see below), 0, 2/3, 0, 0.
    // a: correct 1, pred 1, gold 1 → 1; a1: correct 1, pred 2, gold 1 → 2/3; b, a2, b1: 0.
    #expect(abs(r["flat-macro-f1"]! - (1 + 2.0 / 3) / 5) < 1e-12)
    // Paths (leaves a1, a2, b1): gold 3; predicted: a1 in sample 1 only (sample 2 lacks a) → P 1, R 1/3.
    // Wrong labels: sample 2's a1 and b → x = 2/6; γ = 1 − 2(σ(1/3) − 1/2).
    let sigma: Double = 1 / (1 + exp(-1.0 / 3))
    let gamma: Double = 1 - 2 * (sigma - 0.5)
    #expect(abs(r["p-gamma"]! - gamma) < 1e-12)
    #expect(abs(r["p-micro-f1"]! - gamma * 0.5) < 1e-12)
    // P-macro over 3 paths: a1 F1 = 1, others 0.
    #expect(abs(r["p-macro-f1"]! - gamma / 3) < 1e-12)
    // C-metric: right = {a, a1} in sample 1 (both counted), {b} in sample 2 (its ancestors: none) → 3;
    // predicted 4, gold 6 → P 3/4, R 1/2, F1 0.6.
    #expect(abs(r["c-micro-f1"]! - 0.6) < 1e-12)
    #expect(abs(r["exact-match"]! - 1.0 / 3) < 1e-12)
    // Sample 2 {a1, b} is not closed; sample 3 (empty) is.
    #expect(abs(r["consistency"]! - 2.0 / 3) < 1e-12)
    // Level 1: {a}/{a}, {b}/{a,b}, {a}/{} → 1 match of 3. Level 2: {a1}/{a1} match, others not.
    #expect(r.levels.count == 2)
    #expect(abs(r.levels[0].metrics[0].value - 1.0 / 3) < 1e-12)
    #expect(abs(r.levels[1].metrics[0].value - 1.0 / 3) < 1e-12)
    // Level 1 micro: closed gold {a},{b},{a}; closed pred {a},{a,b},{} → correct 2, pred 3, gold 3.
    #expect(abs(r.levels[0].metrics[1].value - 2.0 / 3) < 1e-12)
    // Level 1 macro: a (c1, p2, g2) F1 1/2; b (c1, p1, g1) F1 1 → 3/4.
    #expect(abs(r.levels[0].metrics[2].value - 0.75) < 1e-12)
    // Label macro on closed sets: a 1/2, b 1, a1 (c1, p2, g1) 2/3, a2 0, b1 0.
    #expect(abs(r["h-label-macro-f1"]! - (0.5 + 1 + 2.0 / 3) / 5) < 1e-12)
    // C-macro: a (c1, p1, g2) 2/3, b (c1, p1, g1) 1, a1 (c1, p2, g1) 2/3, a2 0, b1 0.
    #expect(abs(r["c-macro-f1"]! - (2.0 / 3 + 1 + 2.0 / 3) / 5) < 1e-12)
    #expect(r["p@1"] == nil)  // no rankings given
  }

  @Test func perSampleScores() throws {
    let h = try Self.tree()
    var scorer = HierarchicalScorer(h)
    let a1 = h.index(of: "a1")!
    let a2 = h.index(of: "a2")!
    let a = h.index(of: "a")!
    let b = h.index(of: "b")!
    // {a, a1} vs {a, a2}: one common of two each.
    let half = scorer.scores(gold: [a1], predicted: [a2])
    #expect(half == PrecisionRecallF1(precision: 0.5, recall: 0.5, f1: 0.5))
    let exact = scorer.isExactPathMatch(gold: [a1], predicted: [a, a1])
    let notExact = scorer.isExactPathMatch(gold: [a1], predicted: [a])
    #expect(exact && !notExact)
    let closed = scorer.isConsistent([a, a1])
    let open = scorer.isConsistent([a1])
    #expect(closed && !open)
    // Path score: gold path a1; prediction {a, a1, b}: path a1 complete and right (F1 1); b is on no
    // complete path → x = 1/2.
    let sigma: Double = 1 / (1 + exp(-0.5))
    let expected: Double = 1 - 2 * (sigma - 0.5)
    let score = scorer.pathScore(gold: [a1], predicted: [a, a1, b])
    #expect(abs(score - expected) < 1e-12)
  }

  @Test func rankingMetrics() throws {
    // Gold {2, 5}; ranking 5, 3, 2, 7.
    let gold: ArraySlice<Int32> = [2, 5]
    let ranking: ArraySlice<Int32> = [5, 3, 2, 7]
    #expect(
      RankingMetrics.scores(gold: gold, ranking: ranking, k: 1)
        == PrecisionRecallF1(correct: 1, predicted: 1, gold: 2))
    let at3 = RankingMetrics.scores(gold: gold, ranking: ranking, k: 3)
    #expect(abs(at3.precision - 2.0 / 3) < 1e-12 && at3.recall == 1)
    // DCG@3 = 1/log2(2) + 1/log2(4) = 1.5; IDCG@3 = 1 + 1/log2(3).
    let ideal: Double = 1 + 1 / log2(3.0)
    #expect(abs(RankingMetrics.ndcg(gold: gold, ranking: ranking, k: 3) - 1.5 / ideal) < 1e-12)
    #expect(RankingMetrics.ndcg(gold: [], ranking: ranking, k: 3) == 1)
  }

  @Test func wuPalmerBothRootDepths() throws {
    let h = try Self.tree()
    let a1 = h.index(of: "a1")!
    let a2 = h.index(of: "a2")!
    let b1 = h.index(of: "b1")!
    var one = WuPalmer(h.taxonomy, rootDepth: .one)
    var zero = WuPalmer(h.taxonomy, rootDepth: .zero)
    // d = depth + 1: a1, a2 → 3; LCA a → 2: 2·2 / 6.
    let cousins = one.similarity(a1, a2)
    #expect(abs(cousins - 4.0 / 6) < 1e-12)
    // Root depth 0: 2·1 / 4.
    let cousinsZero = zero.similarity(a1, a2)
    #expect(abs(cousinsZero - 0.5) < 1e-12)
    // a1 vs b1: LCA root: 2·1 / 6 and 0.
    let far = one.similarity(a1, b1)
    let farZero = zero.similarity(a1, b1)
    #expect(abs(far - 2.0 / 6) < 1e-12)
    #expect(farZero == 0)
    let same = one.similarity(a1, a1)
    let roots = zero.similarity(h.root, h.root)
    #expect(same == 1 && roots == 1)
    let best = one.best(predicted: a1, gold: [b1, a2])
    #expect(abs(best - 4.0 / 6) < 1e-12)
  }

  @Test func expansionRanksCountStrictlyHigherScores() throws {
    let h = try Self.tree()
    let a = Int32(h.index(of: "a")!)
    let b = Int32(h.index(of: "b")!)
    let a1 = Int32(h.index(of: "a1")!)
    // Scores a1 0.9, a 0.5, b 0.5: gold b has one candidate strictly above → rank 2 (not 3).
    #expect(ExpansionEvaluation.rank(gold: [b], ranking: [a1, a, b], scores: [0.9, 0.5, 0.5]) == 2)
    // As an ordered list the position counts → 3.
    #expect(ExpansionEvaluation.rank(gold: [b], ranking: [a1, a, b], scores: [.nan, .nan, .nan]) == 3)
    #expect(ExpansionEvaluation.rank(gold: [b], ranking: [a1, a, b], scores: []) == 3)
    #expect(ExpansionEvaluation.rank(gold: [a, b], ranking: [a1, b, a], scores: [.nan, .nan, .nan]) == 2)
    #expect(ExpansionEvaluation.rank(gold: [b], ranking: [a1], scores: [1]) == nil)
    var evaluation = ExpansionEvaluation(taxonomy: h.taxonomy, cutoffs: [1, 2])
    evaluation.add(gold: [b], ranking: [a1, a, b], scores: [0.9, 0.5, 0.5])
    evaluation.add(gold: [a], ranking: [a], scores: [.nan])
    let r = evaluation.report()
    #expect(r["accuracy"] == 0.5)
    #expect(r["hit@2"] == 1)
    #expect(abs(r["mrr"]! - (0.5 + 1) / 2) < 1e-12)
    // Top a1 vs gold b: 2·1/(3+2) = 0.4; a vs a: 1.
    #expect(abs(r["wu-palmer"]! - (0.4 + 1) / 2) < 1e-12)
  }

  @Test func clusteringScores() {
    #expect(abs(ClusteringMetrics.normalizedMutualInformation([0, 0, 1, 1], [1, 1, 0, 0]) - 1) < 1e-12)
    #expect(ClusteringMetrics.normalizedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3]) == 0)
    // Contingency [[2,0,0],[0,1,1]] over 4 items: MI = ln 2; H(U) = ln 2; H(V) = 1.5 ln 2 → 0.8.
    #expect(abs(ClusteringMetrics.normalizedMutualInformation([0, 0, 1, 1], [0, 0, 1, 2]) - 0.8) < 1e-12)
    // Pairs: Σ C(n_ij,2) = 1, Σ C(a_i,2) = 2, Σ C(b_j,2) = 1, C(4,2) = 6:
    // (1 − 2·1/6) / ((2 + 1)/2 − 2/6) = (2/3) / (7/6) = 4/7.
    #expect(abs(ClusteringMetrics.adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4.0 / 7) < 1e-12)
    #expect(ClusteringMetrics.adjustedRandIndex([0, 1, 2], [5, 6, 7]) == 1)
    // Items A, A, B under x; the A pair meets at x, which holds 3 items, 2 of class A → 2/3.
    #expect(
      abs(
        ClusteringMetrics.dendrogramPurity(classes: [0, 0, 1], paths: [[1, 2], [1, 3], [1, 3]]) - 2.0 / 3)
        < 1e-12)
    // Pair (0,1) of class A meets at [1], over all four items {A, A, B, B} → 1/2; pair (2,3) of class B
    // meets at [1, 4]: {B, B} → 1. Mean 3/4.
    let purity = ClusteringMetrics.dendrogramPurity(
      classes: [0, 0, 1, 1], paths: [[1, 2], [1, 3], [1, 4], [1, 4]])
    #expect(abs(purity - 0.75) < 1e-12)
  }
}
