import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Taxonomy walks that decoding repeats for every document, computed once per model.
struct NodeOrder: Sendable {
  /// Nodes with every node after its parents.
  let topological: [Int]
  /// Each output's node and all its ancestors below the root (flat layouts).
  let outputAncestors: [[Int32]]

  init(taxonomy: Taxonomy, layout: OutputLayout) {
    topological = taxonomy.topologicalOrder.filter { $0 != taxonomy.root }
    outputAncestors = layout.outputNode.map { node in
      ([Int(node)] + taxonomy.ancestors(of: Int(node))).filter { $0 != taxonomy.root }.map(Int32.init)
    }
  }
}

/// Turns a linear model's raw outputs into per-node scores for decoding.
enum NodeScores {
  /// Fills `logScore` (additive, for beam search), `probability` (node given parent) and `marginal`.
  static func fill(
    _ scratch: inout PredictionScratch, layout: OutputLayout, taxonomy: Taxonomy, order: NodeOrder
  ) {
    let count = taxonomy.count
    for node in 0..<count {
      scratch.logScore[node] = -.infinity
      scratch.probability[node] = 0
      scratch.marginal[node] = 0
    }
    switch (layout.kind, layout.multiPath) {
    case (.local, false):
      // Softmax within each parent's block: log p(child | parent).
      for parent in 0..<count {
        let block = layout.childOutputs[parent]
        guard !block.isEmpty else { continue }
        var maximum = -Float.infinity
        for o in block { maximum = max(maximum, scratch.outputs[Int(o)]) }
        var sum: Float = 0
        for o in block { sum += expf(scratch.outputs[Int(o)] - maximum) }
        let logSum = maximum + logf(sum)
        for o in block {
          let child = Int(layout.outputNode[Int(o)])
          let value = scratch.outputs[Int(o)] - logSum
          // In a DAG keep the first parent's edge for a node's score.
          if scratch.logScore[child] == -.infinity {
            scratch.logScore[child] = value
            scratch.probability[child] = expf(value)
          }
        }
      }
      propagateMarginals(&scratch, taxonomy: taxonomy, order: order)
    case (.local, true):
      for o in 0..<layout.outputCount {
        let child = Int(layout.outputNode[o])
        let p = 1 / (1 + expf(-scratch.outputs[o]))
        if p > scratch.probability[child] {
          scratch.probability[child] = p
          scratch.logScore[child] = logf(max(p, 1e-30))
        }
      }
      propagateMarginals(&scratch, taxonomy: taxonomy, order: order)
    case (.flat, false):
      // Softmax over path ends; a node's mass is the sum over path ends at or below it.
      var maximum = -Float.infinity
      for o in 0..<layout.outputCount { maximum = max(maximum, scratch.outputs[o]) }
      var sum: Float = 0
      for o in 0..<layout.outputCount {
        scratch.outputs[o] = expf(scratch.outputs[o] - maximum)
        sum += scratch.outputs[o]
      }
      for o in 0..<layout.outputCount {
        let p = scratch.outputs[o] / sum
        for node in order.outputAncestors[o] { scratch.marginal[Int(node)] += p }
      }
      for node in 0..<count where node != taxonomy.root {
        let parentMass =
          taxonomy.parents(of: node).first.map { $0 == taxonomy.root ? 1 : scratch.marginal[$0] } ?? 1
        let p = parentMass > 0 ? scratch.marginal[node] / parentMass : 0
        scratch.probability[node] = p
        scratch.logScore[node] = logf(max(p, 1e-30))
      }
    case (.flat, true):
      for o in 0..<layout.outputCount {
        let node = Int(layout.outputNode[o])
        let p = 1 / (1 + expf(-scratch.outputs[o]))
        scratch.marginal[node] = p
        scratch.probability[node] = p
        scratch.logScore[node] = logf(max(p, 1e-30))
      }
    }
  }

  /// Marginal probabilities from conditionals, top-down: p(node) = p(node | parent) · p(parent).
  static func propagateMarginals(_ scratch: inout PredictionScratch, taxonomy: Taxonomy, order: NodeOrder) {
    for node in order.topological {
      let parent = taxonomy.parents(of: node).first ?? taxonomy.root
      let parentMarginal: Float = parent == taxonomy.root ? 1 : scratch.marginal[parent]
      scratch.marginal[node] = scratch.probability[node] * parentMarginal
    }
  }
}
