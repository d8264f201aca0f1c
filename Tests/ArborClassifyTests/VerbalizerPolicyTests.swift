import ArborClassify
import ArborRL
import ArborTensor
import ArborTree
import Foundation
import Testing

@Suite struct VerbalizerPolicyTests {
  static func trained(prototypeWeight: Float = 0) throws -> (Taxonomy, VerbalizerClassifier) {
    let (taxonomy, documents) = try toyCorpus()
    var settings = VerbalizerSettings()
    settings.epochs = 30
    settings.learningRate = 1e-2
    settings.prototypeWeight = prototypeWeight
    return (
      taxonomy,
      try VerbalizerClassifier.train(
        taxonomy: taxonomy, documents: documents, settings: settings, encoder: .builtin)
    )
  }

  /// With label prototypes (weight 3) the policy adds the same prototype scores as the classifier.
  @Test(arguments: [Float(0), 3])
  func pathProbabilitiesAreTheClassifiersPathScoresNormalisedAndGreedyPathsAreTheObviousOnes(
    prototypeWeight: Float
  ) throws {
    let (taxonomy, model) = try Self.trained(prototypeWeight: prototypeWeight)
    let policy = VerbalizerPolicy(model)
    let texts = ["apricot and apple", "almond avocado", "banana blueberry"]
    let contexts = try model.policyContexts(for: texts)
    // Every valid path: root → level-1 node → leaf.
    var paths: [[Int]] = []
    for first in taxonomy.children(of: taxonomy.root) {
      for second in taxonomy.children(of: first) { paths.append([first, second]) }
    }
    for row in texts.indices {
      // The classifier's unnormalised path scores, from its top-k decoding of all paths.
      let prediction = try model.predict([texts[row]], topK: paths.count)[0]
      #expect(prediction.paths.count == paths.count)
      var classifierTotal: Float = 0
      for score in prediction.pathScores { classifierTotal += score }
      for (path, score) in zip(prediction.paths, prediction.pathScores) {
        var logProbability: Float = 0
        var node = taxonomy.root
        for next in path {
          let distribution = policy.distributions(for: [PolicyQuery(context: row, node: node)], in: contexts)
          logProbability +=
            distribution.storage[try #require(taxonomy.children(of: node).firstIndex(of: next))]
          node = next
        }
        // The policy's path probability is the classifier's path score over the sum of all of them.
        #expect(abs(expf(logProbability) - score / classifierTotal) < 1e-4, "\(path)")
      }
    }
    let greedy = policy.greedyPaths(for: contexts).map { $0.nodes.dropFirst().map(taxonomy.id) }
    #expect(greedy == [["a", "a1"], ["a", "a2"], ["b", "b1"]])
  }

  @Test(arguments: [Float(0), 3])
  func pathLogProbabilityGradientMatchesFiniteDifferences(prototypeWeight: Float) throws {
    let (taxonomy, model) = try Self.trained(prototypeWeight: prototypeWeight)
    var policy = VerbalizerPolicy(model)
    let contexts = try model.policyContexts(for: ["apricot and almond"])
    let check = ToyPathCheck<VerbalizerPolicy>(taxonomy: taxonomy, contexts: contexts)
    let gradients = check.gradients(policy)
    var checked = 0
    for name in ["verbalizer.1", "verbalizer.2", "projection.2"] {
      let parameter = try #require(policy.parameters.id(named: name))
      let count = policy.parameters[parameter].count
      for element in stride(from: 0, to: count, by: max(1, count / 7)) {
        let numeric = check.numericDerivative(&policy, parameter, element)
        let analytic = Double(gradients[parameter].storage[element])
        #expect(abs(numeric - analytic) < 2e-3 + 0.02 * abs(numeric), "\(name)[\(element)]")
        checked += 1
      }
    }
    #expect(checked >= 15)
  }
}
