/// Hashed feature ids of a batch of texts in the layout of an embedding bag (PyTorch's `EmbeddingBag`,
/// ArborTensor's `Variable.embeddingBag(_:offsets:)`): text `i` owns `ids[offsets[i]..<offsets[i + 1]]`
/// (the last text runs to the end). Mean-reducing a trainable `[bucketCount, d]` table over each bag is the
/// fastText text representation.
public struct HashedBags: Sendable, Equatable {
  /// Bucket ids of every text, concatenated; a repeated feature is repeated here.
  public var ids: [Int]
  /// Where each text's ids start; one entry per text, beginning with 0.
  public var offsets: [Int]

  /// The bags of `texts` under `extractor`.
  public init(_ texts: [String], extractor: HashedFeatureExtractor) {
    ids = []
    offsets = []
    offsets.reserveCapacity(texts.count)
    for text in texts {
      offsets.append(ids.count)
      extractor.appendBuckets(text, to: &ids)
    }
  }
}
