import ArborText

/// An inverted index of TF-IDF rows (word unigrams and bigrams) over node texts, for the lexical
/// channel of candidate retrieval: cosine similarities of one query to every node in time
/// proportional to the postings of the query's words, not to the node count.
struct LexicalIndex: Sendable {
  /// The TF-IDF weighting fitted on the node texts.
  let model: TFIDFModel
  /// Postings by bucket: `postingStarts[b]..<postingStarts[b + 1]` index `postingNodes`/`postingWeights`.
  let postingStarts: [Int32]
  let postingNodes: [Int32]
  let postingWeights: [Float]
  /// Number of indexed rows.
  let rowCount: Int

  /// The word 1–2-gram features used by the lexical channel (no character n-grams), as the
  /// reference TF-IDF anchors use.
  static let extractor = HashedFeatureExtractor(
    bucketCount: 1 << 20, characterNGramLengths: nil, usesWordBigrams: true, seed: 0x1e71ca1)

  /// Fits idf on `texts` and indexes their unit-length rows.
  init(texts: [String]) {
    let model = TFIDFModel(fitting: texts, extractor: Self.extractor)
    let rows = texts.map { model.transform($0) }
    var counts = [Int32](repeating: 0, count: Self.extractor.bucketCount + 1)
    for row in rows { for bucket in row.indices { counts[bucket + 1] += 1 } }
    for bucket in 0..<Self.extractor.bucketCount { counts[bucket + 1] += counts[bucket] }
    var fill = counts
    let total = Int(counts[Self.extractor.bucketCount])
    var nodes = [Int32](repeating: 0, count: total)
    var weights = [Float](repeating: 0, count: total)
    for (node, row) in rows.enumerated() {
      for (bucket, weight) in zip(row.indices, row.values) {
        let slot = Int(fill[bucket])
        nodes[slot] = Int32(node)
        weights[slot] = weight
        fill[bucket] += 1
      }
    }
    self.model = model
    postingStarts = counts
    postingNodes = nodes
    postingWeights = weights
    rowCount = texts.count
  }

  /// The query's unit-length TF-IDF row.
  func row(_ text: String) -> SparseVector { model.transform(text) }

  /// Adds the cosine of `query` with every indexed row into `scores` (which must hold `rowCount`
  /// zeros where nothing was added yet) and appends each node touched for the first time to `touched`.
  func accumulate(_ query: SparseVector, into scores: inout [Float], touched: inout [Int32]) {
    for (bucket, weight) in zip(query.indices, query.values) {
      let start = Int(postingStarts[bucket])
      let end = Int(postingStarts[bucket + 1])
      for slot in start..<end {
        let node = Int(postingNodes[slot])
        if scores[node] == 0 { touched.append(Int32(node)) }
        scores[node] += weight * postingWeights[slot]
        if scores[node] == 0 { scores[node] = .leastNonzeroMagnitude }
      }
    }
  }
}
