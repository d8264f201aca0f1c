/// How the per-decision advantages of a batch of path groups are computed (formulas in docs/rl.md).
public enum AdvantageEstimator: String, Sendable, CaseIterable {
  /// (r − group mean) / scale, the same for every decision of a path (Shao et al. 2024, DeepSeekMath).
  case grpo
  /// r − mean of the other paths of the group (Kool et al. 2019; Ahmadian et al. 2024).
  case rloo
  /// GRPO plus the branch term (V(child prefix) − V(prefix)) / scale over the group's prefix tree
  /// (TEMPO, tree-structured credit assignment from prefix-to-tree values).
  case tempo
  /// Episode advantage plus ω × step advantage grouped by identical node (GiGPO, Feng et al. 2025).
  case nodeGrouped = "node-grouped"
  /// V(child prefix) − V(prefix) only (SPO-tree, Guo et al. 2025).
  case treeTD = "tree-td"
  /// V^π(next state) − V^π(node) with exact values by dynamic programming over the label tree.
  case exactValue = "exact-value"
}

/// The scale outcome advantages are divided by.
public enum RewardScaling: String, Sendable, CaseIterable {
  /// The sample standard deviation of the group's rewards (GRPO; TRL `scale_rewards="group"`).
  case group
  /// The sample standard deviation of all rewards of the batch (TRL `scale_rewards="batch"`).
  case batch
  /// No scaling (Dr. GRPO, Liu et al. 2025).
  case none
}

/// HICRA-style amplification A + α·|A| of selected decisions (Wang et al. 2025).
public struct Amplification: Sendable, Equatable {
  /// Which decisions are amplified.
  public enum Scope: Sendable, Equatable {
    /// Decisions made at tree depth below the given level (the root's decision is level 0).
    case upperLevels(Int)
    /// Decisions at prefixes where the group took at least two different actions.
    case branchingNodes
  }

  /// The amplification factor α (0.2 in HICRA).
  public var alpha: Double
  /// Which decisions are amplified.
  public var scope: Scope

  /// Creates an amplification.
  public init(alpha: Double = 0.2, scope: Scope) {
    self.alpha = alpha
    self.scope = scope
  }
}

/// Stratified normalisation of outcome advantages by a key of the path, blended with the global estimate
/// (Stratified GRPO, Zhu et al. 2025): A = λ·A_stratum + (1 − λ)·A_global.
public struct Stratification: Sendable, Equatable {
  /// The key paths are stratified by.
  public enum Key: Sendable, Equatable {
    /// The number of decisions on the path (its depth).
    case pathDepth
  }

  /// The stratum key.
  public var key: Key
  /// The weight λ of the stratified estimate.
  public var blend: Double

  /// Creates a stratification.
  public init(key: Key = .pathDepth, blend: Double = 0.5) {
    self.key = key
    self.blend = blend
  }
}

/// The settings of advantage estimation.
public struct AdvantageSettings: Sendable, Equatable {
  /// The estimator.
  public var estimator: AdvantageEstimator
  /// The scale of outcome advantages (grpo, tempo, node-grouped).
  public var scaling: RewardScaling
  /// Smallest scale divided by: `scale = max(std, floor)`; groups whose rewards are all equal give
  /// exact zeros whatever the floor.
  public var standardDeviationFloor: Double
  /// The weight ω of GiGPO's step advantage.
  public var stepWeight: Double
  /// Optional HICRA-style amplification.
  public var amplification: Amplification?
  /// Optional stratified normalisation.
  public var stratification: Stratification?

  /// Creates settings; the defaults are TEMPO with batch scaling.
  public init(
    estimator: AdvantageEstimator = .tempo, scaling: RewardScaling = .batch,
    standardDeviationFloor: Double = 1e-3, stepWeight: Double = 1,
    amplification: Amplification? = nil, stratification: Stratification? = nil
  ) {
    self.estimator = estimator
    self.scaling = scaling
    self.standardDeviationFloor = standardDeviationFloor
    self.stepWeight = stepWeight
    self.amplification = amplification
    self.stratification = stratification
  }
}

/// The paths sampled for one context and their rewards.
public struct PathGroup: Sendable {
  /// The group's paths.
  public var paths: [SampledPath]
  /// One reward per path.
  public var rewards: [Double]

  /// Creates a group.
  public init(paths: [SampledPath], rewards: [Double]) {
    precondition(paths.count == rewards.count, "PathGroup: one reward per path")
    self.paths = paths
    self.rewards = rewards
  }
}

/// Exact values of one context's states under the current policy (see `exactValues(for:reward:)`).
public struct ExactValueTable: Sendable {
  /// V^π(node): the expected reward of a path continued from `node`.
  public var nodeValues: [Double]
  /// The reward of stopping at each node (or of ending at a leaf).
  public var stopValues: [Double]
  /// The probability that a path from the root reaches each node.
  public var reachProbabilities: [Double]

  /// The value of a state.
  public func value(_ state: PathState) -> Double {
    switch state {
    case .node(let node): nodeValues[node]
    case .stopped(let node): stopValues[node]
    }
  }
}

/// Mean and sample standard deviation (n − 1) of `values`, two-pass in Double.
func meanAndStandardDeviation(_ values: some Collection<Double>) -> (mean: Double, std: Double) {
  guard !values.isEmpty else { return (0, 0) }
  let mean = values.reduce(0, +) / Double(values.count)
  guard values.count > 1 else { return (mean, 0) }
  var squares = 0.0
  for value in values { squares += (value - mean) * (value - mean) }
  return (mean, (squares / Double(values.count - 1)).squareRoot())
}

/// Whether all values are equal up to rounding (such groups carry no signal and give exact zeros).
func allEqual(_ values: some Collection<Double>) -> Bool {
  guard let first = values.first else { return true }
  let tolerance = 1e-12 * max(1, abs(first))
  return values.allSatisfy { abs($0 - first) <= tolerance }
}
