import ArborRL
import ArborTensor
import ArborTree

/// One document's feature row (TF-IDF, then any sentence-vector columns), the context of
/// ``LinearClassifierPolicy``.
public struct SparseFeatureRow: Sendable, Hashable {
  /// Feature columns, ascending.
  public var columns: [Int32]
  /// The value of each column.
  public var values: [Float]
}

/// A single-path flat or local linear classifier as a tree-path policy (`ArborRL`'s contract), so that
/// `arbor finetune` can train its weights on path rewards.
///
/// With scores `z = x·W + b` over the classifier's outputs:
/// - local: the outputs of node n's children form n's softmax block, so the logits at n are that block;
/// - flat: the outputs are path ends; the logit of child c at n is `log Σ_{ends e under c} exp(z_e)` (one
///   bag sum per node), so the policy's choice at n is the classifier's softmax marginalised onto n's children.
/// Paths never stop early. Multi-path models have no single-path policy and are not supported.
public struct LinearClassifierPolicy: TreePathPolicy {
  /// The taxonomy and its children lists; paths run to a leaf.
  public let actionSpace: TreeActionSpace
  /// `weight` `[features, outputs]` and `bias` `[1, outputs]`.
  public var parameters: ParameterStore
  let layout: OutputLayout
  let weight: ParameterID
  let bias: ParameterID
  /// Flat layouts: for each node, the outputs at or below it (`embeddingBag` ids and offsets).
  let subtreeOutputs: (ids: [Int], offsets: [Int])?

  /// The policy of a trained single-path classifier, or nil for a multi-path one.
  public init?(_ classifier: HierarchicalClassifier) {
    guard !classifier.configuration.multiPath else { return nil }
    let taxonomy = classifier.taxonomy
    actionSpace = TreeActionSpace(taxonomy: taxonomy, stopping: .never)
    layout = classifier.layout
    var store = ParameterStore()
    let heads = classifier.heads
    weight = store.add(
      "weight", Tensor(shape: [heads.featureCount, heads.outputCount], storage: heads.weights),
      weightDecay: false)
    bias = store.add("bias", Tensor(shape: [1, heads.outputCount], storage: heads.bias), weightDecay: false)
    parameters = store
    if layout.kind == .flat {
      var outputsUnder = [[Int]](repeating: [], count: taxonomy.count)
      for output in 0..<heads.outputCount {
        let node = Int(layout.outputNode[output])
        outputsUnder[node].append(output)
        for ancestor in taxonomy.ancestors(of: node) { outputsUnder[ancestor].append(output) }
      }
      var ids: [Int] = []
      var offsets: [Int] = []
      for outputs in outputsUnder {
        offsets.append(ids.count)
        ids += outputs
      }
      subtreeOutputs = (ids, offsets)
    } else {
      subtreeOutputs = nil
    }
  }

  /// Scores of the contexts' outputs, `[contexts, outputs]`: one product over the features they use.
  func scores(_ contexts: [SparseFeatureRow], on tape: Tape) -> Variable {
    var used: [Int32: Int] = [:]
    var ids: [Int] = []
    for context in contexts {
      for column in context.columns where used[column] == nil {
        used[column] = ids.count
        ids.append(Int(column))
      }
    }
    var selection = [Float](repeating: 0, count: contexts.count * max(ids.count, 1))
    for (row, context) in contexts.enumerated() {
      for (column, value) in zip(context.columns, context.values) {
        if let slot = used[column] { selection[row * ids.count + slot] += value }
      }
    }
    let b = tape.parameter(bias, in: parameters)
    guard !ids.isEmpty else {
      return tape.constant(Tensor(zeros: [contexts.count, parameters[bias].count])) + b
    }
    let x = tape.constant(Tensor(shape: [contexts.count, ids.count], storage: selection))
    return x.matmul(tape.parameter(weight, in: parameters).gatherRows(ids)) + b
  }

  /// The logits of the queried nodes' children, gathered from the outputs (local) or from the subtree
  /// log-sums of the outputs (flat); padding columns repeat entry 0 and are masked by the caller.
  public func logits(for queries: [PolicyQuery], in contexts: [SparseFeatureRow], on tape: Tape) -> Variable {
    let z = scores(contexts, on: tape)
    let taxonomy = actionSpace.taxonomy
    let width = actionSpace.maximumActionCount
    var rows = [Int](repeating: 0, count: queries.count * width)
    let table: Variable
    let columns: Int
    if let subtreeOutputs {
      // Subtract each row's maximum (a constant: the softmax at every node is unchanged) before exp.
      let outputs = z.shape[1]
      var maxima = [Float](repeating: 0, count: contexts.count)
      for row in 0..<contexts.count {
        var best = -Float.infinity
        for k in 0..<outputs { best = max(best, z.value.storage[row * outputs + k]) }
        maxima[row] = best.isFinite ? best : 0
      }
      let shifted = z - tape.constant(Tensor(shape: [contexts.count, 1], storage: maxima))
      // [nodes, contexts] bag sums of the outputs under each node, then back to [contexts, nodes].
      let sums = shifted.exp().transposed()
        .embeddingBag(subtreeOutputs.ids, offsets: subtreeOutputs.offsets, reduction: .sum).transposed()
      table = (sums + tape.constant(Tensor(repeating: 1e-30, shape: [1]))).log()
      columns = taxonomy.count
      for (q, query) in queries.enumerated() {
        for (a, child) in taxonomy.children(of: query.node).enumerated() where a < width {
          rows[q * width + a] = query.context * columns + child
        }
      }
    } else {
      table = z
      columns = z.shape[1]
      for (q, query) in queries.enumerated() {
        let block = layout.childOutputs[query.node]
        for a in 0..<min(width, block.count) {
          rows[q * width + a] = query.context * columns + Int(block.lowerBound) + a
        }
      }
    }
    return table.reshaped([contexts.count * columns, 1]).gatherRows(rows).reshaped([queries.count, width])
  }
}

extension HierarchicalClassifier {
  /// The contexts of ``LinearClassifierPolicy`` for texts: their feature rows.
  public func policyContexts(for texts: [String]) throws(TaxonomyError) -> [SparseFeatureRow] {
    let rows = try rows(texts)
    return (0..<rows.count).map { row in
      let range = rows.offsets[row]..<rows.offsets[row + 1]
      return SparseFeatureRow(columns: Array(rows.columns[range]), values: Array(rows.values[range]))
    }
  }

  /// This classifier with the weights of a (fine-tuned) policy made from it.
  public func updating(with policy: LinearClassifierPolicy) -> HierarchicalClassifier {
    var heads = self.heads
    heads.weights = policy.parameters[policy.weight].storage
    heads.bias = policy.parameters[policy.bias].storage
    return HierarchicalClassifier(
      taxonomy: taxonomy, configuration: configuration, features: features, layout: layout, heads: heads,
      dense: dense, memory: memory)
  }
}
