import ArborTree

#if canImport(Glibc)
  import Glibc
#endif

/// Reusable storage of ``PathDecoder``'s beam search: partial paths live in one pool as
/// (score, last node, previous entry), so a search allocates nothing once the buffers have grown.
struct DecoderBuffers {
  var scores: [Float] = []
  var nodes: [Int32] = []
  var previous: [Int32] = []
  var beam: [Int32] = []
  var next: [Int32] = []
  var finished: [Int32] = []

  mutating func reset() {
    scores.removeAll(keepingCapacity: true)
    nodes.removeAll(keepingCapacity: true)
    previous.removeAll(keepingCapacity: true)
    beam.removeAll(keepingCapacity: true)
    next.removeAll(keepingCapacity: true)
    finished.removeAll(keepingCapacity: true)
  }

  /// Adds a pool entry and returns its index.
  mutating func add(score: Float, node: Int32, previous entry: Int32) -> Int32 {
    scores.append(score)
    nodes.append(node)
    previous.append(entry)
    return Int32(scores.count - 1)
  }

  /// The nodes of entry `entry`'s path, first level first, into `path`.
  func path(of entry: Int32, into path: inout [Int32]) {
    path.removeAll(keepingCapacity: true)
    var current = entry
    while current >= 0, nodes[Int(current)] >= 0 {
      path.append(nodes[Int(current)])
      current = previous[Int(current)]
    }
    path.reverse()
  }

  /// The decoder's order on pool entries: higher score first; ties broken by the node sequences, so
  /// decoding is deterministic (ties are rare, so their paths are built only then).
  func better(_ a: Int32, _ b: Int32) -> Bool {
    let sa = scores[Int(a)]
    let sb = scores[Int(b)]
    if sa != sb { return sa > sb }
    var left: [Int32] = []
    var right: [Int32] = []
    path(of: a, into: &left)
    path(of: b, into: &right)
    return left.lexicographicallyPrecedes(right)
  }

  /// Inserts `entry` into `list` (kept in `better` order) when it is among the first `limit`.
  func insert(_ entry: Int32, into list: inout [Int32], limit: Int) {
    if list.count == limit, let last = list.last, !better(entry, last) { return }
    var position = list.count
    while position > 0, better(entry, list[position - 1]) { position -= 1 }
    list.insert(entry, at: position)
    if list.count > limit { list.removeLast() }
  }
}

extension PathDecoder {
  /// ``decode(logScores:count:)`` on reusable buffers; the same paths in the same order.
  ///
  /// Sorting every candidate and cutting the list to the beam equals keeping the best `keep` by
  /// insertion, since `better` is a strict total order on distinct paths (no path is made twice).
  func decode(logScores: UnsafeBufferPointer<Float>, count: Int, buffers: inout DecoderBuffers)
    -> [ScoredPath]
  {
    buffers.reset()
    let keep = max(beamWidth, count)
    let root = buffers.add(score: 0, node: -1, previous: -1)
    buffers.beam.append(root)
    var finished: [Int32] = []
    swap(&finished, &buffers.finished)
    var next: [Int32] = []
    var beam: [Int32] = []
    swap(&next, &buffers.next)
    swap(&beam, &buffers.beam)
    while !beam.isEmpty {
      next.removeAll(keepingCapacity: true)
      for partial in beam {
        let lastNode = buffers.nodes[Int(partial)]
        let last = lastNode < 0 ? taxonomy.root : Int(lastNode)
        let children = taxonomy.children(of: last)
        if children.isEmpty {
          buffers.insert(partial, into: &finished, limit: max(1, count))
          continue
        }
        if let stopThreshold, lastNode >= 0,
          !children.contains(where: { logScores[$0].isFinite && expf(logScores[$0]) >= stopThreshold })
        {
          buffers.insert(partial, into: &finished, limit: max(1, count))
          continue
        }
        let base = buffers.scores[Int(partial)]
        for child in children {
          let entry = buffers.add(score: base + logScores[child], node: Int32(child), previous: partial)
          buffers.insert(entry, into: &next, limit: keep)
        }
      }
      swap(&beam, &next)
    }
    var result: [ScoredPath] = []
    result.reserveCapacity(finished.count)
    var path: [Int32] = []
    for entry in finished {
      buffers.path(of: entry, into: &path)
      result.append(ScoredPath(nodes: path.map { Int($0) }, logScore: buffers.scores[Int(entry)]))
    }
    swap(&finished, &buffers.finished)
    swap(&next, &buffers.next)
    swap(&beam, &buffers.beam)
    return result
  }
}
