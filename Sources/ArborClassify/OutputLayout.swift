import ArborTree

/// How a classifier's outputs map to taxonomy nodes, and the training examples each document gives.
///
/// - Local (one classifier per parent node): one output per parent–child edge; the
///   edges of each parent are contiguous, so a parent's children form one softmax
///   (single-path) or one block of logistic outputs (multi-path).
/// - Flat: one output per path end (single-path softmax over the deepest labels seen
///   in training) or per node (multi-path logistic outputs).
package struct OutputLayout: Sendable {
  package enum Kind: String, Sendable {
    case local, flat
  }

  package let kind: Kind
  package let multiPath: Bool
  /// The node each output stands for.
  package let outputNode: [Int32]
  /// For local layouts: the parent of each output's edge; -1 for flat layouts.
  package let outputParent: [Int32]
  /// For local layouts: each node's block of child outputs (empty for leaves).
  package let childOutputs: [Range<Int32>]
  /// For flat layouts: the output of each node, or -1.
  package let outputOfNode: [Int32]

  package var outputCount: Int { outputNode.count }

  /// A local layout over every edge of the taxonomy.
  package static func local(_ taxonomy: Taxonomy, multiPath: Bool) -> OutputLayout {
    var nodes: [Int32] = []
    var parents: [Int32] = []
    var blocks = [Range<Int32>](repeating: 0..<0, count: taxonomy.count)
    for parent in taxonomy.indices {
      let start = Int32(nodes.count)
      for child in taxonomy.children(of: parent) {
        nodes.append(Int32(child))
        parents.append(Int32(parent))
      }
      blocks[parent] = start..<Int32(nodes.count)
    }
    return OutputLayout(
      kind: .local, multiPath: multiPath, outputNode: nodes, outputParent: parents, childOutputs: blocks,
      outputOfNode: [Int32](repeating: -1, count: taxonomy.count))
  }

  /// A flat layout: the given nodes, one output each.
  package static func flat(_ taxonomy: Taxonomy, nodes: [Int], multiPath: Bool) -> OutputLayout {
    var outputOf = [Int32](repeating: -1, count: taxonomy.count)
    for (output, node) in nodes.enumerated() { outputOf[node] = Int32(output) }
    return OutputLayout(
      kind: .flat, multiPath: multiPath, outputNode: nodes.map(Int32.init),
      outputParent: [Int32](repeating: -1, count: nodes.count),
      childOutputs: [Range<Int32>](repeating: 0..<0, count: taxonomy.count), outputOfNode: outputOf)
  }

  /// The training examples of one document whose gold path (single-path) or label closure (multi-path) is given.
  package func examples(row: Int32, goldPath: [Int], closure: Set<Int>, taxonomy: Taxonomy) -> [LinearExample]
  {
    switch (kind, multiPath) {
    case (.local, false):
      var result: [LinearExample] = []
      var parent = taxonomy.root
      for node in goldPath {
        let block = childOutputs[parent]
        if let target = block.first(where: { outputNode[Int($0)] == Int32(node) }), block.count > 1 {
          result.append(.softmax(row: row, range: block, target: target))
        }
        parent = node
      }
      return result
    case (.local, true):
      var result: [LinearExample] = []
      for parent in [taxonomy.root] + closure.sorted() {
        let block = childOutputs[parent]
        guard !block.isEmpty else { continue }
        let positives = block.filter { closure.contains(Int(outputNode[Int($0)])) }
        result.append(.logistic(row: row, range: block, positives: Array(positives)))
      }
      return result
    case (.flat, false):
      guard let end = goldPath.last, outputOfNode[end] >= 0 else { return [] }
      return [.softmax(row: row, range: 0..<Int32(outputCount), target: outputOfNode[end])]
    case (.flat, true):
      let positives = closure.compactMap { outputOfNode[$0] >= 0 ? outputOfNode[$0] : nil }.sorted()
      return [.logistic(row: row, range: 0..<Int32(outputCount), positives: positives)]
    }
  }
}
