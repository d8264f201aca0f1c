import ArborTensor
import ArborTree

/// A synthetic hierarchical classification task for testing and benchmarking tree-path training: a
/// complete `branching`-ary tree of depth `depth`, and inputs that concatenate, for each level, the
/// embedding of the gold path's node at that level plus Gaussian noise (one level can be made harder
/// with more noise). A linear softmax policy per node can represent the Bayes-optimal decisions.
public struct SyntheticTreeTask: Sendable {
  /// The complete tree (ids `r`, `r.0`, `r.0.3`, ...).
  public let taxonomy: Taxonomy
  /// The action space (paths end at leaves).
  public let actionSpace: TreeActionSpace
  /// Dimensions of each level's embedding.
  public let embeddingSize: Int
  /// Noise standard deviation per level (index 0 = depth 1).
  public let noise: [Float]
  /// The leaves, every gold label is one of them.
  public let leaves: [Int]
  let embeddings: [[Float]]

  /// Builds the tree and draws the node embeddings (standard normal) from `seed`.
  public init(branching: Int, depth: Int, embeddingSize: Int, noise: [Float], seed: UInt64) throws {
    precondition(noise.count == depth, "SyntheticTreeTask: one noise level per depth")
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "r"))
    var frontier = ["r"]
    for _ in 0..<depth {
      var next: [String] = []
      for parent in frontier {
        for child in 0..<branching {
          let id = "\(parent).\(child)"
          builder.addNode(TaxonomyNode(id: id))
          builder.addEdge(parent: parent, child: id)
          next.append(id)
        }
      }
      frontier = next
    }
    taxonomy = try builder.build()
    actionSpace = TreeActionSpace(taxonomy: taxonomy)
    self.embeddingSize = embeddingSize
    self.noise = noise
    leaves = taxonomy.leaves
    var generator = RandomGenerator(seed: seed)
    embeddings = (0..<taxonomy.count).map { _ in (0..<embeddingSize).map { _ in generator.nextNormal() } }
  }

  /// Length of an input vector.
  public var featureCount: Int { embeddingSize * noise.count }

  /// `count` samples with uniformly drawn gold leaves: feature vectors and gold labels (the leaf).
  public func samples(count: Int, using generator: inout RandomGenerator) -> (
    contexts: [[Float]], golds: [[Int]]
  ) {
    var contexts: [[Float]] = []
    var golds: [[Int]] = []
    for _ in 0..<count {
      let leaf = leaves[generator.nextInt(below: leaves.count)]
      var features: [Float] = []
      features.reserveCapacity(featureCount)
      for (level, node) in actionSpace.path(to: leaf).enumerated() {
        for value in embeddings[node] { features.append(value + noise[level] * generator.nextNormal()) }
      }
      contexts.append(features)
      golds.append([leaf])
    }
    return (contexts, golds)
  }
}
