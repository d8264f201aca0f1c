import ArborRL
import ArborTensor
import ArborTree
import Foundation
import Testing

@Suite struct PolicyTests {
  let taxonomy: Taxonomy
  init() throws { taxonomy = try twoLevelTaxonomy() }

  func id(_ name: String) -> Int { taxonomy.index(of: name)! }

  func randomPolicy(_ stopping: TreeActionSpace.Stopping, seed: UInt64 = 3) -> LinearTreePolicy {
    var generator = RandomGenerator(seed: seed)
    var policy = LinearTreePolicy(
      actionSpace: TreeActionSpace(taxonomy: taxonomy, stopping: stopping), featureCount: 3, scale: 0.8,
      using: &generator)
    let bias = policy.parameters.id(named: "bias")!
    policy.parameters[bias] = Tensor.randomNormal(
      shape: policy.parameters[bias].shape, standardDeviation: 0.5, using: &generator)
    return policy
  }

  /// Every terminal (node, stopped) with its probability, by multiplying probabilities along each path.
  func enumerate(_ policy: LinearTreePolicy, context: [Float], from start: Int) -> [(Int, Double)] {
    let space = policy.actionSpace
    var result: [(Int, Double)] = []
    func walk(_ node: Int, _ probability: Double) {
      if space.isLeaf(node) {
        result.append((node, probability))
        return
      }
      let row = policy.distributions(for: [PolicyQuery(context: 0, node: node)], in: [context]).storage
      for action in 0..<space.actionCount(at: node) {
        let p = probability * Double(exp(row[action]))
        if let child = space.target(of: action, at: node) { walk(child, p) } else { result.append((node, p)) }
      }
    }
    walk(start, 1)
    return result
  }

  @Test func exactValuesMatchBruteForceAndCenterAtEveryNode() {
    let values: [String: Double] = ["A": 0.3, "B": 0.1, "A1": 1, "A2": 0.2, "B1": 0.6, "B2": 0]
    for stopping in TreeActionSpace.Stopping.allCases {
      let policy = randomPolicy(stopping)
      let context: [Float] = [0.5, -1, 2]
      var reward = TableReward(taxonomy: taxonomy, values: values)
      let table = policy.exactValues(for: [context]) { _, labels in reward.reward(predicted: labels, gold: [])
      }[0]
      for node in [taxonomy.root, id("A"), id("B")] {
        let brute = enumerate(policy, context: context, from: node)
          .reduce(0.0) { $0 + $1.1 * values[taxonomy.id($1.0)]! }
        #expect(isClose(table.nodeValues[node], brute, 1e-6), "\(stopping) \(taxonomy.id(node))")
        // Σ_a π(a|n)·(Q(n, a) − V(n)) = 0: the exact-value advantages are centred under the policy.
        let row = policy.distributions(for: [PolicyQuery(context: 0, node: node)], in: [context]).storage
        var weighted = 0.0
        for action in 0..<policy.actionSpace.actionCount(at: node) {
          let q =
            policy.actionSpace.target(of: action, at: node).map { table.nodeValues[$0] }
            ?? table.stopValues[node]
          weighted += Double(exp(row[action])) * (q - table.nodeValues[node])
        }
        #expect(abs(weighted) < 1e-6)
      }
      // The exact-value estimator gives exactly those per-decision differences.
      let sampled = path(["A", "A1"], in: policy.actionSpace)
      let advantages = AdvantageSettings(estimator: .exactValue).advantages(
        for: [PathGroup(paths: [sampled], rewards: [1])], exactValues: [table])[0][0]
      #expect(isClose(advantages[0], table.nodeValues[id("A")] - table.nodeValues[taxonomy.root]))
      #expect(isClose(advantages[1], 1 - table.nodeValues[id("A")]))
    }
  }

  @Test func exactPolicyGradientMatchesFiniteDifferences() {
    let values: [String: Double] = ["A": 0.3, "B": 0.1, "A1": 1, "A2": 0.2, "B1": 0.6, "B2": 0]
    var policy = randomPolicy(.atInternalNodes)
    let context: [Float] = [1, 0.5, -0.5]
    func objective(_ policy: LinearTreePolicy) -> Double {
      enumerate(policy, context: context, from: taxonomy.root)
        .reduce(0.0) { $0 + $1.1 * values[taxonomy.id($1.0)]! }
    }
    var reward = TableReward(taxonomy: taxonomy, values: values)
    let table = policy.exactValues(for: [context]) { _, labels in reward.reward(predicted: labels, gold: []) }
    let tape = Tape()
    tape.backward(policy.exactPolicyGradientLoss(for: [context], values: table, on: tape))
    let gradients = tape.gradients(for: policy.parameters)
    for name in ["bias", "weight"] {
      let parameter = policy.parameters.id(named: name)!
      for element in stride(from: 0, to: policy.parameters[parameter].count, by: 2) {
        let original = policy.parameters[parameter].storage[element]
        let h: Float = 0.01
        policy.parameters[parameter].storage[element] = original + h
        let plus = objective(policy)
        policy.parameters[parameter].storage[element] = original - h
        let minus = objective(policy)
        policy.parameters[parameter].storage[element] = original
        let numeric = (plus - minus) / Double(2 * h)
        let analytic = -Double(gradients[parameter].storage[element])
        #expect(abs(numeric - analytic) < 2e-3 + 0.02 * abs(numeric), "\(name)[\(element)]")
      }
    }
  }

  @Test func samplingFollowsTheDistributionAndIsSeeded() {
    let policy = randomPolicy(.atInternalNodes)
    let context: [Float] = [0.2, 0.4, -1]
    var generator = RandomGenerator(seed: 42)
    let samples = policy.samplePaths(for: [context], count: 20_000, using: &generator)[0]
    var again = RandomGenerator(seed: 42)
    #expect(policy.samplePaths(for: [context], count: 20_000, using: &again)[0] == samples)
    for (terminal, probability) in enumerate(policy, context: context, from: taxonomy.root) {
      let stopped = !policy.actionSpace.isLeaf(terminal)
      let count = samples.filter { $0.terminal == terminal && $0.stopped == stopped }.count
      let share = Double(count) / 20_000
      // 5 standard errors.
      #expect(abs(share - probability) < 5 * (probability * (1 - probability) / 20_000).squareRoot() + 1e-3)
    }
    // Each sampled decision records its log-probability under the sampling policy.
    let first = samples[0]
    let row = policy.distributions(for: [PolicyQuery(context: 0, node: first.nodes[0])], in: [context])
    #expect(first.logProbabilities[0] == row.storage[first.actions[0]])
  }

  @Test func dualClipHandCases() {
    let loss = SurrogateLoss()
    #expect(loss.decisionLoss(ratio: 1.1, advantage: -1) == (1.1, true))
    #expect(loss.decisionLoss(ratio: 0.5, advantage: -1) == (0.8, false))  // −A·clip(ρ) = 0.8
    let dual = loss.decisionLoss(ratio: 5, advantage: -1)  // min(5, c = 3)
    #expect(dual.loss == 3 && !dual.isActive)
    let high = loss.decisionLoss(ratio: 1.5, advantage: 2)  // −A·1.2
    #expect(isClose(high.loss, -2.4) && !high.isActive)
    #expect(loss.decisionLoss(ratio: 0.5, advantage: 2) == (-1.0, true))
    let noDual = SurrogateLoss(dualClip: nil).decisionLoss(ratio: 5, advantage: -1)
    #expect(noDual == (5, true))
  }

  /// r → {A, B}, A → {A1, A2}, B a leaf; zero weights, so π is uniform: paths r→B (1 decision) and
  /// r→A→A1 (2 decisions), advantage 1 each, P = 2, D = 2: every decision weighs 1/(P·D) = 1/4.
  @Test func aggregationDoesNotDependOnPathDepth() throws {
    var builder = TaxonomyBuilder()
    for id in ["r", "A", "B", "A1", "A2"] { builder.addNode(TaxonomyNode(id: id)) }
    for (p, c) in [("r", "A"), ("r", "B"), ("A", "A1"), ("A", "A2")] { builder.addEdge(parent: p, child: c) }
    let space = TreeActionSpace(taxonomy: try builder.build())
    var generator = RandomGenerator(seed: 1)
    let policy = LinearTreePolicy(actionSpace: space, featureCount: 1, scale: 0, using: &generator)
    let half = Float(log(0.5))
    var shallow = SampledPath(root: space.taxonomy.root)
    shallow.append(action: 1, logProbability: half, in: space)
    var deep = SampledPath(root: space.taxonomy.root)
    deep.append(action: 0, logProbability: half, in: space)
    deep.append(action: 0, logProbability: half, in: space)
    let tape = Tape()
    let (loss, statistics) = policy.surrogateLoss(
      groups: [[shallow, deep]], advantages: [[[1], [1, 1]]], contexts: [[1]], reference: nil,
      settings: SurrogateLoss(), on: tape)
    #expect(isClose(statistics.loss, -0.75, 1e-6))
    tape.backward(loss)
    let bias = tape.gradients(for: policy.parameters)[policy.parameters.id(named: "bias")!].storage
    // Root row: −¼·(onehot(B) − ½) − ¼·(onehot(A) − ½) = 0; row A: −¼·(onehot(A1) − ½).
    let expected: [Float] = [0, 0, -0.125, 0.125]
    for (value, reference) in zip(bias, expected) { #expect(abs(value - reference) < 1e-6) }
    // Entropy per level: ln 2 at both levels under the uniform policy.
    #expect(statistics.entropyPerLevel.allSatisfy { isClose($0, log(2.0), 1e-6) })
  }

  @Test func exactKLIsNonNegativeAndMatchesItsDefinition() {
    let policy = randomPolicy(.atInternalNodes, seed: 9)
    var generator = RandomGenerator(seed: 2)
    let uniform = LinearTreePolicy(
      actionSpace: policy.actionSpace, featureCount: 3, scale: 0, using: &generator)
    let contexts: [[Float]] = [[1, 0, 0], [0, 2, -1]]
    let groups = policy.samplePaths(for: contexts, count: 4, using: &generator)
    let zeros = groups.map { $0.map { [Double](repeating: 0, count: $0.decisionCount) } }
    let tape = Tape()
    let beta = 0.5
    let (loss, statistics) = policy.surrogateLoss(
      groups: groups, advantages: zeros, contexts: contexts, reference: uniform,
      settings: SurrogateLoss(klWeight: beta), on: tape)
    // Reference computation: Σ_a p·(log p − log(1/k)) at each decision's node, averaged over decisions.
    var sum = 0.0
    var decisions = 0
    var klPerQuery: [PolicyQuery: Double] = [:]
    for (c, group) in groups.enumerated() {
      for path in group {
        for t in 0..<path.decisionCount {
          let query = PolicyQuery(context: c, node: path.nodes[t])
          let row = policy.distributions(for: [query], in: contexts).storage
          let k = policy.actionSpace.actionCount(at: query.node)
          var kl = 0.0
          for a in 0..<k { kl += Double(exp(row[a])) * (Double(row[a]) + log(Double(k))) }
          #expect(kl >= 0)
          klPerQuery[query] = kl
          sum += kl
          decisions += 1
        }
      }
    }
    #expect(isClose(statistics.kl, sum / Double(decisions), 1e-5))
    #expect(statistics.kl > 0)
    let normalizer = Double(8 * policy.actionSpace.maximumDecisionCount)
    #expect(isClose(statistics.loss, beta * sum / normalizer, 1e-5))
    // Against itself the KL is zero.
    let selfTape = Tape()
    let same = policy.surrogateLoss(
      groups: groups, advantages: zeros, contexts: contexts, reference: policy,
      settings: SurrogateLoss(klWeight: beta), on: selfTape
    ).statistics
    #expect(abs(same.kl) < 1e-7)
    // Gradient of the KL term on the logits: ∂KL/∂z_a = p_a·(log p_a − log q_a − KL) (softmax calculus).
    tape.backward(loss)
    let bias = tape.gradients(for: policy.parameters)[policy.parameters.id(named: "bias")!].storage
    let width = policy.actionSpace.maximumActionCount
    var expected = [Double](repeating: 0, count: bias.count)
    for (c, group) in groups.enumerated() {
      for path in group {
        for t in 0..<path.decisionCount {
          let query = PolicyQuery(context: c, node: path.nodes[t])
          let row = policy.distributions(for: [query], in: contexts).storage
          let k = policy.actionSpace.actionCount(at: query.node)
          let kl = klPerQuery[query]!
          for a in 0..<k {
            let p = Double(exp(row[a]))
            expected[policy.actionSpace.decisionIndex[query.node] * width + a] +=
              beta / normalizer * p * (Double(row[a]) + log(Double(k)) - kl)
          }
        }
      }
    }
    for (value, reference) in zip(bias, expected) { #expect(abs(Double(value) - reference) < 1e-5) }
  }
}

@Suite struct TemperedPolicyTests {
  @Test func samplesFromTheBaseDistributionRaisedToOneOverT() throws {
    let taxonomy = try twoLevelTaxonomy()
    var generator = RandomGenerator(seed: 5)
    let base = LinearTreePolicy(
      actionSpace: TreeActionSpace(taxonomy: taxonomy, stopping: .atInternalNodes), featureCount: 3,
      scale: 0.9, using: &generator)
    let temperature: Float = 2.5
    let tempered = TemperedPolicy(base, temperature: temperature)
    let context: [Float] = [1, -0.5, 2]
    for node in [taxonomy.root, taxonomy.index(of: "A")!, taxonomy.index(of: "B")!] {
      let query = [PolicyQuery(context: 0, node: node)]
      let baseRow = base.distributions(for: query, in: [context]).storage
      let row = tempered.distributions(for: query, in: [context]).storage
      // softmax(z / T) = p^(1/T) / Σ p^(1/T), whatever constant the base's log-probabilities carry.
      let count = base.actionSpace.actionCount(at: node)
      let powered = (0..<count).map { exp(Double(baseRow[$0]) / Double(temperature)) }
      let total = powered.reduce(0, +)
      for action in 0..<count {
        #expect(isClose(exp(Double(row[action])), powered[action] / total, 1e-5))
      }
    }
    // The argmax does not move, so greedy decoding is the base's.
    #expect(
      tempered.greedyPaths(for: [context]).map(\.nodes) == base.greedyPaths(for: [context]).map(\.nodes))
  }

  @Test func parametersAreTheBasePolicys() throws {
    let taxonomy = try twoLevelTaxonomy()
    var generator = RandomGenerator(seed: 6)
    let base = LinearTreePolicy(
      actionSpace: TreeActionSpace(taxonomy: taxonomy, stopping: .never), featureCount: 2, scale: 0.5,
      using: &generator)
    var tempered = TemperedPolicy(base, temperature: 3)
    let bias = tempered.parameters.id(named: "bias")!
    var changed = tempered.parameters[bias]
    changed.storage[0] += 1
    tempered.parameters[bias] = changed
    #expect(tempered.base.parameters[bias].storage[0] == base.parameters[bias].storage[0] + 1)
  }
}
