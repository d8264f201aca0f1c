extension AdvantageSettings {
  /// One advantage per decision: `result[group][path][decision]`.
  ///
  /// `exactValues` (one table per group) is required by ``AdvantageEstimator/exactValue`` and ignored by
  /// the other estimators. Formulas and citations: docs/rl.md.
  public func advantages(for groups: [PathGroup], exactValues: [ExactValueTable]? = nil) -> [[[Double]]] {
    let outcome = outcomeAdvantages(for: groups)
    var result: [[[Double]]] = []
    result.reserveCapacity(groups.count)
    for (g, group) in groups.enumerated() {
      let tree = PrefixTree(group)
      var perPath: [[Double]] = []
      for (i, path) in group.paths.enumerated() {
        var decisions = [Double](repeating: 0, count: path.decisionCount)
        for t in 0..<path.decisionCount {
          let before = tree.prefixes[i][t]
          let after = tree.prefixes[i][t + 1]
          switch estimator {
          case .grpo:
            decisions[t] = outcome.advantages[g][i]
          case .rloo:
            decisions[t] = outcome.leaveOneOut[g][i]
          case .tempo:
            decisions[t] =
              outcome.advantages[g][i] + (tree.value(after) - tree.value(before)) / outcome.scales[g]
          case .treeTD:
            decisions[t] = tree.value(after) - tree.value(before)
          case .nodeGrouped:
            decisions[t] = outcome.advantages[g][i]
          case .exactValue:
            guard let table = exactValues?[g] else {
              preconditionFailure("exact-value advantages need one ExactValueTable per group")
            }
            decisions[t] = table.value(path.state(after: t)) - table.nodeValues[path.nodes[t]]
          }
        }
        perPath.append(decisions)
      }
      if estimator == .nodeGrouped { addStepAdvantages(group, to: &perPath) }
      if let stratification, estimator != .treeTD, estimator != .exactValue {
        let stratified = stratifiedAdvantages(group, key: stratification.key)
        for i in group.paths.indices {
          let shift = stratification.blend * (stratified[i] - outcome.advantages[g][i])
          for t in perPath[i].indices { perPath[i][t] += shift }
        }
      }
      if let amplification {
        for (i, path) in group.paths.enumerated() {
          for t in 0..<path.decisionCount {
            let selected: Bool
            switch amplification.scope {
            case .upperLevels(let levels): selected = t < levels
            case .branchingNodes: selected = tree.isBranching(tree.prefixes[i][t])
            }
            if selected { perPath[i][t] += amplification.alpha * abs(perPath[i][t]) }
          }
        }
      }
      result.append(perPath)
    }
    return result
  }

  /// GRPO outcome advantages (r − group mean)/scale, the scale of each group, and RLOO advantages.
  func outcomeAdvantages(for groups: [PathGroup]) -> (
    advantages: [[Double]], scales: [Double], leaveOneOut: [[Double]]
  ) {
    let batchScale = max(
      meanAndStandardDeviation(groups.flatMap(\.rewards)).std, standardDeviationFloor)
    var advantages: [[Double]] = []
    var scales: [Double] = []
    var leaveOneOut: [[Double]] = []
    for group in groups {
      let (mean, std) = meanAndStandardDeviation(group.rewards)
      let scale: Double
      switch scaling {
      case .group: scale = max(std, standardDeviationFloor)
      case .batch: scale = batchScale
      case .none: scale = 1
      }
      scales.append(scale)
      let n = Double(group.rewards.count)
      if allEqual(group.rewards) {
        advantages.append([Double](repeating: 0, count: group.rewards.count))
        leaveOneOut.append([Double](repeating: 0, count: group.rewards.count))
      } else {
        advantages.append(group.rewards.map { ($0 - mean) / scale })
        // r_i − (Σ_j r_j − r_i)/(n − 1) = n/(n − 1)·(r_i − mean)
        leaveOneOut.append(group.rewards.map { n / (n - 1) * ($0 - mean) })
      }
    }
    return (advantages, scales, leaveOneOut)
  }

  /// Adds GiGPO's ω·(r_i − mean_S)/scale_S, S the decisions of the group made at the same node.
  func addStepAdvantages(_ group: PathGroup, to advantages: inout [[Double]]) {
    var members: [Int: [(path: Int, decision: Int)]] = [:]
    for (i, path) in group.paths.enumerated() {
      for t in 0..<path.decisionCount { members[path.nodes[t], default: []].append((i, t)) }
    }
    for (_, stepGroup) in members where stepGroup.count > 1 {
      let returns = stepGroup.map { group.rewards[$0.path] }
      if allEqual(returns) { continue }
      let (mean, std) = meanAndStandardDeviation(returns)
      let scale = scaling == .none ? 1 : max(std, standardDeviationFloor)
      for (member, value) in zip(stepGroup, returns) {
        advantages[member.path][member.decision] += stepWeight * (value - mean) / scale
      }
    }
  }

  /// Outcome advantages normalised within each stratum of the group.
  func stratifiedAdvantages(_ group: PathGroup, key: Stratification.Key) -> [Double] {
    var strata: [Int: [Int]] = [:]
    for (i, path) in group.paths.enumerated() {
      switch key {
      case .pathDepth: strata[path.decisionCount, default: []].append(i)
      }
    }
    var result = [Double](repeating: 0, count: group.paths.count)
    for (_, members) in strata where members.count > 1 {
      let rewards = members.map { group.rewards[$0] }
      if allEqual(rewards) { continue }
      let (mean, std) = meanAndStandardDeviation(rewards)
      let scale = scaling == .none ? 1 : max(std, standardDeviationFloor)
      for i in members { result[i] = (group.rewards[i] - mean) / scale }
    }
    return result
  }

  /// Share of groups whose rewards are all equal (no outcome signal).
  public static func zeroVarianceShare(of groups: [PathGroup]) -> Double {
    guard !groups.isEmpty else { return 0 }
    return Double(groups.filter { allEqual($0.rewards) }.count) / Double(groups.count)
  }
}

/// PURE's min-form credit assignment (Cheng et al. 2025): the return of step t is the minimum of the
/// process rewards from t on, R_t = min_{k ≥ t} r_k, instead of their sum.
public func minFormReturns(_ processRewards: [Double]) -> [Double] {
  var returns = processRewards
  var running = Double.infinity
  for t in returns.indices.reversed() {
    running = min(running, processRewards[t])
    returns[t] = running
  }
  return returns
}

/// Advantages from per-level process rewards with min-form returns: for each group and decision level t,
/// (R_{i,t} − mean_j R_{j,t}) / scale over the group's paths that reach level t.
/// `processRewards[group][path][decision]`.
public func minFormAdvantages(
  _ processRewards: [[[Double]]], scaling: RewardScaling = .group, standardDeviationFloor: Double = 1e-3
) -> [[[Double]]] {
  processRewards.map { group in
    let returns = group.map(minFormReturns)
    var result = returns.map { [Double](repeating: 0, count: $0.count) }
    let levels = returns.map(\.count).max() ?? 0
    for t in 0..<levels {
      let members = returns.indices.filter { returns[$0].count > t }
      let values = members.map { returns[$0][t] }
      guard values.count > 1, !allEqual(values) else { continue }
      let (mean, std) = meanAndStandardDeviation(values)
      let scale = scaling == .none ? 1 : max(std, standardDeviationFloor)
      for (i, value) in zip(members, values) { result[i][t] = (value - mean) / scale }
    }
    return result
  }
}
