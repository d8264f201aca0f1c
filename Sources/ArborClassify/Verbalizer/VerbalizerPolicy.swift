import ArborRL
import ArborTensor
import ArborTree

/// The verbalizer classifier as a tree-path policy (`ArborRL`'s contract), so that `arbor finetune` can
/// train its level projections and verbalizers on path rewards.
///
/// At node `n` the logits of the children are their verbalizer scores at their own level `d`,
/// `s_d = (x_d P_d) V_dᵀ` (the classifier's scores; see ``VerbalizerClassifier``), so the policy's
/// distribution over children is the classifier's level-`d` softmax restricted to `n`'s children. Paths
/// never stop early. A context is one document's level features (``VerbalizerClassifier/policyContexts(for:)``).
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
  }

  /// Numbers per context: one vector for all levels (built-in encoder) or one per level (mask states).
  public var contextWidth: Int { shared ? width : levels.levelCount * width }

  /// Every level's scores for every context, flattened into one column; the queried children's rows
  /// are gathered into `[queries, maximumActionCount]` (padding columns repeat row 0 and are masked).
  public func logits(for queries: [PolicyQuery], in contexts: [[Float]], on tape: Tape) -> Variable {
    let count = contexts.count
    var columns: [Variable] = []
    var offsets: [Int] = []
    var offset = 0
    for level in 0..<projections.count {
      var storage = [Float]()
      storage.reserveCapacity(count * width)
      for context in contexts {
        precondition(context.count == contextWidth, "VerbalizerPolicy: expected \(contextWidth) numbers")
        let start = shared ? 0 : level * width
        storage.append(contentsOf: context[start..<(start + width)])
      }
      let x = tape.constant(Tensor(shape: [count, width], storage: storage))
      let scores = x.matmul(tape.parameter(projections[level], in: parameters))
        .matmul(tape.parameter(verbalizers[level], in: parameters), transposeOther: true)
      let classes = levels.nodes[level].count
      columns.append(scores.reshaped([count * classes, 1]))
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

extension VerbalizerClassifier {
  /// The contexts of ``VerbalizerPolicy`` for texts: each text's level features.
  public func policyContexts(for texts: [String]) throws(TaxonomyError) -> [[Float]] {
    let features = try encoder.features(texts)
    return texts.indices.map { row in
      let start = row * features.rowWidth
      return Array(features.values[start..<(start + features.rowWidth)])
    }
  }

  /// This classifier with the parameters of a (fine-tuned) policy made from it.
  public func updating(with policy: VerbalizerPolicy) -> VerbalizerClassifier {
    var copy = self
    copy.parameters = policy.parameters
    return copy
  }
}
