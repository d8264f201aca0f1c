import ArborRL
import ArborTensor
import ArborTree

/// One query term as the context of ``ExpansionPolicy``: its retrieval candidates with their
/// standardized features, and, for every node at or above a candidate, the candidates in its subtree.
///
/// Made once per query by ``ExpansionPolicy/contexts(queryVectors:texts:hidden:)``; the evidence
/// (dense, centroid and lexical similarities to all nodes) is not kept, only what the policy reads.
public struct ExpansionPolicyContext: Sendable {
  /// The candidate anchors of the query, sorted by node index.
  public let candidates: [Int]
  /// `[candidates.count, CandidateFeatures.count]`, standardized with the retrieval scorer's statistics.
  let features: [Float]
  /// For each node that is a candidate or an ancestor of one: positions in `candidates` of the candidates
  /// in its subtree, the node itself included.
  let subtree: [Int: [Int]]

  /// The position of `node` in `candidates`, or nil.
  func position(of node: Int) -> Int? {
    var low = 0
    var high = candidates.count
    while low < high {
      let middle = (low + high) / 2
      if candidates[middle] < node { low = middle + 1 } else { high = middle }
    }
    return low < candidates.count && candidates[low] == node ? low : nil
  }
}

/// The expansion model's top-down position policy (`ArborRL`'s tree-path contract), so that
/// `arbor finetune` can train the expansion model on path rewards such as Wu & Palmer.
///
/// A query's retrieval scorer logits `s(a)` over its candidate anchors `C` define a flat distribution
/// `p(a) = exp s(a) / Σ_{b∈C} exp s(b)`; the policy is that distribution factored top-down. At node
/// `n` the logit of child `c` is `log Σ_{a ∈ C ∩ subtree(c)} exp s(a)` (the mass of the child's
/// subtree) and the logit of stopping at `n` ("attach here") is `s(n)` when `n` is a candidate; a leaf
/// ends the path (attach under it). On a tree, the probability of the path to `a` is then exactly
/// `p(a)`, so the untrained policy ranks as the trained retrieval scorer does (on a DAG, a candidate below
/// several children counts in each). Children without a candidate below them get a logit about 69 below
/// the best, i.e. probability ≈ 0; paths stay among the candidates, as `arbor expand`'s ranking does.
///
/// The trainable parameters are the retrieval scorer's (`retrieval.w1`, `b1`, `w2`, `b2`; `b2` cancels
/// in every softmax and keeps its value), so a fine-tuned policy is a fine-tuned expansion model
/// (``ExpansionModel/updating(with:)``): `arbor expand` orders candidates by the new scorer and uses its
/// probability in the ranking score. The coherence model is not part of the policy: its forward over
/// every child of WordNet's widest nodes (hundreds of children) per step would dominate training.
public struct ExpansionPolicy: TreePathPolicy {
  /// The taxonomy; paths may stop at any internal node but the root.
  public let actionSpace: TreeActionSpace
  /// The retrieval scorer's parameters.
  public var parameters: ParameterStore
  /// The index the contexts are computed with.
  public let index: ExpansionIndex
  let settings: RetrievalSettings
  let means: [Float]
  let deviations: [Float]

  /// The log of this is added to every subtree mass: an empty subtree's logit is log(1e-30) ≈ -69
  /// below the context's best candidate.
  static let emptyMass: Float = 1e-30

  /// The policy of a trained expansion model on `index` (the taxonomy with the model's encoder).
  public init(model: ExpansionModel, index: ExpansionIndex) {
    actionSpace = TreeActionSpace(taxonomy: index.taxonomy, stopping: .atInternalNodes)
    parameters = model.scorer.store
    self.index = index
    settings = model.retrieval
    means = model.scorer.means
    deviations = model.scorer.deviations
  }

  /// The contexts of query terms: `queryVectors` is `[texts.count, dimension]` from the model's
  /// encoder; `hidden[q]` is a node hidden from query `q` (a pseudo-query made from an existing node,
  /// as in the expansion trainer), or -1.
  public func contexts(queryVectors: [Float], texts: [String], hidden: [Int]) -> [ExpansionPolicyContext] {
    precondition(hidden.count == texts.count && queryVectors.count == texts.count * index.dimension)
    let scorer = RetrievalScorer(store: parameters, means: means, deviations: deviations)
    let taxonomy = index.taxonomy
    let dimension = index.dimension
    var result: [ExpansionPolicyContext] = []
    result.reserveCapacity(texts.count)
    let chunk = 32
    var start = 0
    while start < texts.count {
      let end = min(texts.count, start + chunk)
      let evidences = index.evidence(
        vectors: Array(queryVectors[(start * dimension)..<(end * dimension)]),
        texts: Array(texts[start..<end]), excluded: Array(hidden[start..<end]))
      for evidence in evidences {
        let (candidates, _) = index.candidates(for: evidence, settings: settings)
        var subtree: [Int: [Int]] = [:]
        for (position, node) in candidates.nodes.enumerated() {
          subtree[node, default: []].append(position)
          for ancestor in taxonomy.ancestors(of: node) { subtree[ancestor, default: []].append(position) }
        }
        result.append(
          ExpansionPolicyContext(
            candidates: candidates.nodes, features: scorer.standardized(candidates.features),
            subtree: subtree))
      }
      start = end
    }
    return result
  }

  /// Scorer logits of every candidate of the queried contexts, then per (query, action) the log of the
  /// summed exponentials over the action's candidates (an `embeddingBag` sum), shifted by the context's
  /// largest logit for stability (a constant: the log-sum-exp does not depend on it).
  public func logits(
    for queries: [PolicyQuery], in contexts: [ExpansionPolicyContext], on tape: Tape
  ) -> Variable {
    let width = actionSpace.maximumActionCount
    // Rows of the contexts the queries use.
    var base = [Int](repeating: -1, count: contexts.count)
    var features: [Float] = []
    var rows = 0
    for query in queries where base[query.context] < 0 {
      base[query.context] = rows
      features += contexts[query.context].features
      rows += contexts[query.context].candidates.count
    }
    guard rows > 0 else { return tape.constant(Tensor(zeros: [queries.count, width])) }
    let scores = scoreLogits(features, rows: rows, on: tape)  // [rows, 1]
    // The largest logit of each used context.
    var shiftOfRow = [Float](repeating: 0, count: rows)
    var shiftOfContext = [Float](repeating: 0, count: contexts.count)
    for (context, start) in base.enumerated() where start >= 0 {
      let count = contexts[context].candidates.count
      var best = -Float.infinity
      for row in start..<(start + count) { best = max(best, scores.value.storage[row]) }
      if !best.isFinite { best = 0 }
      shiftOfContext[context] = best
      for row in start..<(start + count) { shiftOfRow[row] = best }
    }
    let exponentials = (scores - tape.constant(Tensor(shape: [rows, 1], storage: shiftOfRow))).exp()
    var ids: [Int] = []
    var offsets: [Int] = []
    offsets.reserveCapacity(queries.count * width)
    var shifts = [Float](repeating: 0, count: queries.count * width)
    for (q, query) in queries.enumerated() {
      let context = contexts[query.context]
      let start = base[query.context]
      let children = actionSpace.children(of: query.node)
      for a in 0..<width {
        offsets.append(ids.count)
        shifts[q * width + a] = shiftOfContext[query.context]
        if a < children.count {
          if let members = context.subtree[children[children.startIndex + a]] {
            for member in members { ids.append(start + member) }
          }
        } else if a == children.count && actionSpace.canStop(at: query.node),
          let own = context.position(of: query.node)
        {
          ids.append(start + own)
        }
      }
    }
    let masses = exponentials.embeddingBag(ids, offsets: offsets, reduction: .sum)
    let floor = tape.constant(Tensor(shape: [1, 1], storage: [Self.emptyMass]))
    let logits =
      (masses + floor).log() + tape.constant(Tensor(shape: [queries.count * width, 1], storage: shifts))
    return logits.reshaped([queries.count, width])
  }

  /// The retrieval scorer's MLP on standardized features, `[rows, 1]`, from ``parameters``.
  func scoreLogits(_ standardized: [Float], rows: Int, on tape: Tape) -> Variable {
    RetrievalScorer(store: parameters, means: means, deviations: deviations)
      .logits(standardized, rows: rows, on: tape)
  }
}

extension ExpansionModel {
  /// This model with the retrieval scorer of a (fine-tuned) policy made from it; `note` is kept in the
  /// saved metadata as `finetuned` (e.g. what it was fine-tuned from and on which reward).
  public func updating(with policy: ExpansionPolicy, note: String? = nil) -> ExpansionModel {
    var copy = self
    copy.scorer.store = policy.parameters
    if let note { copy.finetuning = note }
    return copy
  }

  /// Whether the safetensors file at `path` is an expansion model (metadata `format` = `arbor-expand`).
  public static func isModelFile(_ path: String) -> Bool {
    guard let file = try? SafeTensorsFile(path: path) else { return false }
    return file.metadata["format"] == format
  }
}
