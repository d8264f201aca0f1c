import Foundation

/// The sparse TF-IDF view of hashed features, for linear models (Salton & Buckley 1988, "Term-weighting
/// approaches in automatic text retrieval"; sublinear tf as in Manning, Raghavan & Schütze 2008, §6.4.1).
///
/// A feature occurring tf > 0 times in a text weighs (1 + ln tf)·idf, with the smoothed
/// idf = ln((1 + N)/(1 + df)) + 1 over the N fitted texts, df of which contain it; rows are scaled to unit
/// L2 norm, as a whole or (``Normalization/perKind``) the word part and the character part each.
public struct TFIDFModel: Sendable {
  /// Which parts of a row are scaled to unit length.
  public enum Normalization: String, Sendable {
    /// The whole row.
    case joint
    /// Word uni- and bigrams to unit length, and character n-grams to unit length, separately (as two
    /// stacked TF-IDF vectorizers would, so the row's norm is √2); the many character n-grams then do
    /// not drown the words.
    case perKind = "per-kind"
  }

  /// How rows are scaled.
  public var normalization = Normalization.joint
  /// The features.
  public let extractor: HashedFeatureExtractor
  /// Number of texts the document frequencies came from.
  public let documentCount: Int
  /// Texts containing each bucket.
  public let documentFrequencies: [Int32]

  /// Counts document frequencies over `texts`.
  public init(fitting texts: [String], extractor: HashedFeatureExtractor = HashedFeatureExtractor()) {
    // Two halves counted on two threads, then added: the same counts as one pass.
    let chunkCount = 2
    var parts = [[Int32]](repeating: [], count: chunkCount)
    parts.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let results = buffer
      Parallel.forEachIndexedChunk(count: texts.count, threadCount: chunkCount, minimumChunk: 2048) {
        chunk, range in
        var frequencies = [Int32](repeating: 0, count: extractor.bucketCount)
        var buckets: [Int] = []
        for text in texts[range] {
          buckets.removeAll(keepingCapacity: true)
          extractor.appendBuckets(text, to: &buckets)
          buckets.sort()
          var previous = -1
          for bucket in buckets where bucket != previous {
            frequencies[bucket] += 1
            previous = bucket
          }
        }
        results[chunk] = frequencies
      }
    }
    var frequencies = parts[0]
    for part in parts.dropFirst() where !part.isEmpty {
      for index in frequencies.indices { frequencies[index] += part[index] }
    }
    if frequencies.isEmpty { frequencies = [Int32](repeating: 0, count: extractor.bucketCount) }
    self.init(extractor: extractor, documentCount: texts.count, documentFrequencies: frequencies)
  }

  /// Restores a fitted model; `documentFrequencies` must have `extractor.bucketCount` entries.
  public init(extractor: HashedFeatureExtractor, documentCount: Int, documentFrequencies: [Int32]) {
    precondition(documentFrequencies.count == extractor.bucketCount, "one document frequency per bucket")
    self.extractor = extractor
    self.documentCount = documentCount
    self.documentFrequencies = documentFrequencies
    // One logarithm per distinct frequency, not per bucket and text.
    let largest = max(0, Int(documentFrequencies.max() ?? 0))
    inverseFrequencyOfCount = (0...largest).map {
      Self.inverseDocumentFrequency(count: $0, of: documentCount)
    }
  }

  /// The smoothed idf of a feature in `count` of `documentCount` texts.
  static func inverseDocumentFrequency(count: Int, of documentCount: Int) -> Float {
    logf(Float(1 + documentCount) / Float(1 + count)) + 1
  }

  /// `inverseDocumentFrequency` by document frequency, `0...max(documentFrequencies)`.
  let inverseFrequencyOfCount: [Float]

  /// The smoothed inverse document frequency of `bucket`.
  @inline(__always)
  public func inverseDocumentFrequency(_ bucket: Int) -> Float {
    let count = Int(documentFrequencies[bucket])
    return count >= 0 && count < inverseFrequencyOfCount.count
      ? inverseFrequencyOfCount[count] : Self.inverseDocumentFrequency(count: count, of: documentCount)
  }

  /// The unit-length TF-IDF row of `text` (empty when the text has no features).
  ///
  /// Buckets seen in fewer than `minimumDocumentFrequency` fitted texts are left out, as a
  /// vocabulary with a minimum document frequency would, and do not count toward the norm.
  public func transform(_ text: String, minimumDocumentFrequency: Int32 = 0) -> SparseVector {
    var buffers = TransformBuffers()
    transform(text, minimumDocumentFrequency: minimumDocumentFrequency, into: &buffers)
    return SparseVector(indices: buffers.indices, values: buffers.values)
  }

  /// The row of ``transform(_:minimumDocumentFrequency:)`` written into `buffers.indices` and
  /// `buffers.values`, reusing their storage: the form for loops over many texts.
  public func transform(
    _ text: String, minimumDocumentFrequency: Int32 = 0, into buffers: inout TransformBuffers
  ) {
    // Character buckets carry a mark; sorting by (bucket, kind) puts every bucket's word feature
    // before its character feature, so each kind's entries come in ascending bucket order (the order
    // their squares are summed in) and the row needs no merge of two parts afterwards.
    let perKind = normalization == .perKind
    let mark = perKind ? 1 << 62 : 0
    buffers.buckets.removeAll(keepingCapacity: true)
    buffers.indices.removeAll(keepingCapacity: true)
    buffers.values.removeAll(keepingCapacity: true)
    buffers.kinds.removeAll(keepingCapacity: true)
    extractor.appendBuckets(text, to: &buffers.buckets, characterMark: mark)
    guard !buffers.buckets.isEmpty else { return }
    buffers.sortByBucketAndKind(mark: mark, bucketCount: extractor.bucketCount)
    var squares: (word: Float, character: Float) = (0, 0)
    buffers.buckets.withUnsafeBufferPointer { keys in
      var start = 0
      while start < keys.count {
        var end = start + 1
        while end < keys.count, keys[end] == keys[start] { end += 1 }
        let bucket = keys[start] >> 1
        if documentFrequencies[bucket] >= minimumDocumentFrequency {
          let value = Self.sublinearFrequency(end - start) * inverseDocumentFrequency(bucket)
          let isCharacter = keys[start] & 1 != 0
          if isCharacter { squares.character += value * value } else { squares.word += value * value }
          buffers.indices.append(bucket)
          buffers.values.append(value)
          buffers.kinds.append(isCharacter)
        }
        start = end
      }
    }
    let norms = (word: squares.word.squareRoot(), character: squares.character.squareRoot())
    let count = buffers.values.count
    buffers.values.withUnsafeMutableBufferPointer { values in
      buffers.kinds.withUnsafeBufferPointer { kinds in
        for index in 0..<count {
          let norm = kinds[index] ? norms.character : norms.word
          if norm > 0 { values[index] /= norm }
        }
      }
    }
    // A bucket that is both a word and a character feature (a hash collision) gets the sum of its two
    // values, word first.
    guard perKind else { return }
    var write = 0
    for read in 0..<count {
      if write > 0, buffers.indices[write - 1] == buffers.indices[read] {
        buffers.values[write - 1] += buffers.values[read]
      } else {
        buffers.indices[write] = buffers.indices[read]
        buffers.values[write] = buffers.values[read]
        write += 1
      }
    }
    buffers.indices.removeLast(count - write)
    buffers.values.removeLast(count - write)
  }

  /// `1 + ln tf`, from a table for small counts.
  @inline(__always)
  static func sublinearFrequency(_ count: Int) -> Float {
    count < sublinearTable.count ? sublinearTable[count] : 1 + logf(Float(count))
  }

  static let sublinearTable: [Float] = (0..<64).map { $0 == 0 ? 0 : 1 + logf(Float($0)) }

  /// TF-IDF rows of many texts.
  public func transform(_ texts: [String]) -> [SparseVector] { texts.map { transform($0) } }
}
