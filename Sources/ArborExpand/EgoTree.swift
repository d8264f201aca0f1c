/// The ego-tree of an anchor for one query (HEF, Wang et al. 2021, §3.2): the anchor, its ancestors
/// up to the root along shortest-path parents (nearest `maximumAncestors` kept), and up to
/// `maximumChildren` of its children most similar to the query.
struct EgoTree {
  /// Token kinds, the segment ids of the coherence model (0 and 1 are its two summary tokens).
  enum Segment: Int {
    case pathfinderSummary = 0
    case stopperSummary = 1
    case ancestor = 2
    case anchor = 3
    case child = 4
  }

  /// The anchor.
  var anchor: Int
  /// Nodes top-down: ancestors (root first), the anchor, then the chosen children.
  var nodes: [Int]
  /// The segment of each node.
  var segments: [Segment]

  static let maximumAncestors = 8
  static let maximumChildren = 3
  /// Tokens per tree: two summary tokens plus the nodes.
  static let length = 2 + maximumAncestors + 1 + maximumChildren
}

extension ExpansionIndex {
  /// The ego-tree of `anchor` for a query; children ranked by dense plus lexical similarity to the
  /// query, the hidden node never included.
  func egoTree(of anchor: Int, for evidence: QueryEvidence) -> EgoTree {
    let ancestors = chain(above: anchor, limit: EgoTree.maximumAncestors)
    var nodes: [Int] = ancestors.reversed()
    var segments = [EgoTree.Segment](repeating: .ancestor, count: nodes.count)
    nodes.append(anchor)
    segments.append(.anchor)
    for child in bestChildren(of: anchor, for: evidence, count: EgoTree.maximumChildren) {
      nodes.append(child)
      segments.append(.child)
    }
    return EgoTree(anchor: anchor, nodes: nodes, segments: segments)
  }

  /// Up to `count` children of `node` most similar to the query (dense + lexical cosine), best first.
  func bestChildren(of node: Int, for evidence: QueryEvidence, count: Int) -> [Int] {
    var scored: [(Float, Int)] = []
    for child in taxonomy.children(of: node) where child != evidence.excluded {
      scored.append((evidence.dense[child] + evidence.lexical[child], child))
    }
    scored.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    return scored.prefix(count).map(\.1)
  }
}

extension ExpansionIndex {
  /// The `CandidateFeatures` of every node of `tree`, `[tree.nodes.count, F]`.
  func treeFeatures(_ tree: EgoTree, evidence: QueryEvidence, votes: VoteTable) -> [Float] {
    var features = [Float](repeating: 0, count: tree.nodes.count * CandidateFeatures.count)
    for (position, node) in tree.nodes.enumerated() {
      writeFeatures(
        of: node, evidence: evidence, votes: votes, into: &features, at: position * CandidateFeatures.count)
    }
    return features
  }
}
