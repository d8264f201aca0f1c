/// Summary counts of a taxonomy, as `arbor taxonomy stats` prints them.
public struct TaxonomyStatistics: Sendable, Equatable {
  /// Nodes, the root included.
  public var nodes: Int
  /// Parent–child edges.
  public var edges: Int
  /// Nodes without parents (always 1: a synthetic root is added when needed).
  public var roots: Int
  /// Whether the root is synthetic.
  public var syntheticRoot: Bool
  /// Nodes without children.
  public var leaves: Int
  /// Nodes with more than one parent.
  public var multiParentNodes: Int
  /// Greatest shortest-path depth (root at 0).
  public var maximumDepth: Int
  /// Mean shortest-path depth over all nodes.
  public var meanDepth: Double
  /// Node counts at depth 0, 1, 2, ...
  public var nodesPerLevel: [Int]

  /// Computes the summary.
  public init(_ taxonomy: Taxonomy) {
    nodes = taxonomy.count
    edges = taxonomy.edgeCount
    roots = taxonomy.indices.filter { taxonomy.parents(of: $0).isEmpty }.count
    syntheticRoot = taxonomy.hasSyntheticRoot
    leaves = taxonomy.indices.filter(taxonomy.isLeaf).count
    multiParentNodes = taxonomy.multiParentNodes.count
    maximumDepth = taxonomy.maximumDepth
    meanDepth = Double(taxonomy.depths.reduce(0) { $0 + Int($1) }) / Double(max(1, taxonomy.count))
    nodesPerLevel = taxonomy.nodesPerLevel
  }

  /// A JSON object with stable key order.
  public var json: String {
    """
    {"nodes": \(nodes), "edges": \(edges), "roots": \(roots), "synthetic_root": \(syntheticRoot), \
    "leaves": \(leaves), "multi_parent_nodes": \(multiParentNodes), "max_depth": \(maximumDepth), \
    "mean_depth": \(JSONWriter.number((meanDepth * 10000).rounded() / 10000)), \
    "nodes_per_level": [\(nodesPerLevel.map(String.init).joined(separator: ", "))]}
    """
  }

  /// A human-readable table.
  public var table: String {
    let mean = (meanDepth * 100).rounded() / 100
    var lines = [
      "nodes               \(nodes)",
      "edges               \(edges)",
      "roots               \(roots)\(syntheticRoot ? " (synthetic)" : "")",
      "leaves              \(leaves)",
      "multi-parent nodes  \(multiParentNodes)",
      "max depth           \(maximumDepth)",
      "mean depth          \(mean)",
      "nodes per level:",
    ]
    for (depth, count) in nodesPerLevel.enumerated() { lines.append("  depth \(depth)  \(count)") }
    return lines.joined(separator: "\n")
  }
}
