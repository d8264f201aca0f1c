/// How the learner uses the taxonomy.
public enum HierarchyUse: String, CaseIterable, Sendable {
  /// Only the stream label's own level is trained.
  case none
  /// A label also trains its ancestors' classes (the taxonomy is known).
  case known
  /// Coarser levels are trained with pseudo-labels: a new class is placed under the coarser class the model
  /// predicts for its first samples, and its samples' coarser labels follow that placement (PL-FMS).
  case inferred
}

/// How per-level scores become a prediction.
public enum PredictionDecoding: String, CaseIterable, Sendable {
  /// Each level's best class on its own (paths may be invalid).
  case argmax
  /// The best valid path by summed per-level log-probabilities.
  case path
}

/// The continual-learning methods of the harness.
public enum ContinualMethod: String, CaseIterable, Sendable {
  /// Fine-tuning without memory.
  case finetune
  /// Experience replay with a reservoir memory.
  case er
  /// Experience replay and the known hierarchy.
  case erHier = "er-hier"
  /// Experience replay, the known hierarchy and a level- and class-balanced memory.
  case erHierBalanced = "er-hier-lb"
  /// EWC++ (Chaudhry et al., ECCV 2018) on top of experience replay.
  case ewc
  /// PL-FMS (Lee et al., ICCV 2023): pseudo-labels, importance-managed balanced memory, flexible sampling.
  case plFMS = "pl-fms"
  /// Arbor's method: streaming class means and covariance with the known hierarchy, valid paths.
  case arbor
  /// Offline training on the whole stream, 3 epochs (the upper reference).
  case joint
}

/// Every setting of the online learner.
public struct LearnerConfiguration: Sendable {
  /// Use of the taxonomy.
  public var hierarchy: HierarchyUse = .none
  /// Rehearsal memory policy.
  public var memory: MemoryPolicy = .none
  /// Rehearsal memory budget, in samples.
  public var memorySize = 2000
  /// Stream samples per batch; one update per batch.
  public var streamBatch = 16
  /// Memory samples added to each update (flexible sampling fills up to streamBatch + memoryBatch).
  public var memoryBatch = 16
  /// PL-FMS's flexible memory sampling: a new class's stream samples enter updates gradually.
  public var flexibleSampling = false
  /// Updates between importance refreshes of the memory.
  public var importancePeriod = 16
  /// EWC++ regularisation strength; 0 disables it.
  public var ewcStrength: Float = 0
  /// EWC++ moving-average weight of the newest Fisher estimate.
  public var ewcDecay: Float = 0.5
  /// Weight of the linear heads' log-probabilities in the per-level scores.
  public var headWeight: Float = 1
  /// Weight of the class-mean (streaming LDA) log-probabilities; 0 disables the class means.
  public var prototypeWeight: Float = 0
  /// Covariance shrinkage of the class means.
  public var shrinkage = 0.01
  /// Weight of the log class prior in the class-mean scores.
  public var priorWeight = 1.0
  /// Prediction decoding.
  public var decoding: PredictionDecoding = .argmax
  /// Adam's settings.
  public var optimizer = AdamSettings()

  /// Defaults: fine-tuning without memory.
  public init() {}

  /// The settings of a named method (joint trains like er-hier without memory, offline).
  public static func method(_ method: ContinualMethod, memorySize: Int = 2000) -> LearnerConfiguration {
    var c = LearnerConfiguration()
    c.memorySize = memorySize
    switch method {
    case .finetune: break
    case .er: c.memory = .reservoir
    case .erHier:
      c.memory = .reservoir
      c.hierarchy = .known
    case .erHierBalanced:
      c.memory = .balanced
      c.hierarchy = .known
    case .ewc:
      c.memory = .reservoir
      c.ewcStrength = 100
    case .plFMS:
      c.memory = .importance
      c.hierarchy = .inferred
      c.flexibleSampling = true
    case .arbor:
      c.hierarchy = .known
      c.headWeight = 0
      c.prototypeWeight = 1
      c.decoding = .path
    case .joint:
      c.hierarchy = .known
    }
    return c
  }
}
