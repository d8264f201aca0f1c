/// Precision, recall and F1 from counts of correct, predicted and gold items.
///
/// P = correct / predicted, R = correct / gold, F1 = 2PR / (P + R); each is 0 when its
/// denominator is 0 (the convention of HierVerb's `_precision_recall_f1` and of scikit-learn's
/// `zero_division=0`).
public struct PrecisionRecallF1: Sendable, Hashable {
  /// Precision.
  public var precision: Double
  /// Recall.
  public var recall: Double
  /// Harmonic mean of precision and recall.
  public var f1: Double

  /// Creates a triple from its parts.
  public init(precision: Double, recall: Double, f1: Double) {
    self.precision = precision
    self.recall = recall
    self.f1 = f1
  }

  /// Computes the triple from counts.
  public init(correct: Double, predicted: Double, gold: Double) {
    precision = predicted > 0 ? correct / predicted : 0
    recall = gold > 0 ? correct / gold : 0
    f1 = Self.harmonic(precision, recall)
  }

  /// 2PR / (P + R), or 0 when P + R = 0.
  public static func harmonic(_ p: Double, _ r: Double) -> Double {
    p + r > 0 ? 2 * p * r / (p + r) : 0
  }
}

/// Which labels a macro average runs over.
public enum MacroAveragingScope: String, Sendable, CaseIterable {
  /// Every label of the taxonomy's labelled levels (all nodes but the root), HierVerb's
  /// convention: a label with no gold and no prediction scores 0.
  case all
  /// Only labels that occur in the gold or the predictions.
  case occurring
}

/// Per-label counts of correct, predicted and gold occurrences, and their micro and macro averages.
///
/// Micro: one P/R/F1 from the counts pooled over labels. Macro: the mean over labels of each
/// label's P, R and F1 (the macro F1 is the mean of per-label F1, not the F1 of mean P and R).
public struct LabelCounts: Sendable {
  /// Correct (true positive) count per node.
  public var correct: [Int32]
  /// Predicted count per node.
  public var predicted: [Int32]
  /// Gold count per node.
  public var gold: [Int32]

  /// Zero counts for `nodeCount` nodes.
  public init(nodeCount: Int) {
    correct = [Int32](repeating: 0, count: nodeCount)
    predicted = correct
    gold = correct
  }

  /// Micro average over the given nodes.
  public func micro(over nodes: some Sequence<Int>) -> PrecisionRecallF1 {
    var c = 0
    var p = 0
    var g = 0
    for n in nodes {
      c += Int(correct[n])
      p += Int(predicted[n])
      g += Int(gold[n])
    }
    return PrecisionRecallF1(correct: Double(c), predicted: Double(p), gold: Double(g))
  }

  /// Macro average over the given nodes; with `.occurring`, nodes with no gold and no prediction are
  /// skipped. An empty average is 0.
  public func macro(over nodes: some Sequence<Int>, scope: MacroAveragingScope) -> PrecisionRecallF1 {
    var sum = (0.0, 0.0, 0.0)
    var count = 0
    for n in nodes {
      if scope == .occurring && predicted[n] == 0 && gold[n] == 0 { continue }
      let s = PrecisionRecallF1(
        correct: Double(correct[n]), predicted: Double(predicted[n]), gold: Double(gold[n]))
      sum.0 += s.precision
      sum.1 += s.recall
      sum.2 += s.f1
      count += 1
    }
    guard count > 0 else { return PrecisionRecallF1(precision: 0, recall: 0, f1: 0) }
    let n = Double(count)
    return PrecisionRecallF1(precision: sum.0 / n, recall: sum.1 / n, f1: sum.2 / n)
  }

  /// The scores of one node.
  public func scores(of node: Int) -> PrecisionRecallF1 {
    PrecisionRecallF1(
      correct: Double(correct[node]), predicted: Double(predicted[node]), gold: Double(gold[node]))
  }
}
