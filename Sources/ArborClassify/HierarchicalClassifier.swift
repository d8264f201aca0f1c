import ArborText
import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A trained hierarchical text classifier whose predictions are always valid paths of its taxonomy.
public struct HierarchicalClassifier: Sendable {
  /// The label taxonomy.
  public let taxonomy: Taxonomy
  /// The settings it was trained with.
  public let configuration: ClassifierConfiguration
  package let features: SparseFeatureSpace
  package let layout: OutputLayout
  package var heads: LinearHeads
  /// Sentence vectors appended to the TF-IDF features, when trained with a BERT encoder.
  package let dense: DenseChannel?
  /// Class-balanced training documents kept for rehearsal by `arbor learn` (may be empty).
  package var memory: ModelRehearsalMemory
  /// Walks of the taxonomy that decoding needs for every document.
  let order: NodeOrder

  package init(
    taxonomy: Taxonomy, configuration: ClassifierConfiguration, features: SparseFeatureSpace,
    layout: OutputLayout, heads: LinearHeads, dense: DenseChannel?, memory: ModelRehearsalMemory = .init()
  ) {
    self.taxonomy = taxonomy
    self.configuration = configuration
    self.features = features
    self.layout = layout
    self.heads = heads
    self.dense = dense
    self.memory = memory
    order = NodeOrder(taxonomy: taxonomy, layout: layout)
  }

  /// The feature rows of texts: TF-IDF, then the dense vectors when there are any.
  package func rows(_ texts: [String]) throws(TaxonomyError) -> SparseRows {
    let sparse = features.rows(texts)
    guard let dense else { return sparse }
    return try dense.appending(to: sparse, texts: texts, offset: features.featureCount)
  }

  /// Trains on labelled documents; `afterEpoch` receives each epoch's number and the model so far.
  ///
  /// With `denseEncoder` (a BERT model directory), its unit-length sentence vectors times
  /// `denseWeight` are appended to every TF-IDF row.
  public static func train(
    taxonomy: Taxonomy, documents: [LabelledDocument], configuration: ClassifierConfiguration,
    denseEncoder: String? = nil, denseWeight: Float = 1,
    afterEpoch: (Int, HierarchicalClassifier) -> Void = { _, _ in }
  ) throws(TaxonomyError) -> HierarchicalClassifier {
    guard configuration.method != .verbalizer else {
      throw TaxonomyError(.schema, "the verbalizer method is trained by VerbalizerClassifier")
    }
    let extractor = HashedFeatureExtractor(
      bucketCount: configuration.bucketCount, characterNGramLengths: configuration.characterNGramLengths)
    let texts = documents.map(\.text)
    let features = SparseFeatureSpace(
      fitting: texts, extractor: extractor, minimumDocumentFrequency: configuration.minimumDocumentFrequency,
      normalization: configuration.normalization)
    let dense = try denseEncoder.map { directory throws(TaxonomyError) in
      try DenseChannel(directory: directory, weight: denseWeight)
    }
    var rows = features.rows(texts)
    if let dense { rows = try dense.appending(to: rows, texts: texts, offset: features.featureCount) }
    let featureCount = features.featureCount + (dense?.dimension ?? 0)
    let gold = try documents.map { document throws(TaxonomyError) in
      try GoldLabels(document, taxonomy: taxonomy)
    }

    let layout: OutputLayout
    switch configuration.method {
    case .local:
      layout = .local(taxonomy, multiPath: configuration.multiPath)
    default:
      if configuration.multiPath {
        layout = .flat(taxonomy, nodes: taxonomy.indices.filter { $0 != taxonomy.root }, multiPath: true)
      } else {
        layout = .flat(taxonomy, nodes: Array(Set(gold.compactMap(\.path.last))).sorted(), multiPath: false)
      }
    }
    var examples: [LinearExample] = []
    for (row, labels) in gold.enumerated() {
      examples += layout.examples(
        row: Int32(row), goldPath: labels.path, closure: labels.closure, taxonomy: taxonomy)
    }
    var heads = LinearHeads(featureCount: featureCount, outputCount: layout.outputCount)
    func report(_ epoch: Int, _ current: LinearHeads) {
      afterEpoch(
        epoch,
        HierarchicalClassifier(
          taxonomy: taxonomy, configuration: configuration, features: features, layout: layout,
          heads: current, dense: dense))
    }
    switch configuration.loss {
    case .svm:
      let trainer = LinearSVMTrainer(
        cost: configuration.cost, maximumPasses: configuration.epochs, seed: configuration.seed)
      if layout.kind == .flat, !layout.multiPath, configuration.ancestorWeight > 0 {
        trainer.fitFlatWithAncestors(
          &heads, layout: layout, rows: rows, paths: gold.map(\.path), taxonomy: taxonomy,
          ancestorWeight: configuration.ancestorWeight)
      } else {
        trainer.fitMargins(&heads, rows: rows, examples: examples)
      }
      trainer.calibrate(&heads, rows: rows, examples: examples)
      report(configuration.epochs, heads)
    case .softmax:
      LinearTrainer(
        epochs: configuration.epochs, learningRate: configuration.learningRate, seed: configuration.seed
      )
      .train(&heads, rows: rows, examples: examples, afterEpoch: report)
    }
    var memory = ModelRehearsalMemory()
    if configuration.memorySize > 0 {
      for (row, labels) in gold.enumerated() {
        memory.append(rows: rows, row: row, path: labels.path.map(Int32.init))
      }
      for labels in gold { memory.countSeen(labels.path.last ?? taxonomy.root, nodeCount: taxonomy.count) }
      memory = memory.balanced(budget: configuration.memorySize, seed: configuration.seed ^ 0x6D65_6D6F_7279)
    }
    return HierarchicalClassifier(
      taxonomy: taxonomy, configuration: configuration, features: features, layout: layout, heads: heads,
      dense: dense, memory: memory)
  }

  /// Predictions for texts, each independent of the others; `topK` paths per document (single-path).
  public func predict(_ texts: [String], topK: Int = 1) throws(TaxonomyError) -> [Prediction] {
    let rows = try self.rows(texts)
    var results = [Prediction?](repeating: nil, count: texts.count)
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let out = buffer
      Parallel.forEachChunk(count: texts.count, threadCount: 2, minimumChunk: 64) { range in
        var scratch = PredictionScratch(nodeCount: taxonomy.count, outputCount: layout.outputCount)
        let m = layout.outputCount
        let blockSize = 512
        let block = UnsafeMutablePointer<Float>.allocate(capacity: blockSize * m)
        let columnStarts = UnsafeMutablePointer<Int32>.allocate(capacity: heads.featureCount + 1)
        defer {
          block.deallocate()
          columnStarts.deallocate()
        }
        for blockStart in stride(from: range.lowerBound, to: range.upperBound, by: blockSize) {
          let documents = blockStart..<min(range.upperBound, blockStart + blockSize)
          heads.scores(rows, documents: documents, into: block, columnStarts: columnStarts)
          for (i, row) in documents.enumerated() {
            scratch.outputs.withUnsafeMutableBufferPointer {
              $0.baseAddress!.update(from: block + i * m, count: m)
            }
            out[row] = predict(scored: row, topK: topK, scratch: &scratch)
          }
        }
      }
    }
    return results.map { $0! }
  }

  /// Predicts one row of features.
  func predict(_ rows: SparseRows, row: Int, topK: Int, scratch: inout PredictionScratch) -> Prediction {
    scratch.outputs.withUnsafeMutableBufferPointer { outputs in
      heads.scores(rows, row: row, range: 0..<layout.outputCount, into: outputs.baseAddress!)
    }
    return predict(scored: row, topK: topK, scratch: &scratch)
  }

  /// Predicts one document whose raw outputs are already in `scratch.outputs`.
  func predict(scored row: Int, topK: Int, scratch: inout PredictionScratch) -> Prediction {
    NodeScores.fill(&scratch, layout: layout, taxonomy: taxonomy, order: order)
    let decoder = PathDecoder(
      taxonomy: taxonomy, beamWidth: configuration.beamWidth, stopThreshold: configuration.stopThreshold)
    if configuration.multiPath {
      let labels = scratch.probability.withUnsafeBufferPointer { p in
        scratch.thresholds.withUnsafeBufferPointer { t in
          decoder.decodeMultiPath(probabilities: p, thresholds: t)
        }
      }
      let set = Set(labels)
      let ends = labels.filter { node in !taxonomy.children(of: node).contains(where: set.contains) }
      let paths = ends.map { end in
        taxonomy.paths(to: end, limit: 1).first.map { Array($0.dropFirst()) } ?? [end]
      }
      return Prediction(
        paths: paths, pathScores: ends.map { scratch.marginal[$0] }, labels: labels,
        labelScores: labels.map { scratch.marginal[$0] })
    }
    let best = scratch.logScore.withUnsafeBufferPointer {
      decoder.decode(logScores: $0, count: max(1, topK), buffers: &scratch.decoder)
    }
    var labels: [Int] = []
    var seen: Set<Int> = []
    for path in best {
      for node in path.nodes where seen.insert(node).inserted { labels.append(node) }
    }
    return Prediction(
      paths: best.map(\.nodes), pathScores: best.map { expf($0.logScore) }, labels: labels,
      labelScores: labels.map { scratch.marginal[$0] })
  }
}

/// Per-thread buffers for prediction.
struct PredictionScratch {
  var outputs: [Float]
  /// Additive log-scores for the path decoder.
  var logScore: [Float]
  /// Conditional probability of each node given its parent (multi-path decoding).
  var probability: [Float]
  /// Probability of each node given the document.
  var marginal: [Float]
  var thresholds: [Float]
  /// The path decoder's buffers.
  var decoder = DecoderBuffers()

  init(nodeCount: Int, outputCount: Int) {
    outputs = [Float](repeating: 0, count: outputCount)
    logScore = [Float](repeating: -.infinity, count: nodeCount)
    probability = [Float](repeating: 0, count: nodeCount)
    marginal = [Float](repeating: 0, count: nodeCount)
    thresholds = [Float](repeating: 0.5, count: nodeCount)
  }
}

/// The gold labels of a training document: its label closure and one root-to-end path through it.
package struct GoldLabels {
  package var closure: Set<Int>
  package var path: [Int]

  package init(_ document: LabelledDocument, taxonomy: Taxonomy) throws(TaxonomyError) {
    var closure: Set<Int> = []
    for id in document.labels {
      guard let node = taxonomy.index(of: id) else {
        throw TaxonomyError(.unknownID, "document '\(document.id)' names unknown label '\(id)'")
      }
      closure.insert(node)
      closure.formUnion(taxonomy.ancestors(of: node))
    }
    closure.remove(taxonomy.root)
    self.closure = closure
    // The deepest label, then up through parents inside the closure.
    let end = closure.max { (taxonomy.depth(of: $0), -$0) < (taxonomy.depth(of: $1), -$1) }
    var path: [Int] = []
    var node = end
    while let current = node {
      path.append(current)
      node = taxonomy.parents(of: current).first { closure.contains($0) }
    }
    self.path = path.reversed()
  }
}
