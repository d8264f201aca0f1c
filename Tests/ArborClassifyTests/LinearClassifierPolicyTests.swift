import ArborClassify
import ArborRL
import ArborTensor
import ArborTree
import Foundation
import Testing

@Suite struct LinearClassifierPolicyTests {
  static func trained(_ method: ClassifierMethod) throws -> (Taxonomy, HierarchicalClassifier) {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.method = method
    settings.minimumDocumentFrequency = 1
    settings.epochs = 20
    return (
      taxonomy,
      try HierarchicalClassifier.train(taxonomy: taxonomy, documents: documents, configuration: settings)
    )
  }

  @Test(arguments: [ClassifierMethod.flat, .local])
  func rootDistributionIsTheClassifiersFirstLevelAndGreedyPathsAreTheObviousOnes(method: ClassifierMethod)
    throws
  {
    let (taxonomy, model) = try Self.trained(method)
    let policy = try #require(LinearClassifierPolicy(model))
    let texts = ["apricot pie", "an almond", "blueberry jam"]
    let contexts = try model.policyContexts(for: texts)
    let predictions = try model.predict(texts)
    let rootChildren = Array(taxonomy.children(of: taxonomy.root))
    let distributions = policy.distributions(
      for: texts.indices.map { PolicyQuery(context: $0, node: taxonomy.root) }, in: contexts)
    let width = policy.actionSpace.maximumActionCount
    for (row, prediction) in predictions.enumerated() {
      // The classifier's probability of its level-1 label and the policy's choice of it at the root agree.
      let action = try #require(rootChildren.firstIndex(of: prediction.labels[0]))
      #expect(abs(expf(distributions.storage[row * width + action]) - prediction.labelScores[0]) < 1e-4)
    }
    let greedy = policy.greedyPaths(for: contexts).map { $0.nodes.dropFirst().map(taxonomy.id) }
    #expect(greedy == [["a", "a1"], ["a", "a2"], ["b", "b1"]])
  }

  @Test(arguments: [ClassifierMethod.flat, .local])
  func pathLogProbabilityGradientMatchesFiniteDifferences(method: ClassifierMethod) throws {
    let (taxonomy, model) = try Self.trained(method)
    var policy = try #require(LinearClassifierPolicy(model))
    let contexts = try model.policyContexts(for: ["apricot and almond"])
    let (a, a2) = (taxonomy.index(of: "a")!, taxonomy.index(of: "a2")!)
    let queries = [PolicyQuery(context: 0, node: taxonomy.root), PolicyQuery(context: 0, node: a)]
    let actions = [
      taxonomy.children(of: taxonomy.root).firstIndex(of: a)!, taxonomy.children(of: a).firstIndex(of: a2)!,
    ]
    let width = policy.actionSpace.maximumActionCount
    func pathLogProbability(_ policy: LinearClassifierPolicy) -> Double {
      let rows = policy.distributions(for: queries, in: contexts).storage
      return Double(rows[actions[0]]) + Double(rows[width + actions[1]])
    }
    let tape = Tape()
    let logProbabilities = policy.logProbabilities(for: queries, in: contexts, on: tape)
    var pick = [Float](repeating: 0, count: 2 * width)
    pick[actions[0]] = 1
    pick[width + actions[1]] = 1
    tape.backward((logProbabilities * tape.constant(Tensor(shape: [2, width], storage: pick))).sum())
    let gradients = tape.gradients(for: policy.parameters)
    let weight = try #require(policy.parameters.id(named: "weight"))
    let bias = try #require(policy.parameters.id(named: "bias"))
    let outputs = policy.parameters[bias].count
    // The bias, and the weight rows of the features the document uses.
    var elements: [(ParameterID, Int)] = (0..<outputs).map { (bias, $0) }
    for column in contexts[0].columns.prefix(3) {
      for k in 0..<outputs { elements.append((weight, Int(column) * outputs + k)) }
    }
    var nonzero = 0
    for (parameter, element) in elements {
      let original = policy.parameters[parameter].storage[element]
      let h: Float = 1e-2
      policy.parameters[parameter].storage[element] = original + h
      let plus = pathLogProbability(policy)
      policy.parameters[parameter].storage[element] = original - h
      let minus = pathLogProbability(policy)
      policy.parameters[parameter].storage[element] = original
      let numeric = (plus - minus) / Double(2 * h)
      let analytic = Double(gradients[parameter].storage[element])
      #expect(abs(numeric - analytic) < 2e-3 + 0.02 * abs(numeric), "\(element)")
      if abs(numeric) > 1e-3 { nonzero += 1 }
    }
    #expect(nonzero >= 4)
  }
}
