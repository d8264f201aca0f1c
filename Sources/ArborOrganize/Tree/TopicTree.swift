import ArborTensor
import ArborTree

/// A labelled topic tree over a document collection: every document under one leaf, every node with
/// a centroid, a size, a short label and distinguishing keyphrases.
///
/// Node 0 is the root (id `arbor:root`, not a topic); the other nodes are topics with ids that encode
/// their position when built (`t3`, `t3.1`, `t3.1.2`), kept for ever after (`add` only appends).
public struct TopicTree: Sendable {
  /// One node of the tree.
  public struct Node: Sendable, Hashable {
    /// Stable identifier.
    public var id: String
    /// The parent's index, nil for the root.
    public var parent: Int?
    /// Children's indices, in order.
    public var children: [Int]
    /// Documents in the node's subtree.
    public var size: Int
    /// A short label (a few words).
    public var label: String
    /// Phrases that distinguish the node from its siblings, best first.
    public var keyphrases: [String]

    /// Creates a node.
    public init(
      id: String, parent: Int?, children: [Int] = [], size: Int = 0, label: String = "",
      keyphrases: [String] = []
    ) {
      self.id = id
      self.parent = parent
      self.children = children
      self.size = size
      self.label = label
      self.keyphrases = keyphrases
    }
  }

  /// The id of the root node.
  public static let rootID = Taxonomy.syntheticRootID

  /// The nodes; index 0 is the root.
  public var nodes: [Node]
  /// Width of the vectors.
  public var dimension: Int
  /// Unnormalised sums of the unit-length vectors of each node's documents, `[nodes.count, dimension]`.
  public var sums: [Float]
  /// Document ids, in collection order.
  public var documentIDs: [String]
  /// The leaf of each document.
  public var documentLeaves: [Int]
  /// Unit-length centroids set by fine-tuning (`arbor finetune`), `[nodes.count, dimension]`, which
  /// placement uses instead of the normalised ``sums``; nil for a tree that was never fine-tuned.
  public var tunedCentroids: [Float]?

  /// Creates a tree.
  public init(nodes: [Node], dimension: Int, sums: [Float], documentIDs: [String], documentLeaves: [Int]) {
    self.nodes = nodes
    self.dimension = dimension
    self.sums = sums
    self.documentIDs = documentIDs
    self.documentLeaves = documentLeaves
  }

  /// The unit-length centroid of a node: its fine-tuned centroid when there is one, else its normalised sum.
  public func centroid(_ node: Int) -> [Float] {
    let source = tunedCentroids ?? sums
    var row = Array(source[(node * dimension)..<((node + 1) * dimension)])
    RowVectors.normalize(&row, row: 0, dimension: dimension)
    return row
  }

  /// Every centroid, row-major `[nodes.count, dimension]` (fine-tuned ones when present).
  public var centroids: [Float] {
    var all = tunedCentroids ?? sums
    RowVectors.normalizeRows(&all, dimension: dimension)
    return all
  }

  /// What placement adds new documents to, `[nodes.count, dimension]`: the ``sums``, or for a fine-tuned
  /// tree each tuned centroid scaled by the length of its node's sum, so that a new document moves a
  /// tuned centroid as much as it would move the untuned one.
  public var placementSums: [Float] {
    guard tunedCentroids != nil else { return sums }
    var result = centroids
    for node in nodes.indices {
      var length: Float = 0
      for j in 0..<dimension { length += sums[node * dimension + j] * sums[node * dimension + j] }
      length = length.squareRoot()
      for j in 0..<dimension { result[node * dimension + j] *= length }
    }
    return result
  }

  /// The depth of a node (root 0).
  public func depth(of node: Int) -> Int {
    var depth = 0
    var current = node
    while let parent = nodes[current].parent {
      depth += 1
      current = parent
    }
    return depth
  }

  /// Node indices from the top level down to `node` (the root excluded).
  public func path(to node: Int) -> [Int] {
    var path: [Int] = []
    var current = node
    while let parent = nodes[current].parent {
      path.append(current)
      current = parent
    }
    return path.reversed()
  }

  /// Whether a node is a leaf.
  public func isLeaf(_ node: Int) -> Bool { nodes[node].children.isEmpty }

  /// Number of nodes per depth below the root (`[top level, second level, ...]`).
  public var levelSizes: [Int] {
    var counts: [Int] = []
    for node in nodes.indices.dropFirst() {
      let depth = depth(of: node)
      while counts.count < depth { counts.append(0) }
      counts[depth - 1] += 1
    }
    return counts
  }

  /// The tree as an Arbor taxonomy: labels as preferred labels, keyphrases and sizes as the attributes
  /// `keyphrases` (joined by "; ") and `size`, and a definition that states both (SKOS keeps only that).
  public func taxonomy(title: String = "topics") throws(TaxonomyError) -> Taxonomy {
    var builder = TaxonomyBuilder()
    builder.syntheticRootLabel = title
    for node in nodes.indices.dropFirst() {
      let n = nodes[node]
      let phrases = n.keyphrases.joined(separator: "; ")
      let definition =
        "\(n.size) document\(n.size == 1 ? "" : "s")" + (phrases.isEmpty ? "" : "; keyphrases: " + phrases)
      builder.addNode(
        TaxonomyNode(
          id: n.id, label: n.label.isEmpty ? n.id : n.label, definition: definition,
          attributes: ["size": String(n.size), "keyphrases": phrases]))
      if let parent = n.parent, parent != 0 { builder.addEdge(parent: nodes[parent].id, child: n.id) }
    }
    return try builder.build()
  }
}
