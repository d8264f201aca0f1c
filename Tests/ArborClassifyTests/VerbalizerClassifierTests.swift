import ArborClassify
import ArborTree
import Foundation
import Testing

@Suite struct VerbalizerClassifierTests {
  @Test func learnsTheToyCorpusWithTheBuiltinEncoder() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = VerbalizerSettings()
    settings.epochs = 30
    settings.learningRate = 1e-2
    let model = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .builtin)
    let predictions = try model.predict(["apricot and apple", "almond avocado", "banana blueberry"])
    #expect(predictions.map { $0.paths[0].map(taxonomy.id) } == [["a", "a1"], ["a", "a2"], ["b", "b1"]])
    // Level probabilities: each level's softmax sums to one over that level's labels.
    let p = predictions[0]
    #expect(p.labelScores.allSatisfy { $0 > 0 && $0 <= 1 })
  }

  @Test func saveLoadAndDeterminism() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = VerbalizerSettings()
    settings.epochs = 3
    settings.seed = 9
    let first = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .builtin)
    let second = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .builtin)
    #expect(first.parameters.values == second.parameters.values)
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try first.save(to: path)
    let loaded = try ClassifierModel.load(from: path)
    let texts = ["apple", "banana"]
    #expect(try loaded.predict(texts).map(\.pathScores) == first.predict(texts).map(\.pathScores))
  }
}
