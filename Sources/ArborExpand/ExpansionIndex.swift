import ArborTensor
import ArborTree

/// Everything about a taxonomy that expansion reads per query: structure in flat arrays, unit-length
/// node vectors from the encoder, sums of each internal node's child vectors, and the lexical index.
public struct ExpansionIndex: Sendable {
  /// The taxonomy the index describes.
  public let taxonomy: Taxonomy
  /// Vector width.
  public let dimension: Int
  /// Unit-length node vectors, `[taxonomy.count, dimension]`.
  let nodeVectors: Tensor
  /// Row of each node in `childSums`, or -1 for leaves.
  let internalRow: [Int32]
  /// Internal nodes by row.
  let internalNodes: [Int32]
  /// Sum of the child vectors of each internal node, `[internalNodes.count, dimension]`.
  let childSums: Tensor
  /// Squared norm of each child sum.
  let childSumNorms: [Float]
  /// The parent of each node on a shortest path to the root (-1 for the root): the ego-tree chain.
  let chainParent: [Int32]
  /// The lexical channel.
  let lexical: LexicalIndex

  /// Builds the index from node vectors (`[count, dimension]`, rows scaled here to unit length) and
  /// node texts (for the lexical channel).
  public init(taxonomy: Taxonomy, nodeVectors vectors: [Float], dimension: Int, nodeTexts: [String]) {
    precondition(vectors.count == taxonomy.count * dimension && nodeTexts.count == taxonomy.count)
    self.taxonomy = taxonomy
    self.dimension = dimension
    var normalized = vectors
    for node in 0..<taxonomy.count {
      let base = node * dimension
      var squares: Float = 0
      for j in 0..<dimension { squares += normalized[base + j] * normalized[base + j] }
      if squares > 0 {
        let inverse = 1 / squares.squareRoot()
        for j in 0..<dimension { normalized[base + j] *= inverse }
      }
    }
    nodeVectors = Tensor(shape: [taxonomy.count, dimension], storage: normalized)
    var rows = [Int32](repeating: -1, count: taxonomy.count)
    var internals: [Int32] = []
    for node in taxonomy.indices where !taxonomy.isLeaf(node) {
      rows[node] = Int32(internals.count)
      internals.append(Int32(node))
    }
    var sums = [Float](repeating: 0, count: internals.count * dimension)
    var norms = [Float](repeating: 0, count: internals.count)
    for (row, node) in internals.enumerated() {
      for child in taxonomy.children(of: Int(node)) {
        for j in 0..<dimension { sums[row * dimension + j] += normalized[child * dimension + j] }
      }
      var squares: Float = 0
      for j in 0..<dimension { squares += sums[row * dimension + j] * sums[row * dimension + j] }
      norms[row] = squares
    }
    internalRow = rows
    internalNodes = internals
    childSums = Tensor(shape: [internals.count, dimension], storage: sums)
    childSumNorms = norms
    var chain = [Int32](repeating: -1, count: taxonomy.count)
    for node in taxonomy.indices {
      var best: Int32 = -1
      for parent in taxonomy.parents(of: node)
      where best < 0 || taxonomy.depth(of: parent) < taxonomy.depth(of: Int(best)) {
        best = Int32(parent)
      }
      chain[node] = best
    }
    chainParent = chain
    lexical = LexicalIndex(texts: nodeTexts)
  }

  /// Node count.
  public var count: Int { taxonomy.count }

  /// The ancestors of `node` along shortest-path parents, nearest first, at most `limit`.
  func chain(above node: Int, limit: Int) -> [Int] {
    var result: [Int] = []
    var current = Int(chainParent[node])
    while current >= 0 && result.count < limit {
      result.append(current)
      current = Int(chainParent[current])
    }
    return result
  }

  /// Copies the unit vector of `node` into a new array.
  func vector(of node: Int) -> [Float] {
    Array(nodeVectors.storage[(node * dimension)..<((node + 1) * dimension)])
  }
}
