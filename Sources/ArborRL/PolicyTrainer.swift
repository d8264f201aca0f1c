import ArborTensor

/// Settings of GRPO-family training.
public struct TrainingSettings: Sendable, Equatable {
  /// Paths sampled per context (the group size G).
  public var groupSize: Int
  /// How advantages are computed.
  public var advantages: AdvantageSettings
  /// The clipped surrogate and KL weight.
  public var loss: SurrogateLoss
  /// Gradient updates per sampled batch (1: on-policy, ratio 1).
  public var updatesPerBatch: Int
  /// Global gradient-norm clip (nil: none).
  public var gradientClip: Float?

  /// Creates settings: G = 8, TEMPO with batch scaling, ε = 0.2, c = 3, β = 0, one update, clip 1.
  public init(
    groupSize: Int = 8, advantages: AdvantageSettings = AdvantageSettings(),
    loss: SurrogateLoss = SurrogateLoss(), updatesPerBatch: Int = 1, gradientClip: Float? = 1
  ) {
    self.groupSize = groupSize
    self.advantages = advantages
    self.loss = loss
    self.updatesPerBatch = updatesPerBatch
    self.gradientClip = gradientClip
  }
}

/// Trains a ``TreePathPolicy`` on path rewards: sample groups, score, estimate advantages, update.
public struct PolicyTrainer<Policy: TreePathPolicy> {
  /// The policy being trained.
  public var policy: Policy
  /// The frozen reference policy of the KL term (the policy as it was when training started).
  public let reference: Policy
  /// The optimizer.
  public var optimizer: AdamW
  /// The training settings.
  public var settings: TrainingSettings
  /// The generator every sampling decision draws from.
  public var generator: RandomGenerator
  /// Paths sampled so far.
  public private(set) var sampledPaths = 0

  /// A trainer starting from `policy`, which also becomes the frozen reference.
  public init(policy: Policy, optimizer: AdamW, settings: TrainingSettings, seed: UInt64) {
    self.policy = policy
    reference = policy.frozenCopy()
    self.optimizer = optimizer
    self.settings = settings
    generator = RandomGenerator(seed: seed)
  }

  /// The first policy parameter that is no longer a finite number, as a clause for
  /// ``StepStatistics/divergence``, or nil.
  var parameterDivergence: String? {
    policy.parameters.firstNonFiniteName.map { "parameter '\($0)' is no longer a finite number" }
  }

  /// One training step on a batch: `golds[c]` are the gold labels of `contexts[c]`.
  public mutating func step(
    contexts: [Policy.Context], golds: [[Int]], reward: inout some PathRewardFunction
  ) -> StepStatistics {
    guard
      let groupsOfPaths = policy.sampledPathsIfFinite(
        for: contexts, count: settings.groupSize, using: &generator)
    else {
      var statistics = StepStatistics()
      statistics.divergence = parameterDivergence ?? "the policy's probabilities are no longer finite numbers"
      statistics.sampledPaths = sampledPaths
      return statistics
    }
    sampledPaths += contexts.count * settings.groupSize
    var groups: [PathGroup] = []
    var rewardSum = 0.0
    for (context, paths) in groupsOfPaths.enumerated() {
      let rewards = paths.map { reward.reward(predicted: Array($0.labels), gold: golds[context]) }
      rewardSum += rewards.reduce(0, +)
      groups.append(PathGroup(paths: paths, rewards: rewards))
    }
    var exactValues: [ExactValueTable]?
    if settings.advantages.estimator == .exactValue {
      exactValues = policy.exactValues(for: contexts) { context, labels in
        reward.reward(predicted: labels, gold: golds[context])
      }
    }
    let advantages = settings.advantages.advantages(for: groups, exactValues: exactValues)
    var statistics = StepStatistics()
    for _ in 0..<max(settings.updatesPerBatch, 1) {
      let tape = Tape()
      let (loss, updateStatistics) = policy.surrogateLoss(
        groups: groupsOfPaths, advantages: advantages, contexts: contexts,
        reference: settings.loss.klWeight > 0 ? reference : nil, settings: settings.loss, on: tape)
      if statistics.entropyPerLevel.isEmpty { statistics = updateStatistics }
      tape.backward(loss)
      var gradients = tape.gradients(for: policy.parameters)
      if let clip = settings.gradientClip { gradients.clipByGlobalNorm(clip) }
      optimizer.update(&policy.parameters, with: gradients)
    }
    statistics.meanReward = rewardSum / Double(max(contexts.count * settings.groupSize, 1))
    statistics.zeroVarianceShare = AdvantageSettings.zeroVarianceShare(of: groups)
    statistics.sampledPaths = sampledPaths
    statistics.divergence = parameterDivergence
    return statistics
  }
}

/// Greedy-decoding scores of a policy on labelled contexts.
public struct PolicyEvaluation: Sendable, Equatable {
  /// Mean reward of the greedy paths.
  public var meanReward: Double
  /// Share of contexts whose greedy path ends exactly at the gold path (closed sets equal).
  public var exactPathAccuracy: Double

  /// An evaluation made elsewhere (e.g. by a model's own decoder).
  public init(meanReward: Double, exactPathAccuracy: Double) {
    self.meanReward = meanReward
    self.exactPathAccuracy = exactPathAccuracy
  }
}

extension TreePathPolicy {
  /// Decodes every context greedily and scores it; contexts are processed in chunks of `batchSize`.
  public func evaluate(
    contexts: [Context], golds: [[Int]], reward: inout some PathRewardFunction, batchSize: Int = 256
  ) -> PolicyEvaluation {
    var exact = PathReward(taxonomy: actionSpace.taxonomy, terms: [(.exact, 1)])
    var rewardSum = 0.0
    var exactSum = 0.0
    var start = 0
    while start < contexts.count {
      let end = min(start + batchSize, contexts.count)
      let paths = greedyPaths(for: Array(contexts[start..<end]))
      for (offset, path) in paths.enumerated() {
        let labels = Array(path.labels)
        rewardSum += reward.reward(predicted: labels, gold: golds[start + offset])
        exactSum += exact.reward(predicted: labels, gold: golds[start + offset])
      }
      start = end
    }
    let n = Double(max(contexts.count, 1))
    return PolicyEvaluation(meanReward: rewardSum / n, exactPathAccuracy: exactSum / n)
  }
}
