import Foundation

/// The built-in dense encoder, which needs no download: the hashed features of `HashedFeatureExtractor`,
/// weighted by sublinear tf (times idf when a fitted `TFIDFModel` is given), projected to `dimension`
/// dimensions by signed feature hashing (Weinberger et al. 2009, "Feature Hashing for Large Scale Multitask
/// Learning": bucket b adds ±w to coordinate h(b) mod d, the sign from another bit of h(b)), and scaled to
/// unit L2 norm. This is a fixed sparse random projection of the TF-IDF row, so dot products approximate
/// the TF-IDF cosine.
public struct BuiltinEncoder: TextEncoder {
  /// The features.
  public let extractor: HashedFeatureExtractor
  /// Optional idf weights; without them every feature has idf 1.
  public let weighting: TFIDFModel?
  /// Width of every vector.
  public let dimension: Int

  /// Creates the encoder; `weighting`, when given, must use `extractor`.
  public init(
    extractor: HashedFeatureExtractor = HashedFeatureExtractor(), dimension: Int = 512,
    weighting: TFIDFModel? = nil
  ) {
    precondition(
      weighting == nil || weighting?.extractor == extractor, "the TF-IDF model must use the same features")
    self.extractor = extractor
    self.dimension = max(1, dimension)
    self.weighting = weighting
  }

  /// Every setting, plus a hash of the idf table when there is one.
  public var identity: String {
    var name = "builtin-v1:\(extractor.identity):d\(dimension)"
    if let weighting {
      var hash = StableHash()
      hash.combine(UInt64(weighting.documentCount))
      weighting.documentFrequencies.withUnsafeBytes { hash.combine($0) }
      name += ":idf\(hash.hex)"
    }
    return name
  }

  /// Unit-length vectors of `texts`, `[texts.count, dimension]`.
  public func encode(_ texts: [String]) -> [Float] {
    var output = [Float](repeating: 0, count: texts.count * dimension)
    var buckets: [Int] = []
    for (row, text) in texts.enumerated() {
      buckets.removeAll(keepingCapacity: true)
      extractor.appendBuckets(text, to: &buckets)
      buckets.sort()
      let base = row * dimension
      var start = 0
      while start < buckets.count {
        var end = start + 1
        while end < buckets.count, buckets[end] == buckets[start] { end += 1 }
        var weight = 1 + logf(Float(end - start))
        if let weighting { weight *= weighting.inverseDocumentFrequency(buckets[start]) }
        let mixed = Self.mix(UInt64(buckets[start]))
        let column = Int(mixed % UInt64(dimension))
        output[base + column] += (mixed >> 63) == 0 ? weight : -weight
        start = end
      }
      var squares: Float = 0
      for column in 0..<dimension { squares += output[base + column] * output[base + column] }
      if squares > 0 {
        let inverse = 1 / squares.squareRoot()
        for column in 0..<dimension { output[base + column] *= inverse }
      }
    }
    return output
  }

  /// A bijective 64-bit mixer (the SplitMix64 finalizer, Steele, Lea & Flood 2014), so that projection
  /// coordinates and signs do not reuse the bucket's low bits.
  @inline(__always)
  static func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
