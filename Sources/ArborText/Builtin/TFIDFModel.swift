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
  }

  /// The smoothed inverse document frequency of `bucket`.
  @inline(__always)
  public func inverseDocumentFrequency(_ bucket: Int) -> Float {
    logf(Float(1 + documentCount) / Float(1 + Int(documentFrequencies[bucket]))) + 1
  }

  /// The unit-length TF-IDF row of `text` (empty when the text has no features).
  ///
  /// Buckets seen in fewer than `minimumDocumentFrequency` fitted texts are left out, as a
  /// vocabulary with a minimum document frequency would, and do not count toward the norm.
  public func transform(_ text: String, minimumDocumentFrequency: Int32 = 0) -> SparseVector {
    // Per kind, character buckets carry a high mark so that they sort after the word buckets and form
    // their own part; jointly there is one part.
    let mark = normalization == .perKind ? 1 << 62 : 0
    var buckets: [Int] = []
    extractor.appendBuckets(text, to: &buckets, characterMark: mark)
    guard !buckets.isEmpty else { return SparseVector(indices: [], values: []) }
    buckets.sort()
    var indices: [Int] = []
    var values: [Float] = []
    var characterStart = -1
    var start = 0
    while start < buckets.count {
      var end = start + 1
      while end < buckets.count, buckets[end] == buckets[start] { end += 1 }
      let bucket = buckets[start] & ~mark
      if documentFrequencies[bucket] >= minimumDocumentFrequency {
        if characterStart < 0, buckets[start] & mark != 0 { characterStart = indices.count }
        indices.append(bucket)
        values.append((1 + logf(Float(end - start))) * inverseDocumentFrequency(bucket))
      }
      start = end
    }
    if characterStart < 0 { characterStart = indices.count }
    for part in [0..<characterStart, characterStart..<indices.count] {
      let norm = values[part].reduce(0) { $0 + $1 * $1 }.squareRoot()
      if norm > 0 { for index in part { values[index] /= norm } }
    }
    if characterStart == 0 || characterStart == indices.count {
      return SparseVector(indices: indices, values: values)
    }
    return Self.merging(indices: indices, values: values, secondPartStart: characterStart)
  }

  /// One sorted row from two sorted parts (`0..<secondPartStart` and the rest); a bucket in both parts
  /// gets the sum of its two values.
  private static func merging(indices: [Int], values: [Float], secondPartStart: Int) -> SparseVector {
    var mergedIndices: [Int] = []
    var mergedValues: [Float] = []
    mergedIndices.reserveCapacity(indices.count)
    mergedValues.reserveCapacity(indices.count)
    var first = 0
    var second = secondPartStart
    while first < secondPartStart || second < indices.count {
      let takeFirst =
        second == indices.count || (first < secondPartStart && indices[first] <= indices[second])
      let position = takeFirst ? first : second
      if takeFirst { first += 1 } else { second += 1 }
      if let last = mergedIndices.last, last == indices[position] {
        mergedValues[mergedValues.count - 1] += values[position]
      } else {
        mergedIndices.append(indices[position])
        mergedValues.append(values[position])
      }
    }
    return SparseVector(indices: mergedIndices, values: mergedValues)
  }

  /// TF-IDF rows of many texts.
  public func transform(_ texts: [String]) -> [SparseVector] { texts.map { transform($0) } }
}
