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
  /// Each output's node and all its ancestors below the root (flat layouts), output `o`'s at
  /// `outputAncestorNodes[outputAncestorOffsets[o]..<outputAncestorOffsets[o + 1]]`.
  let outputAncestorOffsets: [Int]
  let outputAncestorNodes: [Int32]
  /// Each node's first parent (-1 for the root): the edge a node's score comes from in a DAG.
  let firstParent: [Int32]

  init(taxonomy: Taxonomy, layout: OutputLayout) {
    topological = taxonomy.topologicalOrder.filter { $0 != taxonomy.root }
    var offsets = [0]
    var nodes: [Int32] = []
    for node in layout.outputNode {
      nodes += ([Int(node)] + taxonomy.ancestors(of: Int(node))).filter { $0 != taxonomy.root }.map(
        Int32.init)
      offsets.append(nodes.count)
    }
    outputAncestorOffsets = offsets
    outputAncestorNodes = nodes
    firstParent = (0..<taxonomy.count).map { Int32(taxonomy.parents(of: $0).first ?? -1) }
  }
}

/// Turns a linear model's raw outputs into per-node scores for decoding.
enum NodeScores {
  /// Fills `logScore` (additive, for beam search), `probability` (node given parent) and `marginal`.
  static func fill(
    _ scratch: inout PredictionScratch, layout: OutputLayout, taxonomy: Taxonomy, order: NodeOrder
  ) {
    let count = taxonomy.count
    scratch.logScore.withUnsafeMutableBufferPointer { $0.update(repeating: -.infinity) }
    scratch.probability.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    scratch.marginal.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
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
      let root = taxonomy.root
      scratch.outputs.withUnsafeMutableBufferPointer { outputs in
        scratch.marginal.withUnsafeMutableBufferPointer { marginal in
          scratch.probability.withUnsafeMutableBufferPointer { probability in
            scratch.logScore.withUnsafeMutableBufferPointer { logScore in
              order.outputAncestorOffsets.withUnsafeBufferPointer { offsets in
                order.outputAncestorNodes.withUnsafeBufferPointer { ancestors in
                  order.firstParent.withUnsafeBufferPointer { firstParent in
                    var maximum = -Float.infinity
                    for o in 0..<layout.outputCount { maximum = max(maximum, outputs[o]) }
                    var sum: Float = 0
                    for o in 0..<layout.outputCount {
                      outputs[o] = expf(outputs[o] - maximum)
                      sum += outputs[o]
                    }
                    for o in 0..<layout.outputCount {
                      let p = outputs[o] / sum
                      for a in offsets[o]..<offsets[o + 1] { marginal[Int(ancestors[a])] += p }
                    }
                    for node in 0..<count where node != root {
                      let parent = Int(firstParent[node])
                      let parentMass: Float = parent < 0 || parent == root ? 1 : marginal[parent]
                      let p = parentMass > 0 ? marginal[node] / parentMass : 0
                      probability[node] = p
                      logScore[node] = logf(max(p, 1e-30))
                    }
                  }
                }
              }
            }
          }
        }
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
    let root = taxonomy.root
    scratch.marginal.withUnsafeMutableBufferPointer { marginal in
      scratch.probability.withUnsafeBufferPointer { probability in
        order.firstParent.withUnsafeBufferPointer { firstParent in
          for node in order.topological {
            let parent = Int(firstParent[node])
            let parentMarginal: Float = parent < 0 || parent == root ? 1 : marginal[parent]
            marginal[node] = probability[node] * parentMarginal
          }
        }
      }
    }
  }
}
