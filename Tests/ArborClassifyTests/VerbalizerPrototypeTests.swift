import ArborClassify
import ArborTree
import Foundation
import Testing

/// Label prototypes of the verbalizer classifier: their definition and how they enter the level scores.
@Suite struct VerbalizerPrototypeTests {
  static func trained(prototypeWeight: Float) throws -> (Taxonomy, [LabelledDocument], VerbalizerClassifier) {
    let (taxonomy, documents) = try toyCorpus()
    var settings = VerbalizerSettings()
    settings.epochs = 3
    settings.seed = 4
    settings.prototypeWeight = prototypeWeight
    let model = try VerbalizerClassifier.train(
      taxonomy: taxonomy, documents: documents, settings: settings, encoder: .builtin)
    return (taxonomy, documents, model)
  }

  static func unit(_ vector: [Double]) -> [Double] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm > 0 ? vector.map { $0 / norm } : vector
  }

  @Test func aPrototypeIsTheUnitMeanOfItsTrainingDocumentsPlusItsOwnText() throws {
    let (taxonomy, documents, model) = try Self.trained(prototypeWeight: 5)
    let width = model.prototypeWidth
    let vectors = try model.sentenceVectors(documents.map(\.text))
    var checked = 0
    for id in ["a", "b", "a1", "a2", "b1"] {
      let node = try #require(taxonomy.index(of: id))
      // Written out here in Double: the sum of the unit vectors of the documents labelled with the node,
      // scaled to unit length, plus the node text's unit vector, scaled to unit length.
      var sum = [Double](repeating: 0, count: width)
      for (row, document) in documents.enumerated() where document.labels.contains(id) {
        for k in 0..<width { sum[k] += Double(vectors[row * width + k]) }
      }
      let text = try model.sentenceVectors([VerbalizerClassifier.labelText(taxonomy, node)])
      let documentPart = Self.unit(sum)
      let expected = Self.unit((0..<width).map { documentPart[$0] + Double(text[$0]) })
      let actual = try #require(model.prototype(of: node))
      #expect(actual.count == width)
      let error = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 1
      #expect(error < 1e-5, "\(id): largest difference \(error)")
      checked += 1
    }
    #expect(checked == 5)
    #expect(model.prototype(of: taxonomy.root) == nil)
  }

  @Test func prototypesAddTheirWeightedCosineToEveryLevelsScores() throws {
    let (taxonomy, _, plain) = try Self.trained(prototypeWeight: 0)
    let (_, _, withPrototypes) = try Self.trained(prototypeWeight: 5)
    // Prototypes do not change training.
    #expect(plain.parameters.values == withPrototypes.parameters.values)
    let texts = ["apricot almond", "banana avocado"]
    let allPaths = 3
    let before = try plain.predict(texts, topK: allPaths)
    let after = try withPrototypes.predict(texts, topK: allPaths)
    let width = withPrototypes.prototypeWidth
    for (row, text) in texts.enumerated() {
      let x = try withPrototypes.sentenceVectors([text])
      // log p_κ(v) − log p_0(v) − κ cos(x, p_v) is the same for every node of a level (the softmax's
      // normaliser), since p_κ ∝ p_0 · exp(κ cos).
      for level in [["a", "b"], ["a1", "a2", "b1"]] {
        var offsets: [Double] = []
        for id in level {
          let node = try #require(taxonomy.index(of: id))
          let prototype = try #require(withPrototypes.prototype(of: node))
          var cosine: Double = 0
          for k in 0..<width { cosine += Double(x[k]) * Double(prototype[k]) }
          let p0 = before[row].labelScores[try #require(before[row].labels.firstIndex(of: node))]
          let p5 = after[row].labelScores[try #require(after[row].labels.firstIndex(of: node))]
          offsets.append(log(Double(p5)) - log(Double(p0)) - 5 * cosine)
        }
        let spread = (offsets.max() ?? 0) - (offsets.min() ?? 0)
        #expect(spread < 1e-3, "\(text) \(level): \(offsets)")
      }
    }
    // And they move the probabilities: a test that cannot pass when the prototypes are ignored.
    #expect(before.map(\.labelScores) != after.map(\.labelScores))
  }

  @Test func prototypesSurviveTheModelFile() throws {
    let (_, _, model) = try Self.trained(prototypeWeight: 5)
    let (_, _, plain) = try Self.trained(prototypeWeight: 0)
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let loaded = try ClassifierModel.load(from: path)
    let texts = ["apricot almond", "banana avocado", "blueberry"]
    let expected = try model.predict(texts, topK: 3)
    #expect(try loaded.predict(texts, topK: 3).map(\.pathScores) == expected.map(\.pathScores))
    #expect(try plain.predict(texts, topK: 3).map(\.pathScores) != expected.map(\.pathScores))
  }
}
