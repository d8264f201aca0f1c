import ArborTree
import Foundation

/// Settings of candidate retrieval.
public struct RetrievalSettings: Sendable, Hashable {
  /// Candidates kept for reranking (N).
  public var candidateCount = 100
  /// Most similar nodes (per channel) whose parents receive a sibling vote.
  public var voteDepth = 30
  /// Most similar nodes (per channel) whose parents become candidates.
  public var parentPool = 60
  /// Most similar nodes (per channel) that become candidates themselves.
  public var nodePool = 30
  /// Internal nodes with the most similar child centroid that become candidates.
  public var centroidPool = 30

  /// The defaults.
  public init() {}
}

/// The cheap features of one candidate anchor for one query (`CandidateFeatures.names`).
struct CandidateFeatures {
  /// Feature names, in order; documented in docs/expand.md.
  static let names = [
    "dense", "dense-centroid", "dense-max-child", "dense-vote", "dense-vote-count",
    "lexical", "lexical-max-child", "lexical-vote", "lexical-vote-count",
    "log-children", "depth", "is-leaf", "dense-grandvote", "lexical-grandvote",
  ]
  /// Number of features.
  static let count = names.count
}

/// The candidates of one query with their features, before and after scoring.
struct CandidateSet {
  /// Candidate nodes.
  var nodes: [Int]
  /// `[nodes.count, CandidateFeatures.count]` features.
  var features: [Float]
}

/// Sibling votes of one query: each of its most similar nodes votes for its parents with its
/// similarity (and once more for its grandparents), per channel.
struct VoteTable {
  var dense: [Int: (sum: Float, count: Float, grand: Float)] = [:]
  var lexical: [Int: (sum: Float, count: Float, grand: Float)] = [:]
  var scale: Float = 1
}

extension ExpansionIndex {
  /// The candidate anchors of a query (sorted by index) with their features, and the vote table.
  func candidates(for evidence: QueryEvidence, settings: RetrievalSettings) -> (CandidateSet, VoteTable) {
    let hidden = evidence.excluded
    let pool = max(settings.voteDepth, settings.parentPool, settings.nodePool)
    let topDense = topIndices(evidence.dense, count: pool)
    let topLexical = topIndices(evidence.lexical, count: pool, among: evidence.lexicalTouched)
    let topCentroid = topIndices(evidence.centroid, count: settings.centroidPool).map {
      Int(internalNodes[$0])
    }

    var votes = VoteTable()
    votes.scale = 1 / Float(max(1, settings.voteDepth))
    for node in topDense.prefix(settings.voteDepth) where evidence.dense[node] > 0 {
      let score = evidence.dense[node]
      for parent in taxonomy.parents(of: node) {
        votes.dense[parent, default: (0, 0, 0)].sum += score
        votes.dense[parent, default: (0, 0, 0)].count += 1
        for grand in taxonomy.parents(of: parent) { votes.dense[grand, default: (0, 0, 0)].grand += score }
      }
    }
    for node in topLexical.prefix(settings.voteDepth) where evidence.lexical[node] > 0 {
      let score = evidence.lexical[node]
      for parent in taxonomy.parents(of: node) {
        votes.lexical[parent, default: (0, 0, 0)].sum += score
        votes.lexical[parent, default: (0, 0, 0)].count += 1
        for grand in taxonomy.parents(of: parent) { votes.lexical[grand, default: (0, 0, 0)].grand += score }
      }
    }

    var chosen = Set<Int>()
    for node in topDense.prefix(settings.parentPool) { chosen.formUnion(taxonomy.parents(of: node)) }
    for node in topLexical.prefix(settings.parentPool) { chosen.formUnion(taxonomy.parents(of: node)) }
    chosen.formUnion(topDense.prefix(settings.nodePool))
    chosen.formUnion(topLexical.prefix(settings.nodePool))
    chosen.formUnion(topCentroid)
    chosen.remove(hidden)
    let nodes = chosen.sorted()
    var features = [Float](repeating: 0, count: nodes.count * CandidateFeatures.count)
    for (row, node) in nodes.enumerated() {
      writeFeatures(
        of: node, evidence: evidence, votes: votes, into: &features, at: row * CandidateFeatures.count)
    }
    return (CandidateSet(nodes: nodes, features: features), votes)
  }

  /// Writes the `CandidateFeatures` of `node` into `features[base...]`.
  func writeFeatures(
    of node: Int, evidence: QueryEvidence, votes: VoteTable, into features: inout [Float], at base: Int
  ) {
    let hidden = evidence.excluded
    var childCount = 0
    var maxDense: Float = 0
    var maxLexical: Float = 0
    for child in taxonomy.children(of: node) where child != hidden {
      childCount += 1
      maxDense = max(maxDense, evidence.dense[child])
      maxLexical = max(maxLexical, evidence.lexical[child])
    }
    let position = Int(internalRow[node])
    let dense = votes.dense[node] ?? (0, 0, 0)
    let lexicalVotes = votes.lexical[node] ?? (0, 0, 0)
    features[base + 0] = node == hidden ? 0 : evidence.dense[node]
    features[base + 1] = position >= 0 ? evidence.centroid[position] : 0
    features[base + 2] = maxDense
    features[base + 3] = dense.sum * votes.scale
    features[base + 4] = dense.count * votes.scale
    features[base + 5] = evidence.lexical[node]
    features[base + 6] = maxLexical
    features[base + 7] = lexicalVotes.sum * votes.scale
    features[base + 8] = lexicalVotes.count * votes.scale
    features[base + 9] = logf(1 + Float(childCount)) / 4
    features[base + 10] = Float(taxonomy.depth(of: node)) / 16
    features[base + 11] = childCount == 0 ? 1 : 0
    features[base + 12] = dense.grand * votes.scale
    features[base + 13] = lexicalVotes.grand * votes.scale
  }
}
