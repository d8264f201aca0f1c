import ArborTensor
import Foundation

/// HEF's coherence model over ego-trees (Wang et al. 2021, "Enquire One's Parent and Child Before
/// Decision: Fully Exploit Hierarchical Structure for Self-Supervised Taxonomy Expansion", WWW, §3.3),
/// on a frozen sentence encoder.
///
/// Each ego-tree node n becomes a token from its interaction with the query q: the element-wise product
/// q ⊙ e_n and the difference q − e_n (projected), the node's cheap similarity features (cosine,
/// lexical cosine, sibling votes; `CandidateFeatures`), plus absolute-depth, relative-depth
/// (depth(anchor) + 1 − depth(n)) and segment embeddings. Two summary tokens lead the sequence. One
/// transformer encoder layer (multi-head self-attention and a GELU feed-forward block, post-norm)
/// mixes the tokens; the Pathfinder head reads the first summary token (one logit, sigmoid: is the
/// anchor on the query's path) and the Stopper head the second (three logits, softmax: forward,
/// current, backward).
struct CoherenceModel: Sendable {
  /// Sizes.
  struct Shape: Sendable, Hashable {
    var input: Int
    var hidden = 64
    var heads = 2
    var feedForward = 128
    var depthBuckets = 32
  }

  let shape: Shape
  var store: ParameterStore

  static let parameterNames = [
    "coherence.input", "coherence.features", "coherence.input_bias", "coherence.absolute_depth",
    "coherence.relative_depth", "coherence.segment", "coherence.norm0.gain", "coherence.norm0.bias",
    "coherence.query", "coherence.key", "coherence.value", "coherence.output", "coherence.output_bias",
    "coherence.norm1.gain", "coherence.norm1.bias", "coherence.ffn1", "coherence.ffn1_bias",
    "coherence.ffn2", "coherence.ffn2_bias", "coherence.norm2.gain", "coherence.norm2.bias",
    "coherence.path1", "coherence.path1_bias", "coherence.path2", "coherence.path2_bias",
    "coherence.stop1", "coherence.stop1_bias", "coherence.stop2", "coherence.stop2_bias",
  ]

  /// A fresh model for query/node vectors of width `dimension`.
  init(dimension: Int, generator: inout RandomGenerator) {
    let shape = Shape(input: 2 * dimension)
    let h = shape.hidden
    var store = ParameterStore()
    func glorot(_ name: String, _ fanIn: Int, _ fanOut: Int) {
      _ = store.add(name, Tensor.glorotUniform(fanIn: fanIn, fanOut: fanOut, using: &generator))
    }
    func zeros(_ name: String, _ count: Int) {
      _ = store.add(name, Tensor(zeros: [count]), weightDecay: false)
    }
    func ones(_ name: String, _ count: Int) {
      _ = store.add(name, Tensor(repeating: 1, shape: [count]), weightDecay: false)
    }
    func table(_ name: String, _ rows: Int) {
      _ = store.add(name, Tensor.randomNormal(shape: [rows, h], standardDeviation: 0.02, using: &generator))
    }
    glorot("coherence.input", shape.input, h)
    glorot("coherence.features", CandidateFeatures.count, h)
    zeros("coherence.input_bias", h)
    table("coherence.absolute_depth", shape.depthBuckets)
    table("coherence.relative_depth", shape.depthBuckets)
    table("coherence.segment", 5)
    ones("coherence.norm0.gain", h)
    zeros("coherence.norm0.bias", h)
    glorot("coherence.query", h, h)
    glorot("coherence.key", h, h)
    glorot("coherence.value", h, h)
    glorot("coherence.output", h, h)
    zeros("coherence.output_bias", h)
    ones("coherence.norm1.gain", h)
    zeros("coherence.norm1.bias", h)
    glorot("coherence.ffn1", h, shape.feedForward)
    zeros("coherence.ffn1_bias", shape.feedForward)
    glorot("coherence.ffn2", shape.feedForward, h)
    zeros("coherence.ffn2_bias", h)
    ones("coherence.norm2.gain", h)
    zeros("coherence.norm2.bias", h)
    glorot("coherence.path1", h, h)
    zeros("coherence.path1_bias", h)
    glorot("coherence.path2", h, 1)
    zeros("coherence.path2_bias", 1)
    glorot("coherence.stop1", h, h)
    zeros("coherence.stop1_bias", h)
    glorot("coherence.stop2", h, 3)
    zeros("coherence.stop2_bias", 3)
    precondition(store.names == Self.parameterNames)
    self.shape = shape
    self.store = store
  }

  /// Restores a trained model.
  init(shape: Shape, store: ParameterStore) {
    self.shape = shape
    self.store = store
  }

  /// Pathfinder logits `[trees, 1]` and Stopper logits `[trees, 3]` of a batch.
  func forward(_ batch: CoherenceBatch, on tape: Tape) -> (path: Variable, stop: Variable) {
    let ids = store.ids
    func p(_ i: Int) -> Variable { tape.parameter(ids[i], in: store) }
    let trees = batch.treeCount
    let length = EgoTree.length
    let h = shape.hidden
    let interactions = tape.constant(
      Tensor(shape: [batch.interactionRows.count / shape.input, shape.input], storage: batch.interactionRows))
    let features = tape.constant(
      Tensor(shape: [trees * length, CandidateFeatures.count], storage: batch.tokenFeatures))
    var x = interactions.matmul(p(0)).gatherRows(batch.tokenRow) + features.matmul(p(1)) + p(2)
    x =
      x + p(3).gatherRows(batch.absoluteDepth) + p(4).gatherRows(batch.relativeDepth)
      + p(5).gatherRows(batch.segment)
    x = x.layerNorm(gain: p(6), bias: p(7), epsilon: 1e-5)

    let headWidth = h / shape.heads
    let queries = x.matmul(p(8)).reshaped([trees, length, h])
    let keys = x.matmul(p(9)).reshaped([trees, length, h])
    let values = x.matmul(p(10)).reshaped([trees, length, h])
    let mask = tape.constant(Tensor(shape: [trees, 1, length], storage: batch.keyMask))
    var heads: [Variable] = []
    for head in 0..<shape.heads {
      let range = (head * headWidth)..<((head + 1) * headWidth)
      let scores =
        queries.slice(axis: 2, range).batchedMatmul(keys.slice(axis: 2, range), transposeOther: true)
        .scaled(by: 1 / Float(headWidth).squareRoot()) + mask
      heads.append(scores.softmax(axis: -1).batchedMatmul(values.slice(axis: 2, range)))
    }
    let attended = concat(heads, axis: 2).reshaped([trees * length, h]).matmul(p(11)) + p(12)
    x = (x + attended).layerNorm(gain: p(13), bias: p(14), epsilon: 1e-5)
    let inner = (x.matmul(p(15)) + p(16)).gelu().matmul(p(17)) + p(18)
    x = (x + inner).layerNorm(gain: p(19), bias: p(20), epsilon: 1e-5)

    let pathRows = x.gatherRows((0..<trees).map { $0 * length })
    let stopRows = x.gatherRows((0..<trees).map { $0 * length + 1 })
    let path = (pathRows.matmul(p(21)) + p(22)).tanh().matmul(p(23)) + p(24)
    let stop = (stopRows.matmul(p(25)) + p(26)).tanh().matmul(p(27)) + p(28)
    return (path, stop)
  }
}

/// A batch of ego-trees laid out for `CoherenceModel.forward`.
struct CoherenceBatch {
  /// Rows `[q ⊙ e_n, q − e_n]` of each distinct (query, node) pair; row 0 is zeros (summary and
  /// padding tokens).
  var interactionRows: [Float]
  /// Per token (trees × `EgoTree.length`): its interaction row, feature row, depth buckets, segment.
  var tokenRow: [Int] = []
  var tokenFeatures: [Float] = []
  var absoluteDepth: [Int] = []
  var relativeDepth: [Int] = []
  var segment: [Int] = []
  /// Per tree and key position: 0, or −10⁴ for padding.
  var keyMask: [Float] = []
  var treeCount = 0
  private var rowOf: [Int64: Int] = [:]
  private let dimension: Int

  init(dimension: Int) {
    self.dimension = dimension
    interactionRows = [Float](repeating: 0, count: 2 * dimension)
  }

  /// Appends one tree for the query numbered `queryKey` with unit vector `query`; `features` holds the
  /// `CandidateFeatures` of each tree node (`[tree.nodes.count, F]`).
  mutating func append(
    _ tree: EgoTree, queryKey: Int, query: [Float], index: ExpansionIndex, features: [Float],
    depthBuckets: Int
  ) {
    let length = EgoTree.length
    let width = CandidateFeatures.count
    let anchorDepth = index.taxonomy.depth(of: tree.anchor)
    for slot in 0..<length {
      let position = slot - 2
      guard slot >= 2, position < tree.nodes.count else {
        tokenRow.append(0)
        absoluteDepth.append(0)
        relativeDepth.append(0)
        segment.append(slot < 2 ? slot : EgoTree.Segment.ancestor.rawValue)
        keyMask.append(slot < 2 ? 0 : -1e4)
        tokenFeatures.append(contentsOf: repeatElement(0, count: width))
        continue
      }
      let node = tree.nodes[position]
      let key = Int64(queryKey) << 32 | Int64(node)
      let row: Int
      if let existing = rowOf[key] {
        row = existing
      } else {
        row = interactionRows.count / (2 * dimension)
        rowOf[key] = row
        let base = node * dimension
        index.nodeVectors.storage.withUnsafeBufferPointer { vectors in
          for j in 0..<dimension { interactionRows.append(query[j] * vectors[base + j]) }
          for j in 0..<dimension { interactionRows.append(query[j] - vectors[base + j]) }
        }
      }
      tokenRow.append(row)
      let depth = index.taxonomy.depth(of: node)
      absoluteDepth.append(min(depth, depthBuckets - 1))
      relativeDepth.append(min(max(anchorDepth + 1 - depth, 0), depthBuckets - 1))
      segment.append(tree.segments[position].rawValue)
      keyMask.append(0)
      tokenFeatures.append(contentsOf: features[(position * width)..<((position + 1) * width)])
    }
    treeCount += 1
  }
}
