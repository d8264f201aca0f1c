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
    let check = ToyPathCheck<LinearClassifierPolicy>(taxonomy: taxonomy, contexts: contexts)
    let gradients = check.gradients(policy)
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
      let numeric = check.numericDerivative(&policy, parameter, element)
      let analytic = Double(gradients[parameter].storage[element])
      #expect(abs(numeric - analytic) < 2e-3 + 0.02 * abs(numeric), "\(element)")
      if abs(numeric) > 1e-3 { nonzero += 1 }
    }
    #expect(nonzero >= 4)
  }
}
