import Foundation

/// Ranking metrics for multi-label suggestions, as Annif reports them.
///
/// For a ranking `r` (best first), gold set `G` and cut-off `k`, with `T = r[0..<min(k, |r|)]`:
/// `P@k = |T ∩ G| / |T|`, `R@k = |T ∩ G| / |G|`, `F1@k` their harmonic mean, each 0 on an empty
/// denominator, averaged over samples (scikit-learn's `average="samples"` as Annif calls it).
/// `NDCG@k = DCG / IDCG` with `DCG = Σ_{i<|T|} [r_i ∈ G] / log2(i + 2)` and
/// `IDCG = Σ_{i<min(k,|G|)} 1 / log2(i + 2)`; a sample without gold labels scores 1
/// (Järvelin & Kekäläinen 2002; Annif's `ndcg_score`).
public enum RankingMetrics {
  /// `log2(position + 2)`, the discount of a 0-based position.
  @inline(__always)
  static func discount(_ position: Int) -> Double { log2(Double(position + 2)) }

  /// P@k, R@k and F1@k of one ranking against a gold set.
  public static func scores(gold: ArraySlice<Int32>, ranking: ArraySlice<Int32>, k: Int) -> PrecisionRecallF1
  {
    let top = min(k, ranking.count)
    var hits = 0
    for node in ranking.prefix(top) where gold.contains(node) { hits += 1 }
    return PrecisionRecallF1(correct: Double(hits), predicted: Double(top), gold: Double(gold.count))
  }

  /// NDCG@k of one ranking against a gold set; 1 when the gold set is empty.
  public static func ndcg(gold: ArraySlice<Int32>, ranking: ArraySlice<Int32>, k: Int) -> Double {
    var dcg = 0.0
    for (i, node) in ranking.prefix(k).enumerated() where gold.contains(node) { dcg += 1 / discount(i) }
    var ideal = 0.0
    for i in 0..<min(k, gold.count) { ideal += 1 / discount(i) }
    return ideal > 0 ? dcg / ideal : 1
  }
}
