import ArborTensor
import ArborText
import ArborTree
import Foundation
import Testing

@testable import ArborOrganize

/// `organize add` on a tree built on joined encoder and TF-IDF SVD features: folding new texts into the
/// lexical space, and path placement in each level's joined space.
@Suite struct JoinedPlacementTests {
  /// Four topics of generated sentences, each with its own vocabulary and shared filler words.
  static let texts: [String] = {
    let topics = [
      ["heron", "wing", "feather", "nest", "beak"], ["hammer", "nail", "saw", "timber", "chisel"],
      ["rice", "noodle", "broth", "spice", "ginger"], ["comet", "orbit", "planet", "galaxy", "star"],
    ]
    var out: [String] = []
    for (t, words) in topics.enumerated() {
      for i in 0..<15 {
        out.append(
          "the \(words[i % 5]) and the \(words[(i + 2) % 5]) with \(words[(i + 3) % 5]) item \(t * 15 + i)")
      }
    }
    return out
  }()

  @Test func foldingInTheFittedTextsGivesTheirCoordinates() throws {
    // With k at least the rank of A, U_k Σ_k = A V_k exactly: folding in a fitted text must give its row.
    let base = [
      "red apples and green apples", "green pears and red pears", "fast cars and slow cars",
      "slow trains and fast trains", "apples pears cars trains",
    ]
    let texts = (0..<4).flatMap { _ in base }
    let fitted = try #require(LexicalFeatures.fit(texts: texts, dimension: 8, seed: 3))
    let k = fitted.space.dimension
    let folded = fitted.space.coordinates(of: texts)
    #expect(folded.count == texts.count * k)
    var largest: Float = 0
    for (a, b) in zip(folded, fitted.vectors) { largest = max(largest, abs(a - b)) }
    #expect(largest < 1e-3)
    // A text with no phrase of the vocabulary folds in as a zero row.
    #expect(fitted.space.coordinates(of: ["zebra xylophone"]).allSatisfy { $0 == 0 })
  }

  @Test func pathPlacementComparesEachLevelInItsJoinedSpace() throws {
    let texts = Self.texts
    let dimension = 6
    var generator = RandomGenerator(seed: 41)
    let vectors = (0..<(texts.count * dimension)).map { _ in generator.nextNormal() }
    var options = TopicTreeOptions()
    options.levels = .fixed([2, 4])
    options.seed = 5
    var pipeline = OrganizePipeline(options: options, lexicalWeights: [1.5, 0.5])
    pipeline.lexicalDimension = 8
    let model = try pipeline.run(
      ids: texts.indices.map { "d\($0)" }, texts: texts, titles: texts.map { _ in "" }, vectors: vectors,
      dimension: dimension, embedLabels: { labels in [Float](repeating: 1, count: labels.count * dimension) })
    let settings = try #require(model.lexicalFeatures)
    #expect(settings.weights == [1.5, 0.5] && settings.documentCount == texts.count && settings.seed == 5)

    // The reference: explicit joined rows [m, w u] / |[m, w u]| per level, centroids as normalised sums
    // of the members' rows, and the leaf of highest summed cosine over its path.
    let lexical = try #require(LexicalFeatures.fit(texts: texts, dimension: settings.dimension, seed: 5))
    let k = lexical.space.dimension
    func unit(_ v: [Float]) -> [Float] {
      let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return norm > 0 ? v.map { $0 / norm } : v
    }
    func joined(_ m: [Float], _ u: [Float], weight: Float) -> [Float] {
      unit(unit(m) + unit(u).map { weight * $0 })
    }
    let tree = model.tree
    func depth(_ node: Int) -> Int { tree.path(to: node).count }
    func weight(_ node: Int) -> Float { depth(node) == 1 ? 1.5 : 0.5 }
    func dot(_ a: [Float], _ b: [Float]) -> Float {
      var total: Float = 0
      for (x, y) in zip(a, b) { total += x * y }
      return total
    }
    var documentRows: [(encoder: [Float], lexical: [Float])] = []
    for d in texts.indices {
      let encoder = Array(vectors[(d * dimension)..<((d + 1) * dimension)])
      documentRows.append((encoder, Array(lexical.vectors[(d * k)..<((d + 1) * k)])))
    }
    var centroids: [Int: [Float]] = [:]
    for node in tree.nodes.indices.dropFirst() {
      var sum = [Float](repeating: 0, count: dimension + k)
      for (d, leaf) in tree.documentLeaves.enumerated() where tree.path(to: leaf).contains(node) {
        let row = joined(documentRows[d].encoder, documentRows[d].lexical, weight: weight(node))
        for j in sum.indices { sum[j] += row[j] }
      }
      centroids[node] = unit(sum)
    }
    let newTexts = [
      "the heron and the nest", "a chisel for timber", "ginger broth with noodle", "a comet in orbit",
      "the star and the feather", "rice with a hammer",
    ]
    var agreements = 0
    var mismatchesOfEncoderOnly = 0
    for (position, text) in newTexts.enumerated() {
      let m = (0..<dimension).map { _ in generator.nextNormal() }
      let u = lexical.space.coordinates(of: [text])
      var bestLeaf = -1
      var bestScore = -Float.infinity
      var encoderOnlyLeaf = -1
      var encoderOnlyScore = -Float.infinity
      for leaf in tree.nodes.indices where leaf != 0 && tree.isLeaf(leaf) {
        var score: Float = 0
        var encoderScore: Float = 0
        for node in tree.path(to: leaf) {
          let x = joined(m, u, weight: weight(node))
          score += dot(x, centroids[node] ?? [])
          let centroid = unit(Array(tree.sums[(node * dimension)..<((node + 1) * dimension)]))
          encoderScore += dot(unit(m), centroid)
        }
        if score > bestScore {
          bestScore = score
          bestLeaf = leaf
        }
        if encoderScore > encoderOnlyScore {
          encoderOnlyScore = encoderScore
          encoderOnlyLeaf = leaf
        }
      }
      var copy = model
      let addition = try copy.add(
        ids: ["new\(position)"], texts: [text], vectors: m, maxLeaf: 1000, seed: 1, namer: nil,
        placement: .path)
      if addition.paths[0].last == bestLeaf { agreements += 1 }
      if encoderOnlyLeaf != bestLeaf { mismatchesOfEncoderOnly += 1 }
    }
    #expect(agreements == newTexts.count)
    // The case is one where the lexical part decides: encoder-only placement would differ somewhere.
    #expect(mismatchesOfEncoderOnly > 0)
  }

  @Test func lexicalSettingsSurviveTheFileAndBadOnesAreRefused() throws {
    let texts = Self.texts
    let encoder = BuiltinEncoder(dimension: 32)
    var options = TopicTreeOptions()
    options.levels = .fixed([2, 4])
    var pipeline = OrganizePipeline(options: options)
    pipeline.lexicalDimension = 8
    let model = try pipeline.run(
      ids: texts.indices.map { "d\($0)" }, texts: texts, titles: texts.map { _ in "" },
      vectors: encoder.encode(texts), dimension: encoder.dimension, embedLabels: { encoder.encode($0) })
    #expect(model.lexicalFeatures?.weights == OrganizePipeline.defaultLexicalWeights)
    let directory = OrganizeTestSupport.temporaryDirectory("joined")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try model.write(to: directory + "/tree.safetensors")
    let reread = try TopicTreeModel.read(from: directory + "/tree.safetensors")
    #expect(reread.lexicalFeatures == model.lexicalFeatures)

    // Refining on the encoder alone keeps placement on the encoder alone.
    pipeline.refineOnEncoder = true
    let encoderOnly = try pipeline.run(
      ids: texts.indices.map { "d\($0)" }, texts: texts, titles: texts.map { _ in "" },
      vectors: encoder.encode(texts), dimension: encoder.dimension, embedLabels: { encoder.encode($0) })
    #expect(encoderOnly.lexicalFeatures == nil)

    for bad in [
      "[1]", "{\"weights\": [-1], \"dimension\": 8, \"seed\": 1, \"documents\": 10}",
      "{\"weights\": [0.5], \"dimension\": 0, \"seed\": 1, \"documents\": 10}",
      "{\"weights\": [0.5], \"dimension\": 8, \"seed\": 1, \"documents\": 61}", "not json",
    ] {
      var message = ""
      do {
        _ = try TopicTreeModel.lexicalSettings(bad, documentCount: 60) { TaxonomyError(.schema, $0) }
      } catch {
        message = error.description
      }
      #expect(message.contains("metadata 'lexicalFeatures'"), "\(bad)")
    }
    let good = try TopicTreeModel.lexicalSettings(
      "{\"weights\": [0.8, 0.4], \"dimension\": 8, \"seed\": 2, \"documents\": 60}", documentCount: 60
    ) { TaxonomyError(.schema, $0) }
    #expect(good == LexicalFeatureSettings(weights: [0.8, 0.4], dimension: 8, seed: 2, documentCount: 60))
  }
}
