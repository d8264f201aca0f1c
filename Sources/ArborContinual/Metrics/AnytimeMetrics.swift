/// One evaluation of the learner during a stream.
public struct EvaluationPoint: Sendable {
  /// Stream samples seen when evaluated.
  public var samples: Int
  /// The task of the last sample seen.
  public var task: Int
  /// Whether the evaluation closes a task.
  public var isTaskEnd: Bool
  /// Accuracy per level (index 0 is level 1) on the test documents of the classes exposed so far; nil when
  /// no class of the level has been exposed.
  public var accuracy: [Double?]
  /// Accuracy per exposed class (node index), per level.
  public var classAccuracy: [[Int: Double]]

  /// Creates a point.
  public init(
    samples: Int, task: Int, isTaskEnd: Bool, accuracy: [Double?], classAccuracy: [[Int: Double]]
  ) {
    self.samples = samples
    self.task = task
    self.isTaskEnd = isTaskEnd
    self.accuracy = accuracy
    self.classAccuracy = classAccuracy
  }
}

/// HLE's per-level summaries of an accuracy curve.
public struct LevelMetrics: Sendable, Hashable {
  /// The 1-based level.
  public var level: Int
  /// Anytime accuracy: the mean accuracy over every evaluation point where the level is exposed.
  public var anytime: Double?
  /// The mean of the accuracies at the end of each task.
  public var average: Double?
  /// The accuracy at the last evaluation.
  public var last: Double?
  /// Forgetting at the end.
  public var forgetting: Double?

  /// Creates a summary.
  public init(level: Int, anytime: Double?, average: Double?, last: Double?, forgetting: Double?) {
    self.level = level
    self.anytime = anytime
    self.average = average
    self.last = last
    self.forgetting = forgetting
  }
}

/// The per-level metrics of HLE (Lee et al., ICCV 2023, after Koh et al., ICLR 2022 "Online Continual
/// Learning on Class Incremental Blurry Task Configuration with Anytime Inference"), from evaluation points.
///
/// With evaluation points i = 1…n at equal spacing, a_i the accuracy of the level at point i:
/// - A_auc = Σ_i a_i Δn / (n Δn) = (1/n) Σ_i a_i, the normalised area under the anytime accuracy curve;
/// - A_avg = (1/T) Σ_t a(end of task t), over the tasks whose end sees the level exposed;
/// - A_last = a_n;
/// - F_last = (1/|C|) Σ_{c∈C} max_{t<T} a_c(end of t) − a_c(end of T), over the classes c exposed before
///   the last task (Chaudhry et al., ECCV 2018); 0 when there are none.
public enum AnytimeMetrics {
  /// The metrics of 0-based level `level` from `points` (in stream order).
  public static func level(_ level: Int, points: [EvaluationPoint]) -> LevelMetrics {
    let curve = points.compactMap { $0.accuracy[level] }
    let ends = points.filter(\.isTaskEnd)
    let endAccuracies = ends.compactMap { $0.accuracy[level] }
    var forgetting: Double?
    if let final = ends.last {
      var drops: [Double] = []
      for (node, accuracy) in final.classAccuracy[level].sorted(by: { $0.key < $1.key }) {
        let before = ends.dropLast().compactMap { $0.classAccuracy[level][node] }
        if let best = before.max() { drops.append(best - accuracy) }
      }
      forgetting = drops.isEmpty ? 0 : drops.reduce(0, +) / Double(drops.count)
    }
    return LevelMetrics(
      level: level + 1,
      anytime: curve.isEmpty ? nil : curve.reduce(0, +) / Double(curve.count),
      average: endAccuracies.isEmpty ? nil : endAccuracies.reduce(0, +) / Double(endAccuracies.count),
      last: points.last?.accuracy[level],
      forgetting: forgetting)
  }
}
