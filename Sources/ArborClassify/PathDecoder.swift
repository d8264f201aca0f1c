import ArborTree

#if canImport(Glibc)
  import Glibc
#endif

/// A root-to-node path with its score.
public struct ScoredPath: Sendable, Hashable {
  /// Node indices from the first level below the root down to the last node.
  public var nodes: [Int]
  /// The sum of the per-node log-scores along the path.
  public var logScore: Float
}

/// Decoding that never returns an invalid path: top-down beam search over the taxonomy's edges.
///
/// The model supplies an additive log-score for every node (for a local model
/// log p(node | parent), for a per-level model log p_level(node)); a path's
/// score is the sum over its nodes below the root. Paths end at leaves, or at
/// an internal node when no child's probability reaches `stopThreshold`.
public struct PathDecoder: Sendable {
  /// The taxonomy decoded over.
  public let taxonomy: Taxonomy
  /// Partial paths kept per level.
  public var beamWidth: Int
  /// When set, a path may stop at an internal node whose children all have probability below this.
  public var stopThreshold: Float?

  /// Creates a decoder.
  public init(taxonomy: Taxonomy, beamWidth: Int = 10, stopThreshold: Float? = nil) {
    self.taxonomy = taxonomy
    self.beamWidth = max(1, beamWidth)
    self.stopThreshold = stopThreshold
  }

  /// The best `count` (at least one) complete paths under per-node log-scores, best first.
  ///
  /// The stop rule reads a child's probability as the exponential of its log-score.
  public func decode(logScores: UnsafeBufferPointer<Float>, count: Int = 1) -> [ScoredPath] {
    var buffers = DecoderBuffers()
    return decode(logScores: logScores, count: max(1, count), buffers: &buffers)
  }

  /// Multi-path decoding: nodes whose probability reaches their threshold, kept only under kept parents.
  ///
  /// A child is kept when p(child) ≥ threshold(child) and one of its parents is
  /// the root or kept, so the result is closed under ancestors. When nothing
  /// passes at the first level, the single best path is returned instead.
  public func decodeMultiPath(
    probabilities: UnsafeBufferPointer<Float>, thresholds: UnsafeBufferPointer<Float>
  ) -> [Int] {
    var kept = [Bool](repeating: false, count: taxonomy.count)
    kept[taxonomy.root] = true
    var result: [Int] = []
    var frontier = [taxonomy.root]
    var head = 0
    while head < frontier.count {
      let node = frontier[head]
      head += 1
      for child in taxonomy.children(of: node) where !kept[child] && probabilities[child] >= thresholds[child]
      {
        kept[child] = true
        result.append(child)
        frontier.append(child)
      }
    }
    if result.isEmpty {
      var logs = [Float](repeating: -.infinity, count: taxonomy.count)
      for i in 0..<taxonomy.count { logs[i] = logf(max(probabilities[i], 1e-30)) }
      return logs.withUnsafeBufferPointer { decode(logScores: $0).first?.nodes ?? [] }
    }
    return result.sorted()
  }
}
