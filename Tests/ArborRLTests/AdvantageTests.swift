import ArborRL
import ArborTree
import Testing

/// Hand-computed references for the group
///   P0 = r→A→A1 (reward 1), P1 = r→A→A2 (0.5), P2 = r→B→B1 (0), P3 = r→A→A1 (1)
/// mean 0.625, sample std √(0.6875/3) = 0.4787136; prefix values V(r) = 0.625, V(A) = 2.5/3,
/// V(B) = 0, V(A1) = 1, V(A2) = 0.5, V(B1) = 0.
@Suite struct AdvantageTests {
  let space: TreeActionSpace
  let group: PathGroup
  let groupStd = (0.6875 / 3).squareRoot()

  init() throws {
    space = TreeActionSpace(taxonomy: try twoLevelTaxonomy())
    group = PathGroup(
      paths: [
        path(["A", "A1"], in: space), path(["A", "A2"], in: space),
        path(["B", "B1"], in: space), path(["A", "A1"], in: space),
      ],
      rewards: [1, 0.5, 0, 1])
  }

  func advantages(_ estimator: AdvantageEstimator, _ scaling: RewardScaling = .none) -> [[Double]] {
    AdvantageSettings(estimator: estimator, scaling: scaling).advantages(for: [group])[0]
  }

  @Test func grpoScalings() {
    let none = advantages(.grpo, .none)
    #expect(none.map { $0 } == [[0.375, 0.375], [-0.125, -0.125], [-0.625, -0.625], [0.375, 0.375]])
    let scaled = advantages(.grpo, .group)
    #expect(isClose(scaled[0][0], 0.375 / groupStd))
    #expect(isClose(scaled[2][1], -0.625 / groupStd))
    // Batch scaling: the std of all 8 rewards of this group and an all-ones group, √(0.96875/7).
    let batch = AdvantageSettings(estimator: .grpo, scaling: .batch).advantages(
      for: [group, PathGroup(paths: group.paths, rewards: [1, 1, 1, 1])])
    #expect(isClose(batch[0][0][0], 0.375 / (0.96875 / 7).squareRoot()))
    #expect(batch[1].allSatisfy { $0 == [0, 0] })
  }

  @Test func tempoHandValuesAndTelescoping() {
    let tempo = advantages(.tempo)
    let expected: [[Double]] = [
      [0.375 + (2.5 / 3 - 0.625), 0.375 + (1 - 2.5 / 3)],
      [-0.125 + (2.5 / 3 - 0.625), -0.125 + (0.5 - 2.5 / 3)],
      [-0.625 + (0 - 0.625), -0.625 + 0],
      [0.375 + (2.5 / 3 - 0.625), 0.375 + (1 - 2.5 / 3)],
    ]
    for (row, want) in zip(tempo, expected) {
      for (value, reference) in zip(row, want) { #expect(isClose(value, reference)) }
    }
    // The per-level terms (TEMPO − GRPO) sum along each path to the GRPO advantage, for every scaling.
    for scaling in RewardScaling.allCases {
      let grpo = advantages(.grpo, scaling)
      let tempo = advantages(.tempo, scaling)
      for i in 0..<4 {
        let terms = zip(tempo[i], grpo[i]).map { $0 - $1 }
        #expect(isClose(terms.reduce(0, +), grpo[i][0]), "path \(i), \(scaling)")
      }
    }
  }

  @Test func tempoTermIsZeroAtNonBranchingNodes() {
    // B has one sampled continuation (B1): P2's decision at B gets no extra term.
    let tempo = advantages(.tempo, .group)
    let grpo = advantages(.grpo, .group)
    #expect(tempo[2][1] == grpo[2][1])
    // A group that never branches at the root: the root decision's term is zero for everyone.
    let allA = PathGroup(paths: [group.paths[0], group.paths[1]], rewards: [1, 0])
    let result = AdvantageSettings(estimator: .tempo, scaling: .none).advantages(for: [allA])[0]
    #expect(result[0][0] == 0.5 && result[1][0] == -0.5)
    #expect(result[0][1] == 1 && result[1][1] == -1)
  }

  @Test func treeTDAndRLOO() {
    let td = advantages(.treeTD)
    #expect(isClose(td[2][0], -0.625) && td[2][1] == 0)
    #expect(isClose(td[1][0], 2.5 / 3 - 0.625) && isClose(td[1][1], 0.5 - 2.5 / 3))
    let rloo = advantages(.rloo)
    #expect(isClose(rloo[0][0], 1 - 1.5 / 3) && isClose(rloo[2][1], 0 - 2.5 / 3))
  }

  @Test func nodeGroupedStepAdvantages() {
    let gigpo = advantages(.nodeGrouped, .group)
    let episode = [0.375, -0.125, -0.625, 0.375].map { $0 / groupStd }
    // Root: all four paths, returns = rewards, so the step advantage equals the episode advantage.
    #expect(isClose(gigpo[0][0], 2 * episode[0]))
    // Node A: P0, P1, P3 with returns 1, 0.5, 1: mean 2.5/3, sample std √(1/12).
    #expect(isClose(gigpo[0][1], episode[0] + (1 - 2.5 / 3) / (1.0 / 12).squareRoot()))
    #expect(isClose(gigpo[1][1], episode[1] + (0.5 - 2.5 / 3) / (1.0 / 12).squareRoot()))
    // Node B is a singleton step group: zero step advantage.
    #expect(gigpo[2][1] == episode[2])
  }

  @Test func allEqualGroupsGiveZerosNeverNaN() {
    let rewardSets: [[Double]] = [
      [1, 1, 1, 1], [0, 0, 0, 0], [0.95, 0.95, 0.95, 0.95], [2.0 / 3, 1 - 1.0 / 3, 2.0 / 3, 2.0 / 3],
    ]
    #expect(2.0 / 3 != 1 - 1.0 / 3)  // the last set differs by rounding only
    for rewards in rewardSets {
      let equal = PathGroup(paths: group.paths, rewards: rewards)
      for estimator in AdvantageEstimator.allCases where estimator != .exactValue {
        for scaling in RewardScaling.allCases {
          let result = AdvantageSettings(estimator: estimator, scaling: scaling).advantages(for: [equal])
          for row in result[0] {
            for value in row {
              #expect(value.isFinite && abs(value) < 1e-9, "\(estimator) \(scaling) \(rewards)")
            }
          }
        }
      }
    }
    // A group of one path.
    let single = PathGroup(paths: [group.paths[0]], rewards: [0.7])
    for estimator in AdvantageEstimator.allCases where estimator != .exactValue {
      let result = AdvantageSettings(estimator: estimator, scaling: .group).advantages(for: [single])
      #expect(result[0][0] == [0, 0])
    }
  }

  @Test func nearlyConstantRewardsGiveFiniteAdvantages() {
    // [0, 0.95 × 7]: mean 0.83125, sample std √((0.83125² + 7·0.11875²)/7) = 0.3358757.
    let paths = (0..<8).map { _ in group.paths[0] }
    let skewed = PathGroup(paths: paths, rewards: [0] + [Double](repeating: 0.95, count: 7))
    let std = ((0.83125 * 0.83125 + 7 * 0.11875 * 0.11875) / 7).squareRoot()
    for estimator in AdvantageEstimator.allCases where estimator != .exactValue {
      for scaling in RewardScaling.allCases {
        let result = AdvantageSettings(estimator: estimator, scaling: scaling).advantages(for: [skewed])
        #expect(result[0].allSatisfy { $0.allSatisfy { $0.isFinite && abs($0) < 10 } })
      }
    }
    let grpo = AdvantageSettings(estimator: .grpo, scaling: .group).advantages(for: [skewed])[0]
    #expect(isClose(grpo[0][0], -0.83125 / std, 1e-12))
    #expect(isClose(grpo[1][0], 0.11875 / std, 1e-12))
  }

  @Test func hicraAmplification() {
    var settings = AdvantageSettings(estimator: .grpo, scaling: .none)
    settings.amplification = Amplification(alpha: 0.2, scope: .upperLevels(1))
    let upper = settings.advantages(for: [group])[0]
    #expect(isClose(upper[0][0], 0.375 * 1.2) && upper[0][1] == 0.375)
    #expect(isClose(upper[2][0], -0.625 + 0.2 * 0.625) && upper[2][1] == -0.625)
    settings.amplification = Amplification(alpha: 0.2, scope: .branchingNodes)
    let branching = settings.advantages(for: [group])[0]
    // Root and A branch; B does not (only B1 was taken).
    #expect(isClose(branching[0][1], 0.375 * 1.2) && isClose(branching[2][0], -0.5))
    #expect(branching[2][1] == -0.625)
  }

  @Test func stratifiedNormalisationByPathDepth() throws {
    // r → {A, B}, A → {A1, A2}, B a leaf: paths of depth 2 and 1.
    var builder = TaxonomyBuilder()
    for id in ["r", "A", "B", "A1", "A2"] { builder.addNode(TaxonomyNode(id: id)) }
    for (p, c) in [("r", "A"), ("r", "B"), ("A", "A1"), ("A", "A2")] { builder.addEdge(parent: p, child: c) }
    let space = TreeActionSpace(taxonomy: try builder.build())
    let mixed = PathGroup(
      paths: [
        path(["A", "A1"], in: space), path(["A", "A2"], in: space), path(["B"], in: space),
        path(["B"], in: space),
      ],
      rewards: [1, 0, 1, 0.5])
    var settings = AdvantageSettings(estimator: .grpo, scaling: .group)
    settings.stratification = Stratification(key: .pathDepth, blend: 0.5)
    let result = settings.advantages(for: [mixed])[0]
    // Strata {1, 0} and {1, 0.5} each normalise to ±1/√2; global: (r − 0.625)/0.4787136.
    let global = [0.375, -0.625, 0.375, -0.125].map { $0 / groupStd }
    let strata = [1, -1, 1, -1].map { $0 / 2.0.squareRoot() }
    for i in 0..<4 { #expect(isClose(result[i][0], 0.5 * strata[i] + 0.5 * global[i])) }
    #expect(result[2].count == 1)
  }

  @Test func pureMinFormReturns() {
    #expect(minFormReturns([0.5, 0.2, 0.9]) == [0.2, 0.2, 0.9])
    #expect(minFormReturns([1, 1, 0]) == [0, 0, 0])
    // Two paths, levels with returns [0.2, 0.2, 0.9] and [0.5, 0.7, 0.7]: level-wise ± spreads.
    let result = minFormAdvantages([[[0.5, 0.2, 0.9], [0.5, 0.7, 0.7]]], scaling: .none)[0]
    #expect(isClose(result[0][0], -0.15) && isClose(result[1][0], 0.15))
    #expect(isClose(result[0][1], -0.25) && isClose(result[0][2], 0.1))
  }
}
