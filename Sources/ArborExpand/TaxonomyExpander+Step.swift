import ArborTensor

/// The coherence model's view of one top-down step at a node: whether to stop there and which child
/// to go to next. Meant for position policies that walk the taxonomy from the root.
public struct PositionStep: Sendable, Hashable {
  /// The node the step is at.
  public var node: Int
  /// Stopper probability that the query's position lies deeper (forward).
  public var forward: Float
  /// Stopper probability that the node itself is the position (current): stop here.
  public var current: Float
  /// Stopper probability that the node is past the position or off the path (backward).
  public var backward: Float
  /// Each child with its Pathfinder probability (is it on the query's path), best first.
  public var children: [ChildScore]

  /// A child and its score.
  public struct ChildScore: Sendable, Hashable {
    /// The child node.
    public var node: Int
    /// Pathfinder probability (or the retrieval scorer's probability without a coherence model).
    public var probability: Float
  }
}

extension TaxonomyExpander {
  /// Stopper probabilities at `node` and the Pathfinder probability of each of its children for one
  /// query (vector and text). Without a coherence model the Stopper is uniform and children are scored
  /// by the retrieval scorer.
  public func stepScores(queryVector: [Float], text: String, at node: Int) -> PositionStep {
    guard let evidence = index.evidence(vectors: queryVector, texts: [text], excluded: [-1]).first else {
      return PositionStep(node: node, forward: 1.0 / 3, current: 1.0 / 3, backward: 1.0 / 3, children: [])
    }
    let (_, votes) = index.candidates(for: evidence, settings: model.retrieval)
    let children = Array(index.taxonomy.children(of: node))
    var step = PositionStep(node: node, forward: 1.0 / 3, current: 1.0 / 3, backward: 1.0 / 3, children: [])
    if let coherence = model.coherence {
      var batch = CoherenceBatch(dimension: index.dimension)
      for anchor in [node] + children {
        let tree = index.egoTree(of: anchor, for: evidence)
        batch.append(
          tree, queryKey: 0, query: evidence.query, index: index,
          features: index.treeFeatures(tree, evidence: evidence, votes: votes),
          depthBuckets: coherence.shape.depthBuckets)
      }
      let (pathLogits, stopLogits) = coherence.forward(batch, on: Tape(training: false))
      let path = pathLogits.sigmoid().value.storage
      let stop = stopLogits.softmax(axis: -1).value.storage
      step.forward = stop[0]
      step.current = stop[1]
      step.backward = stop[2]
      step.children = children.enumerated().map {
        PositionStep.ChildScore(node: $1, probability: path[$0 + 1])
      }
    } else {
      var features = [Float](repeating: 0, count: children.count * CandidateFeatures.count)
      for (row, child) in children.enumerated() {
        index.writeFeatures(
          of: child, evidence: evidence, votes: votes, into: &features, at: row * CandidateFeatures.count)
      }
      let logits = model.scorer.scores(features, rows: children.count)
      step.children = children.enumerated().map {
        PositionStep.ChildScore(node: $1, probability: sigmoid(logits[$0]))
      }
    }
    step.children.sort {
      $0.probability > $1.probability || ($0.probability == $1.probability && $0.node < $1.node)
    }
    return step
  }
}
