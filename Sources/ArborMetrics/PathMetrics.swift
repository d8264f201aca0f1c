import Foundation

/// Counts behind HierVerb's path-based metrics (Ji, Lian, Gao, Wang, Wang & Zhang, "Hierarchical
/// Verbalizer for Few-Shot Hierarchical Text Classification", ACL 2023).
///
/// - P-metric: the unit is a complete path, the closure of a taxonomy leaf. A path is *predicted*
///   when every node of it is among the predicted labels as given, *gold* when its leaf is in the
///   ancestor-closed gold, *correct* when both. P-Micro-F1 = γ·F1(pooled path counts), P-Macro-F1 =
///   γ·mean over paths of the path's F1, with `γ = 1 − 2(σ(x) − ½)`, `σ` the logistic function and
///   `x = Σ wrong / Σ |Ĝ|`, where a sample's *wrong* labels are its predicted labels that lie on no
///   complete predicted path.
/// - C-metric: a predicted label counts as correct only when it is gold and all its ancestors (root
///   excluded) are predicted and gold as well; C-Micro-F1 and C-Macro-F1 then follow as for flat
///   labels, with the predicted labels as given and the gold closed under ancestors.
public struct PathMetricCounts: Sendable {
  /// Path counts, indexed by the path's leaf.
  public var paths: LabelCounts
  /// C-metric counts per node.
  public var constrained: LabelCounts
  /// Σ over samples of predicted labels on no complete predicted path.
  public var wrongLabels = 0
  /// Σ over samples of |Ĝ|.
  public var goldLabels = 0

  /// Zero counts.
  public init(nodeCount: Int) {
    paths = LabelCounts(nodeCount: nodeCount)
    constrained = LabelCounts(nodeCount: nodeCount)
  }

  /// γ(x) = 1 − 2(σ(x) − ½), HierVerb's penalty for predicted labels that form no complete path.
  public static func penalty(_ x: Double) -> Double {
    1 - 2 * (1 / (1 + exp(-x)) - 0.5)
  }

  /// γ for the counts so far.
  public var gamma: Double {
    Self.penalty(goldLabels > 0 ? Double(wrongLabels) / Double(goldLabels) : 0)
  }
}
