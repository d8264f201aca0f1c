import Foundation

/// The sparse TF-IDF view of hashed features, for linear models (Salton & Buckley 1988, "Term-weighting
/// approaches in automatic text retrieval"; sublinear tf as in Manning, Raghavan & Schütze 2008, §6.4.1).
///
/// A feature occurring tf > 0 times in a text weighs (1 + ln tf)·idf, with the smoothed
/// idf = ln((1 + N)/(1 + df)) + 1 over the N fitted texts, df of which contain it; rows are scaled to unit
/// L2 norm.
public struct TFIDFModel: Sendable {
  /// The features.
  public let extractor: HashedFeatureExtractor
  /// Number of texts the document frequencies came from.
  public let documentCount: Int
  /// Texts containing each bucket.
  public let documentFrequencies: [Int32]

  /// Counts document frequencies over `texts`.
  public init(fitting texts: [String], extractor: HashedFeatureExtractor = HashedFeatureExtractor()) {
    var frequencies = [Int32](repeating: 0, count: extractor.bucketCount)
    var buckets: [Int] = []
    for text in texts {
      buckets.removeAll(keepingCapacity: true)
      extractor.appendBuckets(text, to: &buckets)
      buckets.sort()
      var previous = -1
      for bucket in buckets where bucket != previous {
        frequencies[bucket] += 1
        previous = bucket
      }
    }
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
    var buckets = extractor.buckets(text)
    guard !buckets.isEmpty else { return SparseVector(indices: [], values: []) }
    buckets.sort()
    var indices: [Int] = []
    var values: [Float] = []
    var start = 0
    while start < buckets.count {
      var end = start + 1
      while end < buckets.count, buckets[end] == buckets[start] { end += 1 }
      if documentFrequencies[buckets[start]] < minimumDocumentFrequency {
        start = end
        continue
      }
      indices.append(buckets[start])
      values.append((1 + logf(Float(end - start))) * inverseDocumentFrequency(buckets[start]))
      start = end
    }
    let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    if norm > 0 { for index in values.indices { values[index] /= norm } }
    return SparseVector(indices: indices, values: values)
  }

  /// TF-IDF rows of many texts.
  public func transform(_ texts: [String]) -> [SparseVector] { texts.map { transform($0) } }
}
