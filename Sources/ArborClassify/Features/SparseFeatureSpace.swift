import ArborText

/// TF-IDF features of the built-in hashed extractor, restricted to buckets seen in training.
///
/// Buckets that occur in fewer than `minimumDocumentFrequency` training texts are
/// dropped, as a vocabulary with a minimum document frequency would; the rest are
/// numbered densely so that weight matrices have one row per kept feature.
package struct SparseFeatureSpace: Sendable {
  package let weighting: TFIDFModel
  package let minimumDocumentFrequency: Int32
  /// The column of each bucket, or -1 when the bucket was dropped.
  package let columnOfBucket: [Int32]
  /// The number of kept buckets.
  package let featureCount: Int

  /// Fits document frequencies on training texts.
  package init(
    fitting texts: [String], extractor: HashedFeatureExtractor, minimumDocumentFrequency: Int32,
    normalization: TFIDFModel.Normalization = .joint
  ) {
    var weighting = TFIDFModel(fitting: texts, extractor: extractor)
    weighting.normalization = normalization
    self.init(weighting: weighting, minimumDocumentFrequency: minimumDocumentFrequency)
  }

  /// Restores a fitted space.
  package init(weighting: TFIDFModel, minimumDocumentFrequency: Int32) {
    self.weighting = weighting
    self.minimumDocumentFrequency = minimumDocumentFrequency
    var columns = [Int32](repeating: -1, count: weighting.documentFrequencies.count)
    var next: Int32 = 0
    for (bucket, df) in weighting.documentFrequencies.enumerated()
    where df >= max(1, minimumDocumentFrequency) {
      columns[bucket] = next
      next += 1
    }
    columnOfBucket = columns
    featureCount = Int(next)
  }

  /// The TF-IDF rows of texts, computed on two threads in fixed chunks so the result is deterministic.
  package func rows(_ texts: [String]) -> SparseRows {
    let chunkCount = 2
    var parts = [SparseRows](repeating: SparseRows(), count: chunkCount)
    parts.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let results = buffer
      Parallel.forEachIndexedChunk(count: texts.count, threadCount: chunkCount, minimumChunk: 128) {
        chunk, range in
        var rows = SparseRows()
        var buffers = TransformBuffers()
        for index in range { appendRow(texts[index], to: &rows, buffers: &buffers) }
        results[chunk] = rows
      }
    }
    var all = SparseRows()
    for part in parts { all.append(contentsOf: part) }
    return all
  }

  /// Appends the TF-IDF row of one text, reusing `buffers`.
  package func appendRow(_ text: String, to rows: inout SparseRows, buffers: inout TransformBuffers) {
    weighting.transform(text, minimumDocumentFrequency: max(1, minimumDocumentFrequency), into: &buffers)
    rows.append(columns: buffers.indices.lazy.map { columnOfBucket[$0] }, values: buffers.values)
  }
}
