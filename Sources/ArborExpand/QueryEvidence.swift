import ArborTensor
import ArborText

/// Similarities of one query to every node, from which candidate features are read: the dense cosine
/// to each node and to each internal node's child centroid, and the lexical TF-IDF cosine.
struct QueryEvidence {
  /// The unit-length query vector.
  var query: [Float]
  /// Cosine of the query with every node's vector.
  var dense: [Float]
  /// Cosine of the query with the centroid of each internal node's children (by `internalRow`).
  var centroid: [Float]
  /// Lexical cosine with every node (0 where no word is shared).
  var lexical: [Float]
  /// Nodes with a non-zero lexical cosine.
  var lexicalTouched: [Int32]
  /// A node hidden from this query (the pseudo-query itself in self-supervised training), or -1.
  var excluded: Int

  /// Whether `node` is hidden from the query.
  @inline(__always) func isHidden(_ node: Int) -> Bool { node == excluded }
}

extension ExpansionIndex {
  /// Evidence for a batch of queries: `vectors` is `[queries, dimension]` (scaled to unit length here),
  /// `texts` their texts, `excluded` a node to hide per query (or -1). Dense similarities for the whole
  /// batch come from two `sgemm` calls.
  func evidence(vectors: [Float], texts: [String], excluded: [Int]) -> [QueryEvidence] {
    let queryCount = texts.count
    precondition(vectors.count == queryCount * dimension && excluded.count == queryCount)
    guard queryCount > 0 else { return [] }
    var unit = vectors
    for row in 0..<queryCount {
      var squares: Float = 0
      for j in 0..<dimension { squares += unit[row * dimension + j] * unit[row * dimension + j] }
      if squares > 0 {
        let inverse = 1 / squares.squareRoot()
        for j in 0..<dimension { unit[row * dimension + j] *= inverse }
      }
    }
    let queries = Tensor(shape: [queryCount, dimension], storage: unit)
    let dense = queries.matmul(nodeVectors, transposeOther: true)
    let centroidDots =
      internalNodes.isEmpty
      ? Tensor(zeros: [queryCount, 0]) : queries.matmul(childSums, transposeOther: true)
    let internalCount = internalNodes.count
    var result: [QueryEvidence] = []
    result.reserveCapacity(queryCount)
    for row in 0..<queryCount {
      let query = Array(unit[(row * dimension)..<((row + 1) * dimension)])
      var denseRow = Array(dense.storage[(row * count)..<((row + 1) * count)])
      var centroidRow = [Float](repeating: 0, count: internalCount)
      for position in 0..<internalCount {
        let norm = childSumNorms[position]
        centroidRow[position] =
          norm > 0 ? centroidDots.storage[row * internalCount + position] / norm.squareRoot() : 0
      }
      var lexicalRow = [Float](repeating: 0, count: count)
      var touched: [Int32] = []
      lexical.accumulate(lexical.row(texts[row]), into: &lexicalRow, touched: &touched)
      let hidden = excluded[row]
      if hidden >= 0 {
        // The hidden node leaves every channel, and the child centroids of its parents lose it.
        let hiddenDot = denseRow[hidden]
        denseRow[hidden] = -2
        lexicalRow[hidden] = 0
        touched.removeAll { Int($0) == hidden }
        for parent in taxonomy.parents(of: hidden) {
          let position = Int(internalRow[parent])
          guard position >= 0 else { continue }
          var sumDotHidden: Float = 0
          for j in 0..<dimension {
            sumDotHidden +=
              childSums.storage[position * dimension + j] * nodeVectors.storage[hidden * dimension + j]
          }
          let remaining = childSumNorms[position] - 2 * sumDotHidden + 1
          let dot = centroidDots.storage[row * internalCount + position] - hiddenDot
          centroidRow[position] =
            taxonomy.children(of: parent).count > 1 && remaining > 1e-6
            ? dot / remaining.squareRoot() : 0
        }
      }
      result.append(
        QueryEvidence(
          query: query, dense: denseRow, centroid: centroidRow, lexical: lexicalRow, lexicalTouched: touched,
          excluded: hidden))
    }
    return result
  }
}

/// The `k` largest entries of `scores` (indices, best first; ties to the smaller index).
func topIndices(_ scores: [Float], count k: Int, among candidates: [Int32]? = nil) -> [Int] {
  guard k > 0 else { return [] }
  var heap: [(score: Float, index: Int)] = []  // a min-heap on (score, -index)
  heap.reserveCapacity(k + 1)
  func less(_ a: (score: Float, index: Int), _ b: (score: Float, index: Int)) -> Bool {
    a.score < b.score || (a.score == b.score && a.index > b.index)
  }
  func push(_ item: (score: Float, index: Int)) {
    if heap.count == k {
      guard less(heap[0], item) else { return }
      heap[0] = item
      var parent = 0
      while true {
        let left = 2 * parent + 1
        let right = left + 1
        var smallest = parent
        if left < heap.count && less(heap[left], heap[smallest]) { smallest = left }
        if right < heap.count && less(heap[right], heap[smallest]) { smallest = right }
        if smallest == parent { break }
        heap.swapAt(parent, smallest)
        parent = smallest
      }
    } else {
      heap.append(item)
      var child = heap.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard less(heap[child], heap[parent]) else { break }
        heap.swapAt(child, parent)
        child = parent
      }
    }
  }
  if let candidates {
    for index in candidates { push((scores[Int(index)], Int(index))) }
  } else {
    for index in scores.indices { push((scores[index], index)) }
  }
  return heap.sorted { less($1, $0) }.map(\.index)
}
