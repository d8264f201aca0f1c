import ArborClassify
import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A linear model's output layout and heads carried over to a grown taxonomy.
///
/// Old outputs keep their weights. A new output starts from what the model already knows about
/// its place in the tree, plus the mean feature row of its first examples:
/// - flat layouts: the weights of the nearest ancestor that has an output (a flat single-path
///   model splits that ancestor's prior mass evenly between it and the new outputs under it by
///   lowering their biases by log(k + 1), so the subtree's probability is unchanged at first);
/// - local layouts: the mean of the known siblings' weights, or zero when all siblings are new;
/// - in both, `prototypeScale` times the mean TF-IDF row of the new documents carrying the label,
///   the imprinting initialisation of Qi, Brown and Lowe (CVPR 2018) for linear heads.
struct HeadGrowth {
  var layout: OutputLayout
  var heads: LinearHeads
  /// The old output each new output continues, or -1 for an added output.
  var source: [Int]

  init(
    model: HierarchicalClassifier, grown tree: Taxonomy, growth: TaxonomyGrowth, newEnds: [Int],
    rows: SparseRows, closures: [Set<Int>], prototypeScale: Float
  ) {
    let old = model.layout
    let map = growth.newIndexOfOld
    switch old.kind {
    case .local:
      let grownLayout = OutputLayout.local(tree, multiPath: old.multiPath)
      layout = grownLayout
      var oldEdge: [Int64: Int] = [:]
      for output in 0..<old.outputCount {
        let parent = map[Int(old.outputParent[output])]
        let child = map[Int(old.outputNode[output])]
        oldEdge[Int64(parent) << 32 | Int64(child)] = output
      }
      source = (0..<grownLayout.outputCount).map { output in
        oldEdge[Int64(grownLayout.outputParent[output]) << 32 | Int64(grownLayout.outputNode[output])] ?? -1
      }
    case .flat:
      let grownLayout: OutputLayout
      if old.multiPath {
        grownLayout = .flat(tree, nodes: tree.indices.filter { $0 != tree.root }, multiPath: true)
      } else {
        let kept = old.outputNode.map { map[Int($0)] }
        grownLayout = .flat(tree, nodes: kept + newEnds, multiPath: false)
      }
      layout = grownLayout
      var oldOutputOfNewNode: [Int: Int] = [:]
      for output in 0..<old.outputCount { oldOutputOfNewNode[map[Int(old.outputNode[output])]] = output }
      source = grownLayout.outputNode.map { oldOutputOfNewNode[Int($0)] ?? -1 }
    }
    heads = LinearHeads(featureCount: model.heads.featureCount, outputCount: layout.outputCount)
    copyKnownOutputs(from: model.heads)
    initialiseAddedOutputs(
      model: model, tree: tree, rows: rows, closures: closures, prototypeScale: prototypeScale)
  }

  /// The number of outputs without an old counterpart.
  var addedCount: Int { source.count { $0 < 0 } }

  /// Copies every kept output's weights and bias.
  private mutating func copyKnownOutputs(from oldHeads: LinearHeads) {
    let width = heads.outputCount
    let oldWidth = oldHeads.outputCount
    let pairs = source.enumerated().filter { $0.element >= 0 }
    for (output, old) in pairs { heads.bias[output] = oldHeads.bias[old] }
    heads.weights.withUnsafeMutableBufferPointer { target in
      oldHeads.weights.withUnsafeBufferPointer { from in
        for feature in 0..<heads.featureCount {
          let t = feature * width
          let f = feature * oldWidth
          for (output, old) in pairs { target[t + output] = from[f + old] }
        }
      }
    }
  }

  /// Sets the weights of added outputs from the tree and the new documents.
  private mutating func initialiseAddedOutputs(
    model: HierarchicalClassifier, tree: Taxonomy, rows: SparseRows, closures: [Set<Int>],
    prototypeScale: Float
  ) {
    let added = source.indices.filter { source[$0] < 0 }
    guard !added.isEmpty else { return }
    let width = heads.outputCount
    // Each added output's base: the outputs whose mean it starts from.
    var bases: [[Int]] = Array(repeating: [], count: width)
    var splitCount: [Int: Int] = [:]
    var outputOf: [Int: Int] = [:]
    for (o, n) in layout.outputNode.enumerated() where source[o] >= 0 { outputOf[Int(n)] = o }
    for output in added {
      let node = Int(layout.outputNode[output])
      switch layout.kind {
      case .flat:
        var ancestor = tree.parents(of: node).first
        while let current = ancestor, current != tree.root {
          if let base = outputOf[current] {
            bases[output] = [base]
            if !layout.multiPath { splitCount[base, default: 0] += 1 }
            break
          }
          ancestor = tree.parents(of: current).first
        }
      case .local:
        let block = layout.childOutputs[Int(layout.outputParent[output])]
        bases[output] = block.map(Int.init).filter { source[$0] >= 0 }
      }
    }
    // Prior mass split (flat single-path): log(k + 1) off the ancestor and each new output.
    var biasShift: [Int: Float] = [:]
    for (base, k) in splitCount { biasShift[base] = logf(Float(k + 1)) }
    for output in added {
      let base = bases[output]
      guard !base.isEmpty else { continue }
      var bias: Float = 0
      for b in base { bias += heads.bias[b] }
      heads.bias[output] = bias / Float(base.count) - (base.count == 1 ? biasShift[base[0]] ?? 0 : 0)
    }
    for (base, shift) in biasShift { heads.bias[base] -= shift }
    // Weights: the mean of the bases' columns, then the scaled prototype.
    heads.weights.withUnsafeMutableBufferPointer { w in
      for feature in 0..<heads.featureCount {
        let t = feature * width
        for output in added where !bases[output].isEmpty {
          var sum: Float = 0
          for b in bases[output] { sum += w[t + b] }
          w[t + output] = sum / Float(bases[output].count)
        }
      }
    }
    for output in added {
      let node = Int(layout.outputNode[output])
      let members = closures.indices.filter { closures[$0].contains(node) }
      guard !members.isEmpty else { continue }
      let step = prototypeScale / Float(members.count)
      heads.weights.withUnsafeMutableBufferPointer { w in
        for row in members {
          for entry in rows.offsets[row]..<rows.offsets[row + 1] {
            w[Int(rows.columns[entry]) * width + output] += step * rows.values[entry]
          }
        }
      }
    }
  }
}
