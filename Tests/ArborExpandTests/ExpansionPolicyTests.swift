import ArborRL
import ArborTensor
import ArborText
import ArborTree
import Foundation
import Testing

@testable import ArborExpand

@Suite struct ExpansionPolicyTests {
  /// A toy model with a retrieval scorer trained on the toy taxonomy's pseudo-queries (no coherence).
  static func trained() throws -> (Taxonomy, BagOfWordsEncoder, ExpansionIndex, ExpansionModel) {
    let taxonomy = try ToyTaxonomy.make()
    let encoder = BagOfWordsEncoder(dimension: 32)
    let index = ToyTaxonomy.index(taxonomy, encoder: encoder)
    var settings = ExpansionTrainingSettings()
    settings.pseudoQueryCount = 30
    settings.heldOutCount = 0
    settings.trainsCoherence = false
    settings.retrieval.candidateCount = 10
    let model = ExpansionTrainer(
      index: index, nodeTexts: ExpansionText.nodeTexts(of: taxonomy), settings: settings
    ).train(encoderName: "test", encoderIdentity: encoder.identity)
    return (taxonomy, encoder, index, model)
  }

  /// Log-probability of the path to `node` (stop there, or end at the leaf) under `policy`.
  static func pathLogProbability(
    _ policy: ExpansionPolicy, to node: Int, in contexts: [ExpansionPolicyContext]
  ) -> Double {
    let space = policy.actionSpace
    let path = space.path(to: node)
    var queries: [PolicyQuery] = []
    var actions: [Int] = []
    var current = space.taxonomy.root
    for next in path {
      queries.append(PolicyQuery(context: 0, node: current))
      actions.append(space.action(to: next, at: current)!)
      current = next
    }
    if !space.isLeaf(node) {
      queries.append(PolicyQuery(context: 0, node: node))
      actions.append(space.stopAction(at: node))
    }
    let rows = policy.distributions(for: queries, in: contexts).storage
    let width = space.maximumActionCount
    return actions.enumerated().reduce(0) { $0 + Double(rows[$1.offset * width + $1.element]) }
  }

  @Test func untrainedPolicyFactorsTheRetrievalScorersSoftmaxOverCandidates() throws {
    let (taxonomy, encoder, index, model) = try Self.trained()
    let policy = ExpansionPolicy(model: model, index: index)
    let text = "new boat: a rare kind of boat"
    let contexts = policy.contexts(queryVectors: encoder.encode([text]), texts: [text], hidden: [-1])
    // Reference: the scorer's own (tape-free) logits of the same candidates, softmax over them.
    let evidence = index.evidence(vectors: encoder.encode([text]), texts: [text], excluded: [-1])[0]
    let (candidates, _) = index.candidates(for: evidence, settings: model.retrieval)
    #expect(candidates.nodes == contexts[0].candidates)
    let logits = model.scorer.scores(candidates.features, rows: candidates.nodes.count)
    let reachable = candidates.nodes.indices.filter { candidates.nodes[$0] != taxonomy.root }
    #expect(reachable.count >= 3)
    let largest = reachable.map { Double(logits[$0]) }.max()!
    let logNormalizer =
      largest + log(reachable.reduce(0.0) { $0 + Foundation.exp(Double(logits[$1]) - largest) })
    var total = 0.0
    for position in reachable {
      let node = candidates.nodes[position]
      let expected = Double(logits[position]) - logNormalizer
      let actual = Self.pathLogProbability(policy, to: node, in: contexts)
      #expect(abs(actual - expected) < 1e-3, "\(taxonomy.id(node))")
      total += Foundation.exp(actual)
    }
    #expect(abs(total - 1) < 1e-3)
  }

  @Test func greedyPathsReachTheObviousParents() throws {
    let (taxonomy, encoder, index, model) = try Self.trained()
    let policy = ExpansionPolicy(model: model, index: index)
    let terms = ToyTaxonomy.categories.map { "new \($0): a common kind of \($0)" }
    let contexts = policy.contexts(
      queryVectors: encoder.encode(terms), texts: terms, hidden: Array(repeating: -1, count: terms.count))
    let ends = policy.greedyPaths(for: contexts).map { taxonomy.id($0.terminal) }
    let correct = zip(ends, ToyTaxonomy.categories).filter { $0 == $1 }.count
    #expect(correct >= 5, "\(ends)")
  }

  @Test func pathLogProbabilityGradientMatchesFiniteDifferences() throws {
    let (taxonomy, encoder, index, model) = try Self.trained()
    var policy = ExpansionPolicy(model: model, index: index)
    let text = "new fruit: a bright kind of fruit"
    let contexts = policy.contexts(queryVectors: encoder.encode([text]), texts: [text], hidden: [-1])
    let space = policy.actionSpace
    let fruit = try #require(taxonomy.index(of: "fruit"))
    let member = try #require(taxonomy.index(of: "fruit-2"))
    // Two paths: root → fruit → stop, and root → fruit → fruit-2 (a leaf).
    let queries = [PolicyQuery(context: 0, node: taxonomy.root), PolicyQuery(context: 0, node: fruit)]
    let width = space.maximumActionCount
    let down = try #require(space.action(to: fruit, at: taxonomy.root))
    let picks = [
      (0, down), (1, space.stopAction(at: fruit)), (1, try #require(space.action(to: member, at: fruit))),
    ]
    func objective(_ policy: ExpansionPolicy) -> Double {
      let rows = policy.distributions(for: queries, in: contexts).storage
      return picks.reduce(0.0) { $0 + Double(rows[$1.0 * width + $1.1]) }
    }
    let tape = Tape()
    let logProbabilities = policy.logProbabilities(for: queries, in: contexts, on: tape)
    var pick = [Float](repeating: 0, count: 2 * width)
    for (row, action) in picks { pick[row * width + action] += 1 }
    tape.backward((logProbabilities * tape.constant(Tensor(shape: [2, width], storage: pick))).sum())
    let gradients = tape.gradients(for: policy.parameters)
    var checked = 0
    var nonZero = 0
    for name in ["retrieval.w1", "retrieval.b1", "retrieval.w2"] {
      let parameter = try #require(policy.parameters.id(named: name))
      let count = policy.parameters[parameter].count
      for element in stride(from: 0, to: count, by: max(1, count / 9)) {
        let original = policy.parameters[parameter].storage[element]
        let h: Float = 1e-2
        policy.parameters[parameter].storage[element] = original + h
        let plus = objective(policy)
        policy.parameters[parameter].storage[element] = original - h
        let minus = objective(policy)
        policy.parameters[parameter].storage[element] = original
        let numeric = (plus - minus) / Double(2 * h)
        let analytic = Double(gradients[parameter].storage[element])
        #expect(abs(numeric - analytic) < 2e-3 + 0.02 * abs(numeric), "\(name)[\(element)]")
        checked += 1
        if abs(numeric) > 1e-3 { nonZero += 1 }
      }
    }
    #expect(checked >= 20)
    #expect(nonZero >= 5)
  }

  @Test func hiddenNodeIsNeverACandidateAndUpdatedModelsKeepTheirNote() throws {
    let (taxonomy, encoder, index, model) = try Self.trained()
    var policy = ExpansionPolicy(model: model, index: index)
    let hidden = try #require(taxonomy.index(of: "dog-3"))
    let text = ExpansionText.nodeTexts(of: taxonomy)[hidden]
    let contexts = policy.contexts(queryVectors: encoder.encode([text]), texts: [text], hidden: [hidden])
    #expect(!contexts[0].candidates.contains(hidden))
    #expect(contexts[0].subtree[hidden] == nil)

    let w2 = try #require(policy.parameters.id(named: "retrieval.w2"))
    policy.parameters[w2].storage[0] += 0.5
    let updated = model.updating(with: policy, note: "test run")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "expand-policy-\(UUID().uuidString).arbor"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try updated.save(to: path)
    #expect(ExpansionModel.isModelFile(path))
    let loaded = try ExpansionModel.load(from: path)
    #expect(loaded.finetuning == "test run")
    #expect(model.finetuning == nil)
    let loadedW2 = try #require(loaded.scorer.store.id(named: "retrieval.w2"))
    #expect(loaded.scorer.store[loadedW2].storage == policy.parameters[w2].storage)
    #expect(loaded.scorer.store[loadedW2].storage != model.scorer.store[w2].storage)
  }
}
