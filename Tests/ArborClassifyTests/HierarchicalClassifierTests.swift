import ArborClassify
import ArborTree
import Foundation
import Testing

/// A toy corpus whose words give the path away, so a working classifier must get it right.
func toyCorpus() throws -> (Taxonomy, [LabelledDocument]) {
  let taxonomy = try smallTaxonomy()
  let words = ["a1": "apple apricot", "a2": "avocado almond", "b1": "banana blueberry"]
  var documents: [LabelledDocument] = []
  for (leaf, text) in words.sorted(by: { $0.key < $1.key }) {
    let parent = String(leaf.prefix(1))
    for i in 0..<8 {
      documents.append(
        LabelledDocument(id: "\(leaf)-\(i)", text: "\(text) fruit number \(i)", labels: [parent, leaf]))
    }
  }
  return (taxonomy, documents)
}

@Suite struct HierarchicalClassifierTests {
  @Test(arguments: [ClassifierMethod.flat, .local])
  func learnsTheToyCorpusAndReturnsValidPaths(method: ClassifierMethod) throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.method = method
    settings.minimumDocumentFrequency = 1
    settings.epochs = 20
    let model = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let tests = ["apricot pie", "an almond", "blueberry jam"]
    let expected = [["a", "a1"], ["a", "a2"], ["b", "b1"]]
    let predictions = try model.predict(tests, topK: 2)
    for (prediction, path) in zip(predictions, expected) {
      #expect(prediction.paths.first?.map(taxonomy.id) == path)
      // Every reported path is a chain of parent-child edges from the first level down.
      for predicted in prediction.paths {
        #expect(taxonomy.parents(of: predicted[0]).contains(taxonomy.root))
        for (parent, child) in zip(predicted, predicted.dropFirst()) {
          #expect(taxonomy.parents(of: child).contains(parent))
        }
      }
      #expect(prediction.paths.count == 2)
      #expect(prediction.pathScores[0] >= prediction.pathScores[1])
      #expect(prediction.labelScores.allSatisfy { $0 >= 0 && $0 <= 1.0001 })
    }
  }

  @Test func sameSeedGivesTheSameModelAndScoresDoNotDependOnTheBatch() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.minimumDocumentFrequency = 1
    settings.seed = 42
    let first = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let second = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let alone = try first.predict(["apple"])[0]
    let batched = try second.predict(["banana", "apple", "almond"])[1]
    #expect(alone.paths == batched.paths)
    #expect(alone.pathScores == batched.pathScores)
  }

  @Test func saveAndLoadKeepPredictions() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.method = .local
    settings.minimumDocumentFrequency = 1
    let model = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let loaded = try HierarchicalClassifier.load(from: path)
    #expect(loaded.configuration == model.configuration)
    let texts = ["apple", "almond tree", "blue banana"]
    #expect(try loaded.predict(texts).map(\.paths) == model.predict(texts).map(\.paths))
    #expect(try loaded.predict(texts).map(\.pathScores) == model.predict(texts).map(\.pathScores))
  }

  @Test func damagedModelFilesGiveClearErrors() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.minimumDocumentFrequency = 1
    let model = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes.removeLast(100)
    try bytes.write(to: URL(fileURLWithPath: path))
    #expect(throws: TaxonomyError.self) { try HierarchicalClassifier.load(from: path) }
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: path))
    do {
      _ = try HierarchicalClassifier.load(from: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasPrefix(path))
    }
  }

  @Test func unknownLabelsAreReported() throws {
    let (taxonomy, _) = try toyCorpus()
    let documents = [LabelledDocument(id: "x", text: "apple", labels: ["zz"])]
    #expect(throws: TaxonomyError.self) {
      try HierarchicalClassifier.train(taxonomy: taxonomy, documents: documents, configuration: .init())
    }
  }
}
