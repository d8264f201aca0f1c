import ArborTensor
import Foundation

/// One ranked position for a new term: the anchor that would become its parent, with scores.
public struct ExpansionPosition: Sendable, Hashable {
  /// The anchor node (index in the taxonomy).
  public var node: Int
  /// The ranking score in (0, 1]: F(a, q) · p_retrieval(a, q)^β for reranked anchors (each factor of F
  /// raised to its tuned exponent, 1 or 0), lower for the rest.
  public var score: Float
  /// HEF's Fitting Score F(a, q), when the coherence model scored this anchor.
  public var fittingScore: Float?
  /// The retrieval scorer's probability that the anchor is a parent.
  public var retrievalProbability: Float
}

/// Raw per-query outputs, before the Fitting Score constants are applied (kept apart so that the
/// constants can be tuned without running the models again).
struct RankingParts {
  /// The top retrieval candidates, best logit first.
  var nodes: [Int]
  var logits: [Float]
  /// How many of `nodes` (from the front) the coherence model scored.
  var reranked = 0
  /// Per reranked anchor: Pathfinder probability, Stopper "current", the chain parent's Stopper
  /// "forward" (nil at the root) and the best child's Stopper "backward" (nil for a leaf).
  var path: [Float] = []
  var current: [Float] = []
  var parentForward: [Float?] = []
  var childBackward: [Float?] = []
}

/// Places new terms in a taxonomy with a trained `ExpansionModel`.
public struct TaxonomyExpander: Sendable {
  /// The taxonomy with its vectors.
  public let index: ExpansionIndex
  /// The model.
  public let model: ExpansionModel
  /// Queries whose evidence is computed together (one `sgemm` each).
  public var chunkSize = 32

  /// Pairs an index with a model; the vector widths must agree.
  public init(index: ExpansionIndex, model: ExpansionModel) throws(ExpansionError) {
    guard index.dimension == model.dimension else {
      throw ExpansionError(
        "the model expects vectors of width \(model.dimension), the encoder gives \(index.dimension)")
    }
    self.index = index
    self.model = model
  }

  /// The best `limit` positions for each query (vectors `[queries, dimension]` and texts).
  public func rank(queryVectors: [Float], texts: [String], limit: Int) -> [[ExpansionPosition]] {
    rank(
      queryVectors: queryVectors, texts: texts, hiding: Array(repeating: -1, count: texts.count), limit: limit
    )
  }

  /// Like ``rank(queryVectors:texts:limit:)``, with `hiding[q]` (a node index, or -1) hidden from query `q`
  /// everywhere, as self-supervised training hides a pseudo-query's own node.
  public func rank(queryVectors: [Float], texts: [String], hiding: [Int], limit: Int) -> [[ExpansionPosition]]
  {
    var consensus = ConsensusRerank(index.taxonomy)
    return parts(queryVectors: queryVectors, texts: texts, excluded: hiding)
      .map { Self.positions(from: $0, constants: model.constants, limit: limit, consensus: &consensus) }
  }

  /// Raw ranking parts for queries, in chunks.
  func parts(queryVectors: [Float], texts: [String], excluded: [Int]) -> [RankingParts] {
    var result: [RankingParts] = []
    result.reserveCapacity(texts.count)
    let dimension = index.dimension
    var start = 0
    while start < texts.count {
      let end = min(texts.count, start + chunkSize)
      let evidences = index.evidence(
        vectors: Array(queryVectors[(start * dimension)..<(end * dimension)]),
        texts: Array(texts[start..<end]),
        excluded: Array(excluded[start..<end]))
      result += parts(for: evidences)
      start = end
    }
    return result
  }

  /// Retrieval, then the coherence model over the best `rerankCount` candidates of each query.
  func parts(for evidences: [QueryEvidence]) -> [RankingParts] {
    var allParts: [RankingParts] = []
    var batch = CoherenceBatch(dimension: index.dimension)
    var treeNodes: [[Int]] = []  // per query: the anchors whose trees were added, in batch order
    for (key, evidence) in evidences.enumerated() {
      let (candidates, votes) = index.candidates(for: evidence, settings: model.retrieval)
      let logits = model.scorer.scores(candidates.features, rows: candidates.nodes.count)
      let order = candidates.nodes.indices.sorted {
        logits[$0] > logits[$1] || (logits[$0] == logits[$1] && candidates.nodes[$0] < candidates.nodes[$1])
      }.prefix(model.retrieval.candidateCount)
      var parts = RankingParts(nodes: order.map { candidates.nodes[$0] }, logits: order.map { logits[$0] })
      var anchors: [Int] = []
      if let coherence = model.coherence {
        parts.reranked = min(model.rerankCount, parts.nodes.count)
        var seen = Set<Int>()
        for node in parts.nodes.prefix(parts.reranked) {
          var related = [node]
          let parent = Int(index.chainParent[node])
          if parent >= 0 { related.append(parent) }
          related += index.bestChildren(of: node, for: evidence, count: 1)
          for item in related where seen.insert(item).inserted {
            anchors.append(item)
            let tree = index.egoTree(of: item, for: evidence)
            batch.append(
              tree, queryKey: key, query: evidence.query, index: index,
              features: index.treeFeatures(tree, evidence: evidence, votes: votes),
              depthBuckets: coherence.shape.depthBuckets)
          }
        }
      }
      treeNodes.append(anchors)
      allParts.append(parts)
    }
    guard let coherence = model.coherence, batch.treeCount > 0 else { return allParts }
    let tape = Tape(training: false)
    let (pathLogits, stopLogits) = coherence.forward(batch, on: tape)
    let path = pathLogits.sigmoid().value.storage
    let stop = stopLogits.softmax(axis: -1).value.storage
    var offset = 0
    for (key, anchors) in treeNodes.enumerated() {
      var row: [Int: Int] = [:]
      for (position, node) in anchors.enumerated() { row[node] = offset + position }
      offset += anchors.count
      var parts = allParts[key]
      for node in parts.nodes.prefix(parts.reranked) {
        guard let r = row[node] else { continue }
        parts.path.append(path[r])
        parts.current.append(stop[r * 3 + 1])
        let parent = Int(index.chainParent[node])
        parts.parentForward.append(parent >= 0 ? row[parent].map { stop[$0 * 3 + 0] } : nil)
        let child = index.bestChildren(of: node, for: evidences[key], count: 1).first
        parts.childBackward.append(child.flatMap { row[$0] }.map { stop[$0 * 3 + 2] })
      }
      allParts[key] = parts
    }
    return allParts
  }

  /// Final positions from raw parts: reranked anchors by F(a, q)·σ(logit)^β (HEF's Fitting Score
  /// F = S_current(a)·S_path(a)·S_forward(parent(a))·S_backward(child*(a)), with `rootForward` and
  /// `leafBackward` where the parent or child is missing), then the other candidates by retrieval; with
  /// a `consensus` reranker and `consensusWeight > 0`, the best ones reranked by expected Wu & Palmer.
  static func positions(
    from parts: RankingParts, constants: FittingConstants, limit: Int, consensus: inout ConsensusRerank
  ) -> [ExpansionPosition] {
    var positions = positions(from: parts, constants: constants, limit: limit)
    consensus.rerank(&positions, reranked: parts.reranked, lambda: constants.consensusWeight)
    return positions
  }

  /// Final positions without consensus reranking.
  static func positions(from parts: RankingParts, constants: FittingConstants, limit: Int)
    -> [ExpansionPosition]
  {
    var positions: [ExpansionPosition] = []
    var lowest: Float = .infinity
    for position in 0..<parts.reranked {
      let probability = sigmoid(parts.logits[position])
      let fitting =
        parts.current[position] * parts.path[position]
        * (parts.parentForward[position] ?? constants.rootForward)
        * (parts.childBackward[position] ?? constants.leafBackward)
      let score =
        powf(parts.current[position], constants.currentWeight)
        * powf(parts.path[position], constants.pathWeight)
        * powf(parts.parentForward[position] ?? constants.rootForward, constants.forwardWeight)
        * powf(parts.childBackward[position] ?? constants.leafBackward, constants.backwardWeight)
        * powf(probability, constants.retrievalWeight)
      lowest = min(lowest, score)
      positions.append(
        ExpansionPosition(
          node: parts.nodes[position], score: score, fittingScore: fitting, retrievalProbability: probability)
      )
    }
    positions.sort { $0.score > $1.score || ($0.score == $1.score && $0.node < $1.node) }
    for position in parts.reranked..<parts.nodes.count where positions.count < limit {
      let probability = sigmoid(parts.logits[position])
      // Below every reranked anchor, in retrieval order.
      let score = parts.reranked > 0 ? min(lowest, probability) * 0.5 * probability : probability
      positions.append(
        ExpansionPosition(
          node: parts.nodes[position], score: score, fittingScore: nil, retrievalProbability: probability))
    }
    return Array(positions.prefix(limit))
  }
}

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// An expansion error: a sentence saying what is wrong.
public struct ExpansionError: Error, CustomStringConvertible, Sendable {
  /// What is wrong.
  public let message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}
