import ArborClassify
import ArborTensor
import ArborTree

/// Online updates of a trained linear classifier: new documents, new labels, bounded rehearsal.
extension HierarchicalClassifier {
  /// The default rehearsal memory size for models that were saved without one.
  public static let defaultMemorySize = 2000

  /// This model updated with new labelled documents, and with the nodes a grown taxonomy adds.
  ///
  /// The taxonomy must keep every node of the model's with its id and parents (moves only with
  /// `settings.allowMoves`). New outputs are initialised from the tree and their first documents
  /// (see ``HeadGrowth``); then `settings.epochs` passes of SGD run over the new documents mixed
  /// with `replayRatio` rehearsal items per document, drawn from the model's class-balanced memory
  /// (experience replay, Chaudhry et al. 2019). Finally the new documents join the memory, which
  /// is cut back class-balanced to its size. Deterministic for `settings.seed`.
  /// `progress` receives one line per pass.
  public func learning(
    _ documents: [LabelledDocument], taxonomy grown: Taxonomy? = nil, taxonomySource: String? = nil,
    settings: ModelUpdateSettings, progress: (String) -> Void = { _ in }
  ) throws(TaxonomyError) -> (model: HierarchicalClassifier, summary: ModelUpdateSummary) {
    let tree = grown ?? taxonomy
    let growth = try TaxonomyGrowth(
      old: taxonomy, grown: tree, allowMoves: settings.allowMoves, source: taxonomySource)
    let gold = try documents.map { document throws(TaxonomyError) in
      try GoldLabels(document, taxonomy: tree)
    }
    var rows = try self.rows(documents.map(\.text))
    let newCount = documents.count

    // The memory in the grown taxonomy's indices (paths rebuilt when nodes moved).
    var oldMemory = memory.remapped(growth.newIndexOfOld, nodeCount: tree.count)
    var seen = oldMemory.seenCounts.isEmpty ? [Float](repeating: 1, count: tree.count) : oldMemory.seenCounts
    for labels in gold { seen[labels.path.last ?? tree.root] += 1 }
    if !growth.movedNodes.isEmpty {
      for item in 0..<oldMemory.count {
        let ids = oldMemory.paths[item].map { tree.id(Int($0)) }
        let labels = try GoldLabels(LabelledDocument(id: "", text: "", labels: ids), taxonomy: tree)
        oldMemory.paths[item] = labels.path.map(Int32.init)
      }
    }
    let memoryClosures = oldMemory.paths.map { path in
      Set(path.flatMap { [Int($0)] + tree.ancestors(of: Int($0)) }).subtracting([tree.root])
    }

    // New path ends of a flat single-path model: deepest labels with no output at or below them.
    var newEnds: [Int] = []
    if layout.kind == .flat && !layout.multiPath {
      var covered = Set<Int>()
      for node in layout.outputNode {
        let node = growth.newIndexOfOld[Int(node)]
        covered.insert(node)
        covered.formUnion(tree.ancestors(of: node))
      }
      for labels in gold {
        guard let end = labels.path.last, !covered.contains(end) else { continue }
        newEnds.append(end)
        covered.insert(end)
        covered.formUnion(tree.ancestors(of: end))
      }
    }
    let grownHeads = HeadGrowth(
      model: self, grown: tree, growth: growth, newEnds: newEnds, rows: rows, closures: gold.map(\.closure),
      seenCounts: seen, prototypeScale: settings.prototypeScale)
    let newLayout = grownHeads.layout
    var heads = grownHeads.heads

    // The schedule: each pass, every new document and replayRatio rehearsal items per document.
    rows.append(contentsOf: oldMemory.rows)
    var targetsOfEnd: [Int: [Int32]] = [:]
    let newExamples = gold.enumerated().map { row, labels in
      UpdateExample.examples(
        row: Int32(row), path: labels.path, closure: labels.closure, layout: newLayout, taxonomy: tree,
        targetsOfEnd: &targetsOfEnd)
    }
    // Rehearsal only where the new documents train: a local model's blocks that no new document
    // reaches are left exactly as they were (replaying them could only add noise).
    var touched = Set<Int32>()
    for examples in newExamples { for example in examples { touched.insert(example.range.lowerBound) } }
    let memoryExamples = oldMemory.paths.enumerated().map { item, path in
      UpdateExample.examples(
        row: Int32(newCount + item), path: path.map(Int.init), closure: memoryClosures[item],
        layout: newLayout, taxonomy: tree, targetsOfEnd: &targetsOfEnd
      ).filter { touched.contains($0.range.lowerBound) }
    }
    let replayPerPass = min(oldMemory.count, Int((Float(newCount) * max(0, settings.replayRatio)).rounded()))
    var generator = RandomGenerator(seed: settings.seed)
    var schedule: [UpdateExample] = []
    var passes: [Range<Int>] = []
    for _ in 0..<max(0, settings.epochs) {
      let start = schedule.count
      var items: [(Bool, Int)] = (0..<newCount).map { (true, $0) }
      if replayPerPass > 0 {
        var drawn = generator.permutation(oldMemory.count)
        drawn.removeLast(oldMemory.count - replayPerPass)
        items += drawn.map { (false, $0) }
      }
      generator.shuffle(&items)
      for (isNew, index) in items { schedule += isNew ? newExamples[index] : memoryExamples[index] }
      passes.append(start..<schedule.count)
    }
    // SVM-trained heads carry no SGD rate; 0.05 kept old classes within 0.5 points of hF1 on
    // wn-noun-gloss (docs/learn.md), where 0.1 lost 0.9 and 0.25 lost 3.8.
    let rate = settings.learningRate ?? (configuration.loss == .svm ? 0.05 : configuration.learningRate / 2)
    var trainer = UpdateTrainer(learningRate: rate)
    trainer.logitOffset = UpdateTrainer.logitAdjustment(
      settings.adjustmentReference, schedule: schedule, newExamples: newExamples.flatMap { $0 },
      newDocumentCount: newCount, layout: newLayout, taxonomy: tree, seenCounts: seen,
      tau: settings.logitAdjustment)
    // One decaying rate over all passes; each pass is run separately to report progress.
    for (pass, range) in passes.enumerated() {
      trainer.run(&heads, rows: rows, schedule: schedule[range], totalSteps: schedule.count)
      progress("pass \(pass + 1)/\(passes.count)")
    }

    // The memory: old items and the new documents, cut back class-balanced.
    let budget =
      settings.memorySize
      ?? (configuration.memorySize > 0 ? configuration.memorySize : Self.defaultMemorySize)
    var candidates = ModelRehearsalMemory()
    for (row, labels) in gold.enumerated() {
      candidates.append(rows: rows, row: row, path: labels.path.map(Int32.init))
    }
    var memory = oldMemory
    memory.append(contentsOf: candidates)
    memory.seenCounts = seen
    memory = memory.balanced(budget: budget, seed: settings.seed ^ 0x6D65_6D6F_7279)
    var newConfiguration = configuration
    newConfiguration.memorySize = budget
    let model = HierarchicalClassifier(
      taxonomy: tree, configuration: newConfiguration, features: features, layout: newLayout, heads: heads,
      dense: dense, memory: memory)

    var summary = ModelUpdateSummary()
    summary.documentCount = newCount
    summary.addedNodeIDs = growth.addedNodes.map(tree.id)
    summary.movedNodeIDs = growth.movedNodes.map(taxonomy.id)
    var labelled = Set<Int>()
    for labels in gold { labelled.formUnion(labels.closure) }
    summary.strandedNodeIDs = taxonomy.leaves.filter { leaf in
      let children = tree.children(of: growth.newIndexOfOld[leaf])
      return !children.isEmpty && !children.contains(where: labelled.contains)
    }.map(taxonomy.id)
    summary.addedOutputCount = grownHeads.addedCount
    summary.outputCount = newLayout.outputCount
    summary.updateCount = schedule.count
    summary.memoryBefore = self.memory.count
    summary.memoryAfter = memory.count
    return (model, summary)
  }
}
