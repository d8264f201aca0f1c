import ArborTree

extension LinearSVMTrainer {
  /// Trains flat single-path heads (one output per path end) whose score for an end adds its ancestors'
  /// evidence: `s(end) = m_end(x) + λ Σ_{a ∈ ancestors(end)} m_a(x)`.
  ///
  /// Every node on a training path gets its own one-vs-rest margin `m_v` over all documents (positive
  /// where `v` lies on the document's path). The sum is linear in `x`, so it is folded into the end's
  /// weights and bias and the heads stay ordinary flat heads. Coarse nodes have many positives and
  /// learn robust margins that correct fine-grained confusions across subtrees; in our scikit-learn
  /// check on wn-noun-gloss this added 0.35 points of hF1 to one-vs-rest leaf SVMs (docs/classification.md).
  package func fitFlatWithAncestors(
    _ heads: inout LinearHeads, layout: OutputLayout, rows: SparseRows, paths: [[Int]],
    taxonomy: Taxonomy, ancestorWeight: Float
  ) {
    let nodes = Array(Set(paths.joined())).sorted()
    var columnOfNode = [Int](repeating: -1, count: taxonomy.count)
    for (column, node) in nodes.enumerated() { columnOfNode[node] = column }
    var nodeHeads = LinearHeads(featureCount: heads.featureCount, outputCount: nodes.count)
    let examples = paths.enumerated().map { row, path in
      LinearExample.logistic(
        row: Int32(row), range: 0..<Int32(nodes.count),
        positives: path.map { Int32(columnOfNode[$0]) }.sorted())
    }
    fitMargins(&nodeHeads, rows: rows, examples: examples)

    // Each end output's terms: its own node's column with weight 1, its ancestors' with λ.
    let terms: [[(column: Int, weight: Float)]] = layout.outputNode.map { end in
      var result = [(column: columnOfNode[Int(end)], weight: Float(1))]
      var node = taxonomy.parents(of: Int(end)).first
      while let current = node, current != taxonomy.root {
        if columnOfNode[current] >= 0 { result.append((columnOfNode[current], ancestorWeight)) }
        node = taxonomy.parents(of: current).first
      }
      return result.filter { $0.column >= 0 }
    }
    let outputs = heads.outputCount
    let width = nodes.count
    for j in 0..<heads.featureCount {
      for (output, list) in terms.enumerated() {
        var sum: Float = 0
        for term in list { sum += term.weight * nodeHeads.weights[j * width + term.column] }
        heads.weights[j * outputs + output] = sum
      }
    }
    for (output, list) in terms.enumerated() {
      heads.bias[output] = list.reduce(0) { $0 + $1.weight * nodeHeads.bias[$1.column] }
    }
  }
}
