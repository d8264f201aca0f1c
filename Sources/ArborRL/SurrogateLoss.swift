import ArborTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The clipped surrogate objective with dual clip, aggregated over paths × maximum depth, and the exact
/// per-node KL divergence to a reference policy (formulas in docs/rl.md).
public struct SurrogateLoss: Sendable, Equatable {
  /// Lower clip ε_low: ratios below 1 − ε_low stop contributing for negative advantages.
  public var epsilonLow: Double
  /// Upper clip ε_high: ratios above 1 + ε_high stop contributing for positive advantages.
  public var epsilonHigh: Double
  /// Dual clip c (Ye et al. 2020): for negative advantages the loss is at most −c·A; nil disables it.
  public var dualClip: Double?
  /// The KL weight β; 0 disables the KL term.
  public var klWeight: Double

  /// Creates the loss settings; the defaults are ε = 0.2, c = 3, β = 0.
  public init(
    epsilonLow: Double = 0.2, epsilonHigh: Double = 0.2, dualClip: Double? = 3, klWeight: Double = 0
  ) {
    self.epsilonLow = epsilonLow
    self.epsilonHigh = epsilonHigh
    self.dualClip = dualClip
    self.klWeight = klWeight
  }

  /// The per-decision loss −min(ρA, clip(ρ)A), bounded by −c·A for A < 0 (verl's dual-clip form), and
  /// whether it depends on ρ (otherwise its gradient is zero).
  public func decisionLoss(ratio: Double, advantage: Double) -> (loss: Double, isActive: Bool) {
    let clipped = min(max(ratio, 1 - epsilonLow), 1 + epsilonHigh)
    let unclippedLoss = -advantage * ratio
    let clippedLoss = -advantage * clipped
    var loss = max(unclippedLoss, clippedLoss)
    var active = unclippedLoss >= clippedLoss
    if advantage < 0, let dualClip, -dualClip * advantage < loss {
      loss = -dualClip * advantage
      active = false
    }
    return (loss, active && advantage != 0)
  }
}

/// Numbers logged at every training step.
public struct StepStatistics: Sendable, Equatable {
  /// Mean reward of the sampled paths.
  public var meanReward: Double = 0
  /// Share of groups whose rewards were all equal.
  public var zeroVarianceShare: Double = 0
  /// Mean entropy (nats) of the action distribution at the decisions of each level.
  public var entropyPerLevel: [Double] = []
  /// Smallest advantage of the batch.
  public var minimumAdvantage: Double = 0
  /// Largest advantage of the batch.
  public var maximumAdvantage: Double = 0
  /// Mean exact KL(π ‖ π_ref) per decision (0 when β = 0 and no reference is given).
  public var kl: Double = 0
  /// The loss value (surrogate + β·KL).
  public var loss: Double = 0
  /// Share of decisions whose ratio was clipped.
  public var clipFraction: Double = 0
  /// Number of paths sampled so far, this step included.
  public var sampledPaths = 0
  /// What stopped being a finite number, as a clause, when training has diverged (a named parameter
  /// after this step's update, or the policy's probabilities before it), or nil: stop, and lower the
  /// learning rate.
  public var divergence: String?

  /// Zero statistics.
  public init() {}
}

/// The decisions of a batch, flattened, with their queries deduplicated.
struct DecisionBatch {
  var queries: [PolicyQuery] = []
  var rowOfDecision: [Int] = []
  var actions: [Int] = []
  var levels: [Int] = []
  var oldLogProbabilities: [Float] = []
  var advantages: [Double] = []
  var decisionsPerQuery: [Int] = []
  var pathCount = 0

  init(groups: [[SampledPath]], advantages: [[[Double]]]) {
    var rowOf: [PolicyQuery: Int] = [:]
    for (context, group) in groups.enumerated() {
      for (i, path) in group.enumerated() {
        pathCount += 1
        for t in 0..<path.decisionCount {
          let query = PolicyQuery(context: context, node: path.nodes[t])
          let row: Int
          if let existing = rowOf[query] {
            row = existing
          } else {
            row = queries.count
            rowOf[query] = row
            queries.append(query)
            decisionsPerQuery.append(0)
          }
          decisionsPerQuery[row] += 1
          rowOfDecision.append(row)
          actions.append(path.actions[t])
          levels.append(t)
          oldLogProbabilities.append(path.logProbabilities[t])
          self.advantages.append(advantages[context][i][t])
        }
      }
    }
  }
}

extension TreePathPolicy {
  /// Records the loss of one update on `tape` and returns it with its statistics.
  ///
  /// L = (1 / (P·D)) Σ_decisions ℓ(ρ, A) + β·(1 / (P·D)) Σ_decisions KL(π(·|node) ‖ π_ref(·|node)), P the
  /// number of paths, D = `actionSpace.maximumDecisionCount`, so that every decision weighs the same
  /// whatever the depth of its path. `groups[c]` are the paths of `contexts[c]` with their sampling-time
  /// log-probabilities; `reference` is needed when `settings.klWeight > 0`.
  public func surrogateLoss(
    groups: [[SampledPath]], advantages: [[[Double]]], contexts: [Context], reference: Self?,
    settings: SurrogateLoss, on tape: Tape
  ) -> (loss: Variable, statistics: StepStatistics) {
    let batch = DecisionBatch(groups: groups, advantages: advantages)
    let width = actionSpace.maximumActionCount
    let normalizer = Double(max(batch.pathCount, 1) * actionSpace.maximumDecisionCount)
    let logProbabilities = logProbabilities(for: batch.queries, in: contexts, on: tape)
    let values = logProbabilities.value.storage
    let decisionCount = batch.actions.count

    var oneHot = [Float](repeating: 0, count: decisionCount * width)
    var coefficients = [Float](repeating: 0, count: decisionCount)
    var statistics = StepStatistics()
    var lossValue = 0.0
    var clipped = 0
    var levelEntropy: [Double] = []
    var levelCount: [Int] = []
    for d in 0..<decisionCount {
      let row = batch.rowOfDecision[d]
      oneHot[d * width + batch.actions[d]] = 1
      let logRatio = Double(values[row * width + batch.actions[d]]) - Double(batch.oldLogProbabilities[d])
      let ratio = exp(logRatio)
      let (loss, active) = settings.decisionLoss(ratio: ratio, advantage: batch.advantages[d])
      lossValue += loss / normalizer
      if active {
        coefficients[d] = Float(-batch.advantages[d] / normalizer)
      } else if batch.advantages[d] != 0 {
        clipped += 1
      }
      let level = batch.levels[d]
      while levelEntropy.count <= level {
        levelEntropy.append(0)
        levelCount.append(0)
      }
      var entropy = 0.0
      for a in 0..<actionSpace.actionCount(at: batch.queries[row].node) {
        let logP = Double(values[row * width + a])
        entropy -= exp(logP) * logP
      }
      levelEntropy[level] += entropy
      levelCount[level] += 1
    }
    statistics.entropyPerLevel = zip(levelEntropy, levelCount).map { $1 > 0 ? $0 / Double($1) : 0 }
    statistics.minimumAdvantage = batch.advantages.min() ?? 0
    statistics.maximumAdvantage = batch.advantages.max() ?? 0
    statistics.clipFraction = decisionCount > 0 ? Double(clipped) / Double(decisionCount) : 0

    let chosen =
      (logProbabilities.gatherRows(batch.rowOfDecision)
      * tape.constant(Tensor(shape: [decisionCount, width], storage: oneHot))).sum(axis: 1)
    let oldConstant = tape.constant(Tensor(shape: [decisionCount], storage: batch.oldLogProbabilities))
    var loss =
      ((chosen - oldConstant).exp()
      * tape.constant(Tensor(shape: [decisionCount], storage: coefficients))).sum()

    if let reference {
      let referenceValues = reference.distributions(for: batch.queries, in: contexts).storage
      var klSum = 0.0
      var rowWeights = [Float](repeating: 0, count: batch.queries.count)
      for (row, query) in batch.queries.enumerated() {
        var kl = 0.0
        for a in 0..<actionSpace.actionCount(at: query.node) {
          let logP = Double(values[row * width + a])
          kl += exp(logP) * (logP - Double(referenceValues[row * width + a]))
        }
        klSum += kl * Double(batch.decisionsPerQuery[row])
        rowWeights[row] = Float(settings.klWeight * Double(batch.decisionsPerQuery[row]) / normalizer)
      }
      statistics.kl = decisionCount > 0 ? klSum / Double(decisionCount) : 0
      if settings.klWeight > 0 {
        lossValue += settings.klWeight * klSum / normalizer
        let referenceConstant = tape.constant(
          Tensor(shape: [batch.queries.count, width], storage: referenceValues))
        let perRow = (logProbabilities.exp() * (logProbabilities - referenceConstant)).sum(axis: 1)
        loss =
          loss + (perRow * tape.constant(Tensor(shape: [batch.queries.count], storage: rowWeights))).sum()
      }
    }
    statistics.loss = lossValue
    return (loss, statistics)
  }
}
