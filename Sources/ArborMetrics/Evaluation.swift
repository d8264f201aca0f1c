import ArborTree

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
    let ranked = predicted.hasRankings
    func run(_ records: Range<Int>) -> ClassificationEvaluation {
      var evaluation = ClassificationEvaluation(hierarchy: hierarchy, options: options)
      let empty: ArraySlice<Int32> = []
      for record in records {
        let p = Int(indices[record])
        let labels = p >= 0 ? predicted.labels(p) : empty
        let ranking: ArraySlice<Int32>? = ranked ? (p >= 0 ? predicted.ranking(p) : empty) : nil
        evaluation.add(gold: gold.labels(record), predicted: labels, ranking: ranking)
      }
      return evaluation
    }
    // Two halves on two threads for large inputs; counts are sums, so merging is exact
    // (floating-point sums may differ from a single pass in the last bits).
    guard gold.count >= 100_000 else { return run(0..<gold.count) }
    let middle = gold.count / 2
    var (first, second) = inParallel({ run(0..<middle) }, { run(middle..<gold.count) })
    first.merge(second)
    return first
  }

  /// Reads a gold and a prediction file at once on two threads.
  public static func readPair(
    gold: String, predicted: String, hierarchy: LabelHierarchy, ignoringUnknown: Bool = false,
    keepingRoot: Bool = false
  ) throws(TaxonomyError) -> (gold: EvaluationRecords, predicted: EvaluationRecords) {
    func read(_ path: String) -> Result<EvaluationRecords, TaxonomyError> {
      do throws(TaxonomyError) {
        return .success(
          try EvaluationRecords.read(
            from: path, hierarchy: hierarchy, ignoringUnknown: ignoringUnknown, keepingRoot: keepingRoot))
      } catch {
        return .failure(error)
      }
    }
    let (g, p) = inParallel({ read(gold) }, { read(predicted) })
    switch (g, p) {
    case (.failure(let a), .failure) where gold == predicted: throw a
    case (.failure(let a), .failure(let b)): throw TaxonomyError(a.diagnostics + b.diagnostics)
    case (.failure(let a), _): throw a
    case (_, .failure(let b)): throw b
    case (.success(let a), .success(let b)): return (a, b)
    }
  }

  /// Scores taxonomy-expansion rankings (read both files with `keepingRoot: true`).
  public static func expansion(
    hierarchy: LabelHierarchy, gold: EvaluationRecords, predicted: EvaluationRecords,
    cutoffs: [Int] = [1, 5, 10]
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
      hierarchy: hierarchy, gold: gold, predicted: predicted,
      predictedIndex: predicted.aligned(to: gold).indices)
  }
}
