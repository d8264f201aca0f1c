import ArborTensor
import ArborTree
import Foundation
import Testing

@testable import ArborClassify

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct FastScoringTests {
  /// A random tree of `depth` levels with 1...maxChildren children per node, seeded.
  static func randomTree(depth: Int, maxChildren: Int, seed: UInt64) throws -> Taxonomy {
    var generator = RandomGenerator(seed: seed)
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "r"))
    var frontier = ["r"]
    for _ in 0..<depth {
      var next: [String] = []
      for parent in frontier {
        for c in 0..<(1 + Int(generator.next() % UInt64(maxChildren))) {
          let id = parent + "." + String(c)
          builder.addNode(TaxonomyNode(id: id))
          builder.addEdge(parent: parent, child: id)
          next.append(id)
        }
      }
      frontier = next
    }
    return try builder.build()
  }

  /// Every root-to-leaf path with its summed score, best first by PathDecoder's order: the reference
  /// for beam search with a beam wider than the number of paths.
  static func enumerate(_ taxonomy: Taxonomy, scores: [Float]) -> [ScoredPath] {
    var out: [ScoredPath] = []
    func walk(_ node: Int, _ path: [Int], _ score: Float) {
      let children = taxonomy.children(of: node)
      if children.isEmpty {
        out.append(ScoredPath(nodes: path, logScore: score))
        return
      }
      for child in children { walk(child, path + [child], score + scores[child]) }
    }
    walk(taxonomy.root, [], 0)
    return out.sorted {
      $0.logScore != $1.logScore ? $0.logScore > $1.logScore : $0.nodes.lexicographicallyPrecedes($1.nodes)
    }
  }

  @Test func wideBeamReturnsTheExhaustiveRanking() throws {
    var generator = RandomGenerator(seed: 9)
    for seed in UInt64(0)..<20 {
      let taxonomy = try Self.randomTree(depth: 3, maxChildren: 4, seed: seed)
      var scores = (0..<taxonomy.count).map { _ in -Float(generator.next() % 1000) / 100 }
      // Ties, which the decoder breaks by node indices.
      if taxonomy.count > 6 { scores[5] = scores[4] }
      let reference = Self.enumerate(taxonomy, scores: scores)
      let decoded = scores.withUnsafeBufferPointer {
        PathDecoder(taxonomy: taxonomy, beamWidth: 10_000).decode(logScores: $0, count: 5)
      }
      #expect(decoded == Array(reference.prefix(5)), "tree \(seed)")
    }
  }

  @Test func reusedDecoderBuffersGiveTheSameResults() throws {
    let taxonomy = try Self.randomTree(depth: 4, maxChildren: 5, seed: 3)
    var generator = RandomGenerator(seed: 4)
    var buffers = DecoderBuffers()
    for _ in 0..<50 {
      let scores = (0..<taxonomy.count).map { _ in -Float(generator.next() % 1000) / 100 }
      let decoder = PathDecoder(taxonomy: taxonomy, beamWidth: 3)
      let fresh = scores.withUnsafeBufferPointer { decoder.decode(logScores: $0, count: 2) }
      let reused = scores.withUnsafeBufferPointer {
        decoder.decode(logScores: $0, count: 2, buffers: &buffers)
      }
      #expect(fresh == reused)
      // A narrow beam still returns valid paths from the first level down.
      for path in reused {
        #expect(taxonomy.parents(of: path.nodes[0]).contains(taxonomy.root))
        #expect(taxonomy.children(of: path.nodes.last!).isEmpty)
      }
    }
  }

  @Test func blockScoresAreBitIdenticalToRowScores() {
    var generator = RandomGenerator(seed: 1)
    var heads = LinearHeads(featureCount: 300, outputCount: 7)
    for i in heads.weights.indices { heads.weights[i] = Float(Int(generator.next() % 2001) - 1000) / 997 }
    for i in heads.bias.indices { heads.bias[i] = Float(Int(generator.next() % 201) - 100) / 89 }
    var rows = SparseRows()
    for _ in 0..<130 {
      let columns = Set((0..<Int(generator.next() % 40)).map { _ in Int32(generator.next() % 300) }).sorted()
      rows.append(columns: columns, values: columns.map { _ in Float(generator.next() % 1000) / 1000 })
    }
    let m = heads.outputCount
    var block = [Float](repeating: .nan, count: 50 * m)
    var starts = [Int32](repeating: 0, count: heads.featureCount + 1)
    var single = [Float](repeating: 0, count: m)
    for documents in [0..<50, 50..<100, 100..<130, 7..<8] {
      block.withUnsafeMutableBufferPointer { b in
        starts.withUnsafeMutableBufferPointer { s in
          heads.scores(rows, documents: documents, into: b.baseAddress!, columnStarts: s.baseAddress!)
        }
      }
      for (i, row) in documents.enumerated() {
        single.withUnsafeMutableBufferPointer {
          heads.scores(rows, row: row, range: 0..<m, into: $0.baseAddress!)
        }
        #expect(Array(block[(i * m)..<((i + 1) * m)]) == single, "row \(row)")
      }
    }
  }

  @Test(arguments: [ClassifierMethod.flat, .local])
  func mappedWeightsPredictAsCopiedWeights(method: ClassifierMethod) throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.method = method
    settings.minimumDocumentFrequency = 1
    let model = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let mapped = try HierarchicalClassifier.load(from: path, mappingWeights: true)
    let copied = try HierarchicalClassifier.load(from: path)
    #expect(mapped.heads.mappedWeights != nil && mapped.heads.weights.isEmpty)
    #expect(copied.heads.mappedWeights == nil && !copied.heads.weights.isEmpty)
    let texts = documents.map(\.text) + ["apple", "almond tree", "blue banana", ""]
    let a = try mapped.predict(texts, topK: 2)
    let b = try copied.predict(texts, topK: 2)
    #expect(a.map(\.paths) == b.map(\.paths))
    #expect(a.map(\.pathScores) == b.map(\.pathScores))
    // A model read in place saves the same weights.
    let again = path + ".again"
    defer { try? FileManager.default.removeItem(atPath: again) }
    try mapped.save(to: again)
    #expect(try HierarchicalClassifier.load(from: again).heads.weights == copied.heads.weights)
    var heads = mapped.heads
    heads.materializeWeights()
    #expect(heads.weights == copied.heads.weights && heads.mappedWeights == nil)
  }

  @Test func wordOnlyFeaturesAreStoredAndUsed() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.minimumDocumentFrequency = 1
    settings.characterNGramLengths = nil
    let model = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    #expect(model.features.weighting.extractor.characterNGramLengths == nil)
    let path = temporaryModelPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let loaded = try HierarchicalClassifier.load(from: path, mappingWeights: true)
    #expect(loaded.features.weighting.extractor.characterNGramLengths == nil)
    #expect(loaded.configuration == model.configuration)
    let predictions = try loaded.predict(["apricot pie", "blueberry jam"])
    #expect(predictions.map { $0.paths[0].map(taxonomy.id) } == [["a", "a1"], ["b", "b1"]])
    // Without character n-grams an unseen spelling shares no feature with the training words.
    #expect(try loaded.predict(["apricots"])[0].pathScores == loaded.predict(["zzz"])[0].pathScores)
  }
}
