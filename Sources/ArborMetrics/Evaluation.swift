/// Whole-file evaluations: gold and prediction records aligned by id, then scored.
///
/// Gold records without a prediction are scored as empty predictions; predictions without a gold
/// record are ignored. ``EvaluationRecords/aligned(to:)`` counts both for warnings.
public enum Evaluation {
  /// Scores classification predictions; the result holds the metric counts and ``ClassificationEvaluation/report()``.
  public static func classification(
    hierarchy: LabelHierarchy, gold: EvaluationRecords, predicted: EvaluationRecords,
    options: ClassificationEvaluation.Options = .init()
  ) -> ClassificationEvaluation {
    let indices = predicted.aligned(to: gold).indices
    var evaluation = ClassificationEvaluation(hierarchy: hierarchy, options: options)
    let ranked = predicted.hasRankings
    let empty: ArraySlice<Int32> = []
    for record in 0..<gold.count {
      let p = Int(indices[record])
      let labels = p >= 0 ? predicted.labels(p) : empty
      let ranking: ArraySlice<Int32>? = ranked ? (p >= 0 ? predicted.ranking(p) : empty) : nil
      evaluation.add(gold: gold.labels(record), predicted: labels, ranking: ranking)
    }
    return evaluation
  }

  /// Scores taxonomy-expansion rankings (read both files with `keepingRoot: true`).
  public static func expansion(
    hierarchy: LabelHierarchy, gold: EvaluationRecords, predicted: EvaluationRecords, cutoffs: [Int] = [1, 5, 10]
  ) -> MetricReport {
    let indices = predicted.aligned(to: gold).indices
    var evaluation = ExpansionEvaluation(taxonomy: hierarchy.taxonomy, cutoffs: cutoffs)
    let empty: ArraySlice<Int32> = []
    let noScores: ArraySlice<Double> = []
    for record in 0..<gold.count {
      let p = Int(indices[record])
      evaluation.add(
        gold: gold.labels(record), ranking: p >= 0 ? predicted.ranking(p) : empty,
        scores: p >= 0 ? predicted.rankingScores(p) : noScores)
    }
    return evaluation.report()
  }

  /// Scores a predicted cluster hierarchy against the gold records' taxonomy classes.
  public static func clustering(
    hierarchy: LabelHierarchy, gold: EvaluationRecords, predicted: EvaluationRecords
  ) -> MetricReport {
    ClusteringEvaluation.evaluate(
      hierarchy: hierarchy, gold: gold, predicted: predicted, predictedIndex: predicted.aligned(to: gold).indices)
  }
}
