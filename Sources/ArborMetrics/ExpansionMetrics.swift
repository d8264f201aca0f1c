import ArborTree

/// Which depth the root has in Wu & Palmer similarity.
public enum WuPalmerRootDepth: String, Sendable, CaseIterable {
  /// `d(n) = 1 + shortest-path length from the root` (root depth 1, WordNet/NLTK's convention).
  case one
  /// `d(n) = shortest-path length from the root` (root depth 0).
  case zero
}

/// Wu & Palmer similarity on a taxonomy (Wu & Palmer 1994).
///
/// `wup(a, b) = 2·d(LCA(a, b)) / (d(a) + d(b))`, with `LCA` the common ancestor (each node its own
/// ancestor) of greatest `d`, ties to the smallest index, and `d` per ``WuPalmerRootDepth``.
/// With root depth 0 and `a = b = root` the value is 1. One instance allocates once; each query
/// costs O(ancestors of a and b).
public struct WuPalmer {
  /// The root-depth convention.
  public let rootDepth: WuPalmerRootDepth
  private var finder: LowestCommonAncestorFinder

  /// Prepares queries on a taxonomy.
  public init(_ taxonomy: Taxonomy, rootDepth: WuPalmerRootDepth = .one) {
    self.rootDepth = rootDepth
    finder = LowestCommonAncestorFinder(taxonomy)
  }

  /// The similarity of two nodes.
  public mutating func similarity(_ a: Int, _ b: Int) -> Double {
    let shift = rootDepth == .one ? 1 : 0
    let lca = finder(a, b)
    let taxonomy = finder.taxonomy
    let denominator = taxonomy.depth(of: a) + taxonomy.depth(of: b) + 2 * shift
    if denominator == 0 { return 1 }
    return Double(2 * (taxonomy.depth(of: lca) + shift)) / Double(denominator)
  }

  /// The greatest similarity of a predicted node to any of several gold nodes; 0 without gold nodes.
  public mutating func best(predicted: Int, gold: some Sequence<Int>) -> Double {
    var result = 0.0
    for g in gold { result = max(result, similarity(predicted, g)) }
    return result
  }
}

/// Accumulates taxonomy-expansion metrics: each query has gold parents and a ranking of candidates.
///
/// A gold parent's rank is 1 + the number of candidates scored strictly higher (with scores), or its
/// 1-based position (with an ordered ranking); a query's rank is its best gold parent's. Then
/// Accuracy = Hit@1, Hit@k = share of queries with rank ≤ k, MRR = mean of 1/rank (0 when no gold
/// parent is ranked), and Wu&Palmer = mean over queries of max over gold parents `g` of
/// `wup(p, g)` for the top candidate `p` (0 without candidates), under both root-depth conventions.
public struct ExpansionEvaluation {
  /// The cut-offs `k` of Hit@k.
  public let cutoffs: [Int]
  private var wupOne: WuPalmer
  private var wupZero: WuPalmer
  private var hits: [Int]
  private var reciprocalRankSum = 0.0
  private var wupOneSum = 0.0
  private var wupZeroSum = 0.0
  /// Queries added.
  public private(set) var queryCount = 0

  /// Starts an empty evaluation.
  public init(taxonomy: Taxonomy, cutoffs: [Int] = [1, 5, 10]) {
    self.cutoffs = cutoffs
    wupOne = WuPalmer(taxonomy, rootDepth: .one)
    wupZero = WuPalmer(taxonomy, rootDepth: .zero)
    hits = cutoffs.map { _ in 0 }
  }

  /// The rank of a query: the best rank of any gold parent, or `nil` when none is ranked.
  ///
  /// `scores` are the ranking's scores, best first, or empty (or NaN) for an ordered list.
  public static func rank(
    gold: some Collection<Int32>, ranking: ArraySlice<Int32>, scores: ArraySlice<Double>
  ) -> Int? {
    let scored = scores.count == ranking.count
    var best: Int?
    for (offset, node) in ranking.enumerated() where gold.contains(node) {
      var rank = offset + 1
      if scored {
        let score = scores[scores.startIndex + offset]
        if !score.isNaN {
          // Scores are sorted descending: count the candidates strictly above this score.
          var j = offset
          while j > 0 && scores[scores.startIndex + j - 1] == score { j -= 1 }
          rank = j + 1
        }
      }
      if rank < (best ?? .max) { best = rank }
    }
    return best
  }

  /// Adds one query.
  public mutating func add(gold: ArraySlice<Int32>, ranking: ArraySlice<Int32>, scores: ArraySlice<Double>) {
    queryCount += 1
    if let rank = Self.rank(gold: gold, ranking: ranking, scores: scores) {
      reciprocalRankSum += 1 / Double(rank)
      for (c, k) in cutoffs.enumerated() where rank <= k { hits[c] += 1 }
    }
    if let top = ranking.first {
      wupOneSum += wupOne.best(predicted: Int(top), gold: gold.lazy.map(Int.init))
      wupZeroSum += wupZero.best(predicted: Int(top), gold: gold.lazy.map(Int.init))
    }
  }

  /// The metric values.
  public func report() -> MetricReport {
    var report = MetricReport()
    let n = Double(max(queryCount, 1))
    report.add("accuracy", cutoffs.first == 1 ? Double(hits[0]) / n : 0, group: "expansion")
    for (c, k) in cutoffs.enumerated() { report.add("hit@\(k)", Double(hits[c]) / n, group: "expansion") }
    report.add("mrr", reciprocalRankSum / n, group: "expansion")
    report.add("wu-palmer", wupOneSum / n, group: "expansion")
    report.add("wu-palmer-root0", wupZeroSum / n, group: "expansion")
    report.sampleCount = queryCount
    return report
  }
}
