import ArborRL
import ArborTensor
import ArborTree
import Testing

@Suite struct TrainerTests {
  let taxonomy: Taxonomy
  init() throws { taxonomy = try twoLevelTaxonomy() }

  @Test func rewardsFromArborMetrics() throws {
    let a = taxonomy.index(of: "A")!
    let a1 = taxonomy.index(of: "A1")!
    let a2 = taxonomy.index(of: "A2")!
    func reward(_ text: String, _ predicted: [Int], _ gold: [Int]) throws -> Double {
      var function = PathReward(taxonomy: taxonomy, terms: try PathReward.parseTerms(text).get())
      return function.reward(predicted: predicted, gold: gold)
    }
    // Closed sets {A, A1} and {A, A2}: hP = hR = 1/2.
    #expect(try reward("hf1", [a, a1], [a, a2]) == 0.5)
    #expect(try reward("exact", [a, a1], [a, a2]) == 0)
    #expect(try reward("exact", [a, a1], [a1]) == 1)
    // Wu & Palmer with the root at depth 1: 2·2/(3 + 3).
    #expect(isClose(try reward("wup", [a, a1], [a2]), 4.0 / 6))
    #expect(try reward("0.5*hf1 + 0.5*exact", [a, a1], [a, a1]) == 1)
    #expect(try reward("0.5*hf1+0.5*exact", [a, a1], [a, a2]) == 0.25)
    // P-metric: a complete correct path, no dangling labels: γ = 1, F1 = 1.
    #expect(try reward("pmetric", [a, a1], [a1]) == 1)
    #expect(throws: RewardParseError.self) { try PathReward.parseTerms("hf2").get() }
    #expect(throws: RewardParseError.self) { try PathReward.parseTerms("x*exact").get() }
  }

  /// Four contexts with one-hot features, each gold at a different leaf.
  func problem() -> (contexts: [[Float]], golds: [[Int]]) {
    let leaves = ["A1", "A2", "B1", "B2"].map { taxonomy.index(of: $0)! }
    let contexts = (0..<4).map { i in (0..<4).map { Float($0 == i ? 1 : 0) } }
    return (contexts, leaves.map { [$0] })
  }

  @Test func divergedPolicyIsReportedNotSampled() {
    var generator = RandomGenerator(seed: 1)
    var policy = LinearTreePolicy(
      actionSpace: TreeActionSpace(taxonomy: taxonomy), featureCount: 4, using: &generator)
    let (contexts, golds) = problem()
    var reward = PathReward(taxonomy: taxonomy, terms: [(.hf1, 1)])
    let settings = TrainingSettings(groupSize: 4, advantages: AdvantageSettings(estimator: .tempo))
    var healthy = PolicyTrainer(
      policy: policy, optimizer: AdamW(learningRate: 0.1, weightDecay: 0), settings: settings, seed: 1)
    #expect(healthy.step(contexts: contexts, golds: golds, reward: &reward).divergence == nil)
    // Weights of Float's largest magnitude overflow the logits: probabilities become NaN.
    for id in policy.parameters.ids {
      var value = policy.parameters[id]
      for i in value.storage.indices { value.storage[i] = i % 2 == 0 ? 3e38 : -3e38 }
      policy.parameters[id] = value
    }
    #expect(policy.parameters.firstNonFiniteName == nil)
    var trainer = PolicyTrainer(
      policy: policy, optimizer: AdamW(learningRate: 0.1, weightDecay: 0), settings: settings, seed: 1)
    let statistics = trainer.step(contexts: contexts, golds: golds, reward: &reward)
    #expect(statistics.divergence == "the policy's probabilities are no longer finite numbers")
    #expect(trainer.sampledPaths == 0)
    // A NaN weight is named.
    var value = policy.parameters[policy.parameters.ids[0]]
    value.storage[0] = .nan
    policy.parameters[policy.parameters.ids[0]] = value
    #expect(policy.parameters.firstNonFiniteName == policy.parameters.names[0])
  }

  func train(_ estimator: AdvantageEstimator, steps: Int, seed: UInt64) -> (
    LinearTreePolicy, [StepStatistics]
  ) {
    var generator = RandomGenerator(seed: seed)
    let policy = LinearTreePolicy(
      actionSpace: TreeActionSpace(taxonomy: taxonomy), featureCount: 4, using: &generator)
    var trainer = PolicyTrainer(
      policy: policy, optimizer: AdamW(learningRate: 0.1, weightDecay: 0),
      settings: TrainingSettings(
        groupSize: 4, advantages: AdvantageSettings(estimator: estimator),
        loss: SurrogateLoss(klWeight: 0.01)),
      seed: seed)
    var reward = PathReward(taxonomy: taxonomy, terms: [(.hf1, 1)])
    let (contexts, golds) = problem()
    var log: [StepStatistics] = []
    for _ in 0..<steps { log.append(trainer.step(contexts: contexts, golds: golds, reward: &reward)) }
    return (trainer.policy, log)
  }

  @Test func trainingLearnsAndIsDeterministic() {
    let (contexts, golds) = problem()
    for estimator in AdvantageEstimator.allCases {
      let (policy, log) = train(estimator, steps: 60, seed: 7)
      var reward = PathReward(taxonomy: taxonomy, terms: [(.hf1, 1)])
      let evaluation = policy.evaluate(contexts: contexts, golds: golds, reward: &reward)
      #expect(evaluation.exactPathAccuracy == 1, "\(estimator)")
      #expect(log.last!.meanReward > log.first!.meanReward, "\(estimator)")
      #expect(log.allSatisfy { $0.kl >= 0 && $0.loss.isFinite })
      #expect(log.last!.sampledPaths == 60 * 16)
    }
    let first = train(.tempo, steps: 10, seed: 5).0.parameters.values
    let second = train(.tempo, steps: 10, seed: 5).0.parameters.values
    #expect(first == second)
    #expect(first != train(.tempo, steps: 10, seed: 6).0.parameters.values)
  }
}
