import ArborRL
import ArborTensor
import ArborTree

/// The placement of `arbor organize add` as a tree-path policy (`ArborRL`'s contract), so that
/// `arbor finetune` can move a topic tree's centroids towards user corrections.
///
/// At an internal node v the logits over v's children j are `cos(x, c_j) / τ`, x the document's encoder
/// vector and `c_j` row j of the trainable `centroids` matrix `[nodes, dimension]` (initialised from the
/// tree's centroids: its normalised sums, or its tuned centroids when it was fine-tuned before); rows
/// are normalised inside the cosine, so their length never matters. τ is fixed (``defaultTemperature``).
/// Paths never stop early: documents sit at leaves. The greedy path is `--placement greedy`'s choice
/// (ties aside), for any τ.
///
/// Node indices of ``actionSpace``'s taxonomy are the tree's node indices (root 0) and its ids are the
/// tree's ids, so paths and corrections name nodes as `arbor organize` writes them.
public struct TopicTreePolicy: TreePathPolicy {
  /// The temperature used unless another is given: 0.05 turns a cosine margin of 0.05 between two
  /// siblings (a typical gap between a document's nearest centroids) into odds of e ≈ 2.7, so sampling
  /// still explores while the best child is clearly preferred; cosines span at most 2/τ = 40 logits.
  public static let defaultTemperature: Float = 0.05

  /// The name of the trainable centroid matrix in ``parameters``.
  public static let centroidsName = "centroids"

  /// The tree as a taxonomy; paths run to a leaf.
  public let actionSpace: TreeActionSpace
  /// `centroids`: `[nodes, dimension]`, one row per tree node (the root's row is never used).
  public var parameters: ParameterStore
  /// The fixed temperature τ of the logits.
  public let temperature: Float
  /// Width of the document vectors (the encoder's dimension).
  public let dimension: Int
  let centroids: ParameterID

  /// The policy of `tree`, its centroids as the starting parameters; throws when the tree's ids do not
  /// form a taxonomy (a duplicate id).
  public init(tree: TopicTree, temperature: Float = defaultTemperature) throws(TaxonomyError) {
    precondition(temperature > 0, "TopicTreePolicy: the temperature must be positive")
    let taxonomy = try Self.taxonomy(of: tree)
    actionSpace = TreeActionSpace(taxonomy: taxonomy, stopping: .never)
    self.temperature = temperature
    dimension = tree.dimension
    var store = ParameterStore()
    centroids = store.add(
      Self.centroidsName, Tensor(shape: [tree.nodes.count, tree.dimension], storage: tree.centroids),
      weightDecay: false)
    parameters = store
  }

  /// The taxonomy whose node indices are the tree's: the root (index 0) first, then every node in
  /// order, each under its parent; children come in the tree's order (ascending index).
  static func taxonomy(of tree: TopicTree) throws(TaxonomyError) -> Taxonomy {
    var builder = TaxonomyBuilder()
    let rootID = tree.nodes[0].id
    builder.declaredSyntheticRootID = rootID
    for node in tree.nodes {
      builder.addNode(TaxonomyNode(id: node.id, label: node.label.isEmpty ? node.id : node.label))
    }
    for node in tree.nodes {
      if let parent = node.parent { builder.addEdge(parent: tree.nodes[parent].id, child: node.id) }
    }
    let taxonomy = try builder.build()
    guard taxonomy.count == tree.nodes.count, taxonomy.root == 0 else {
      throw TaxonomyError(.schema, "the topic tree's nodes do not form one tree under its root")
    }
    return taxonomy
  }

  /// Splits row-major `[count, dimension]` document vectors into the policy's contexts.
  public func contexts(vectors: [Float]) -> [[Float]] {
    precondition(vectors.count % dimension == 0, "TopicTreePolicy: vectors are not [count, \(dimension)]")
    return (0..<(vectors.count / dimension)).map { Array(vectors[($0 * dimension)..<(($0 + 1) * dimension)]) }
  }

  /// For every (query, action) pair, the context row and the child's centroid row are gathered and their
  /// row-wise cosine divided by τ; padding columns repeat the node's first child and are masked by the
  /// caller.
  public func logits(for queries: [PolicyQuery], in contexts: [[Float]], on tape: Tape) -> Variable {
    let width = actionSpace.maximumActionCount
    var contextRows: [Int] = []
    var nodeRows: [Int] = []
    contextRows.reserveCapacity(queries.count * width)
    nodeRows.reserveCapacity(queries.count * width)
    for query in queries {
      let children = actionSpace.children(of: query.node)
      let fallback = children.first ?? query.node
      for a in 0..<width {
        contextRows.append(query.context)
        nodeRows.append(a < children.count ? children[children.startIndex + a] : fallback)
      }
    }
    var storage: [Float] = []
    storage.reserveCapacity(contexts.count * dimension)
    for context in contexts {
      precondition(context.count == dimension, "TopicTreePolicy: expected \(dimension)-dimensional vectors")
      storage.append(contentsOf: context)
    }
    let x = tape.constant(Tensor(shape: [contexts.count, dimension], storage: storage)).gatherRows(
      contextRows)
    let c = tape.parameter(centroids, in: parameters).gatherRows(nodeRows)
    return x.cosineSimilarity(c).reshaped([queries.count, width]).scaled(by: 1 / temperature)
  }
}

/// A path reward that scores a predicted path only down to the depth of the deepest gold node: a
/// correction to an internal topic says "somewhere under this topic" and leaves the leaf open.
///
/// The predicted labels are cut to the gold node's depth before `base` scores them, so under `exact`
/// every path through the corrected node earns 1 and under `hf1` a path earns the share of the
/// corrected node's path it follows. For a leaf correction the cut changes nothing.
public struct TopicCorrectionReward<Base: PathRewardFunction>: PathRewardFunction {
  /// The reward applied to the cut paths.
  public var base: Base
  let depths: [Int]

  /// Wraps `base` on `taxonomy` (a tree: each node's depth is its path length).
  public init(base: Base, taxonomy: Taxonomy) {
    self.base = base
    depths = taxonomy.indices.map { taxonomy.depth(of: $0) }
  }

  /// `base`'s reward of `predicted` cut to the depth of the deepest node of `gold`.
  public mutating func reward(predicted: [Int], gold: [Int]) -> Double {
    let depth = gold.map { depths[$0] }.max() ?? predicted.count
    return base.reward(predicted: Array(predicted.prefix(depth)), gold: gold)
  }
}

extension TopicTreeModel {
  /// The placement policy of this model's tree at temperature `temperature`.
  public func policy(temperature: Float = TopicTreePolicy.defaultTemperature) throws(TaxonomyError)
    -> TopicTreePolicy
  {
    try TopicTreePolicy(tree: tree, temperature: temperature)
  }

  /// This model with the centroids of a (fine-tuned) policy made from it as its tuned centroids
  /// (normalised); sums, sizes, documents and every node id are kept. `note` is saved as `finetuned`.
  public func updating(with policy: TopicTreePolicy, note: String? = nil) -> TopicTreeModel {
    precondition(
      policy.parameters[policy.centroids].shape == [tree.nodes.count, tree.dimension],
      "TopicTreeModel.updating: the policy was made from another tree")
    var copy = self
    var tuned = policy.parameters[policy.centroids].storage
    for node in tree.nodes.indices {
      RowVectors.normalize(&tuned, row: node, dimension: tree.dimension)
    }
    copy.tree.tunedCentroids = tuned
    if let note { copy.finetuning = note }
    return copy
  }

  /// Whether the safetensors file at `path` is a topic-tree model (metadata `model` = `arbor-topic-tree`).
  public static func isModelFile(_ path: String) -> Bool {
    guard let file = try? SafeTensorsFile(path: path) else { return false }
    return file.metadata["model"] == kind
  }
}
