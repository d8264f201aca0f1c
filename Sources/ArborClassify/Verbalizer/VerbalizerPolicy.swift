import ArborRL
import ArborTensor
import ArborTree

/// The verbalizer classifier as a tree-path policy (`ArborRL`'s contract), so that `arbor finetune` can
/// train its level projections and verbalizers on path rewards.
///
/// The policy is the classifier's own distribution over valid paths: with level probabilities
/// `p_d = softmax((x_d P_d) V_dᵀ)` (see ``VerbalizerClassifier``), a path's weight is `Π_d p_d(v_d)`, the
/// quantity the classifier's decoder maximises. Normalised over valid paths it factorises top-down with the
/// backward sums `β(v) = Σ_{c ∈ children(v)} p(c) β(c)` (`β = 1` at leaves): the logit of child c at node
/// n is `log p(c) + log β(c)`. Fine-tuning therefore moves exactly the scores the classifier decodes with.
/// Paths never stop early. A context is one document's level features, followed, when the classifier
/// has label prototypes, by its prototype scores `κ · x̂ P_dᵀ` of every level, which are added to
/// `(x_d P_d) V_dᵀ` as constants (``VerbalizerClassifier/policyContexts(for:)``).
public struct VerbalizerPolicy: TreePathPolicy {
  /// The taxonomy and its children lists; paths run to a leaf.
  public let actionSpace: TreeActionSpace
  /// `projection.d` and `verbalizer.d` for each level `d`.
  public var parameters: ParameterStore
  let levels: LevelStructure
  let width: Int
  let shared: Bool
  let projections: [ParameterID]
  let verbalizers: [ParameterID]
  let childMembership: [(Tensor, Tensor)]
  /// Number of prototype scores per level in a context (empty without prototypes).
  let priorCounts: [Int]

  /// The policy of a trained verbalizer classifier.
  public init(_ classifier: VerbalizerClassifier) {
    actionSpace = TreeActionSpace(taxonomy: classifier.taxonomy, stopping: .never)
    parameters = classifier.parameters
    levels = classifier.levels
    width = classifier.encoder.width
    if case .builtin = classifier.encoder.kind { shared = true } else { shared = false }
    var projections: [ParameterID] = []
    var verbalizers: [ParameterID] = []
    for level in 1...max(1, classifier.levels.levelCount) {
      // Both exist for every level of a trained or loaded classifier (train and load create them).
      if let projection = classifier.parameters.id(named: "projection.\(level)"),
        let verbalizer = classifier.parameters.id(named: "verbalizer.\(level)")
      {
        projections.append(projection)
        verbalizers.append(verbalizer)
      }
    }
    self.projections = projections
    self.verbalizers = verbalizers
    childMembership = childMembershipMatrices(classifier.taxonomy, classifier.levels)
    priorCounts = classifier.prototypes.map { $0.shape[0] }
  }

  /// Numbers per context: one vector for all levels (built-in encoder) or one per level (mask states),
  /// then the prototype scores of every level, if any.
  public var contextWidth: Int { featureWidth + priorCounts.reduce(0, +) }

  /// Numbers of the level features at the start of a context.
  var featureWidth: Int { shared ? width : levels.levelCount * width }

  /// Per level, `log p_d + log β` for every context, flattened into one column; the queried children's
  /// rows are gathered into `[queries, maximumActionCount]` (padding columns repeat row 0 and are masked).
  public func logits(for queries: [PolicyQuery], in contexts: [[Float]], on tape: Tape) -> Variable {
    let count = contexts.count
    let levelCount = projections.count
    var logProbabilities: [Variable] = []
    for level in 0..<levelCount {
      var storage = [Float]()
      storage.reserveCapacity(count * width)
      for context in contexts {
        precondition(context.count == contextWidth, "VerbalizerPolicy: expected \(contextWidth) numbers")
        let start = shared ? 0 : level * width
        storage.append(contentsOf: context[start..<(start + width)])
      }
      let x = tape.constant(Tensor(shape: [count, width], storage: storage))
      var scores = x.matmul(tape.parameter(projections[level], in: parameters))
        .matmul(tape.parameter(verbalizers[level], in: parameters), transposeOther: true)
      if level < priorCounts.count {
        let start = featureWidth + priorCounts[..<level].reduce(0, +)
        var priors = [Float]()
        priors.reserveCapacity(count * priorCounts[level])
        for context in contexts { priors.append(contentsOf: context[start..<(start + priorCounts[level])]) }
        scores = scores + tape.constant(Tensor(shape: [count, priorCounts[level]], storage: priors))
      }
      logProbabilities.append(scores.logSoftmax(axis: 1))
    }
    // Bottom-up: T_d = log p_d + log β_d, log β_d(v) = log Σ_{children c} exp T_{d+1}(c) (0 at leaves).
    var totals = [Variable?](repeating: nil, count: levelCount)
    for level in stride(from: levelCount - 1, through: 0, by: -1) {
      guard level + 1 < levelCount, let below = totals[level + 1] else {
        totals[level] = logProbabilities[level]
        continue
      }
      let (membership, hasChildren) = childMembership[level]
      let rowMaxima = (0..<count).map { row -> Float in
        let n = levels.nodes[level + 1].count
        var best = -Float.infinity
        for k in 0..<n { best = max(best, below.value.storage[row * n + k]) }
        return best.isFinite ? best : 0
      }
      let shift = tape.constant(Tensor(shape: [count, 1], storage: rowMaxima))
      let sums = (below - shift).exp().matmul(tape.constant(membership))
      let logBeta =
        ((sums + tape.constant(Tensor(repeating: 1e-30, shape: [1]))).log() + shift)
        * tape.constant(hasChildren)
      totals[level] = logProbabilities[level] + logBeta
    }
    var columns: [Variable] = []
    var offsets: [Int] = []
    var offset = 0
    for level in 0..<levelCount {
      let classes = levels.nodes[level].count
      if let total = totals[level] { columns.append(total.reshaped([count * classes, 1])) }
      offsets.append(offset)
      offset += count * classes
    }
    let all = columns.count == 1 ? columns[0] : concat(columns, axis: 0)
    let taxonomy = actionSpace.taxonomy
    let widthOfActions = actionSpace.maximumActionCount
    var rows = [Int](repeating: 0, count: queries.count * widthOfActions)
    for (q, query) in queries.enumerated() {
      for (a, child) in taxonomy.children(of: query.node).enumerated() where a < widthOfActions {
        let level = taxonomy.depth(of: child) - 1
        let classes = levels.nodes[level].count
        rows[q * widthOfActions + a] = offsets[level] + query.context * classes + levels.position[child]
      }
    }
    return all.gatherRows(rows).reshaped([queries.count, widthOfActions])
  }
}

/// For each level d below the deepest: the 0/1 matrix `[nodes at d + 1, nodes at d]` of child–parent
/// pairs, and `[1, nodes at d]` with 1 where the node has children at level d + 1.
func childMembershipMatrices(_ taxonomy: Taxonomy, _ levels: LevelStructure) -> [(Tensor, Tensor)] {
  var result: [(Tensor, Tensor)] = []
  for level in 0..<levels.levelCount {
    guard level + 1 < levels.levelCount else {
      result.append((Tensor(zeros: [1, 1]), Tensor(zeros: [1, levels.nodes[level].count])))
      continue
    }
    let parents = levels.nodes[level].count
    let children = levels.nodes[level + 1].count
    var matrix = [Float](repeating: 0, count: children * parents)
    var hasChildren = [Float](repeating: 0, count: parents)
    for (row, child) in levels.nodes[level + 1].enumerated() {
      for parent in taxonomy.parents(of: child) where taxonomy.depth(of: parent) == level + 1 {
        let column = levels.position[parent]
        matrix[row * parents + column] = 1
        hasChildren[column] = 1
      }
    }
    result.append(
      (
        Tensor(shape: [children, parents], storage: matrix),
        Tensor(shape: [1, parents], storage: hasChildren)
      ))
  }
  return result
}

extension VerbalizerClassifier {
  /// The contexts of ``VerbalizerPolicy`` for texts: each text's level features (through the tuned
  /// encoder layers, if any, as `predict` computes them), then its prototype scores of every level.
  public func policyContexts(for texts: [String]) throws(TaxonomyError) -> [[Float]] {
    let features = try encoder.features(texts, tuned: tunedLayers())
    let priors = try prototypeScores(texts)
    return texts.indices.map { row in
      let start = row * features.rowWidth
      var context = Array(features.values[start..<(start + features.rowWidth)])
      for level in priors {
        let count = level.shape[1]
        context += level.storage[(row * count)..<((row + 1) * count)]
      }
      return context
    }
  }

  /// This classifier with the parameters of a (fine-tuned) policy made from it.
  public func updating(with policy: VerbalizerPolicy) -> VerbalizerClassifier {
    var copy = self
    copy.parameters = policy.parameters
    return copy
  }
}
