import ArborClassify
import ArborTensor
import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One SGD signal of an update.
enum UpdateExample: Sendable {
  /// Softmax over outputs `range` whose gold is any output of `targets` (absolute indices).
  ///
  /// With one target this is ordinary cross-entropy. With several (a document labelled at a node
  /// whose subtree holds several outputs of a flat model) the loss is `−log Σ_{k∈T} p_k`, the
  /// partial-label likelihood, whose gradient is `p_k − 1[k∈T] · p_k / Σ_{j∈T} p_j`.
  case softmax(row: Int32, range: Range<Int32>, targets: [Int32])
  /// Logistic loss on each output of `range` against membership in `positives`.
  case logistic(row: Int32, range: Range<Int32>, positives: [Int32])

  /// The outputs the example's softmax or logistic block spans.
  var range: Range<Int32> {
    switch self {
    case .softmax(_, let range, _), .logistic(_, let range, _): return range
    }
  }

  /// The update examples of one document for a layout.
  static func examples(
    row: Int32, path: [Int], closure: Set<Int>, layout: OutputLayout, taxonomy: Taxonomy,
    targetsOfEnd: inout [Int: [Int32]]
  ) -> [UpdateExample] {
    if layout.kind == .flat && !layout.multiPath {
      guard let end = path.last else { return [] }
      let targets: [Int32]
      if let cached = targetsOfEnd[end] {
        targets = cached
      } else {
        let below = Set(taxonomy.descendants(of: end)).union([end])
        targets = (0..<Int32(layout.outputCount)).filter { below.contains(Int(layout.outputNode[Int($0)])) }
        targetsOfEnd[end] = targets
      }
      guard !targets.isEmpty else { return [] }
      return [.softmax(row: row, range: 0..<Int32(layout.outputCount), targets: targets)]
    }
    return layout.examples(row: row, goldPath: path, closure: closure, taxonomy: taxonomy).map { example in
      switch example {
      case .softmax(let row, let range, let target):
        return .softmax(row: row, range: range, targets: [target])
      case .logistic(let row, let range, let positives):
        return .logistic(row: row, range: range, positives: positives)
      }
    }
  }
}

/// Plain SGD over a fixed sequence of examples with a linearly decaying rate, as `arbor train` uses.
struct UpdateTrainer {
  var learningRate: Float
  /// Added to each output's score before the softmax during training only; see ``logitAdjustment``.
  var logitOffset: [Float] = []

  /// Per-output counts of the targets of `examples` (a target set shares one count).
  static func targetCounts(_ examples: [UpdateExample], outputCount: Int) -> [Float] {
    var counts = [Float](repeating: 0, count: outputCount)
    for example in examples {
      switch example {
      case .softmax(_, _, let targets):
        for target in targets { counts[Int(target)] += 1 / Float(targets.count) }
      case .logistic: continue
      }
    }
    return counts
  }

  /// Seen documents per output: ending at a flat output's node, passing through a local output's node.
  static func seenPerOutput(layout: OutputLayout, taxonomy: Taxonomy, seenCounts: [Float]) -> [Float] {
    var through = seenCounts
    if layout.kind == .local {
      // Documents passing through a node: its own plus its descendants' (children before parents).
      for node in taxonomy.topologicalOrder.reversed() {
        for parent in taxonomy.parents(of: node) where parent != node { through[parent] += through[node] }
      }
    }
    return layout.outputNode.map { through[Int($0)] }
  }

  /// The training-time logit offsets of an update (logit adjustment, Menon et al., ICLR 2021).
  ///
  /// - `.stream`: `τ · (log π_stream(k) − log π_seen(k))`, π_stream the output's share of targets in
  ///   the whole schedule (new documents and rehearsed items), π_seen its share of all documents the
  ///   model has learnt from; counts floored at half a document. The softmax is then taught none of
  ///   the stream's class frequencies: neither the new classes' excess nor the class-balanced
  ///   memory's lift of rare classes.
  /// - `.newDocuments`: `τ · log max(1, (new_k / seen_k) / (new / seen))`, only the excess of the
  ///   classes the new documents over-represent against all documents seen; rehearsal not counted.
  static func logitAdjustment(
    _ reference: ModelUpdateSettings.AdjustmentReference, schedule: [UpdateExample],
    newExamples: [UpdateExample], newDocumentCount: Int, layout: OutputLayout, taxonomy: Taxonomy,
    seenCounts: [Float], tau: Float
  ) -> [Float] {
    guard tau > 0 else { return [] }
    let seen = seenPerOutput(layout: layout, taxonomy: taxonomy, seenCounts: seenCounts)
    switch reference {
    case .stream:
      let stream = targetCounts(schedule, outputCount: layout.outputCount)
      return zip(stream, seen).map { tau * (logf(max($0, 0.5)) - logf(max($1, 0.5))) }
    case .newDocuments:
      guard newDocumentCount > 0 else { return [] }
      let fresh = targetCounts(newExamples, outputCount: layout.outputCount)
      let share = Float(newDocumentCount) / max(1, seenCounts.reduce(0, +))
      return zip(fresh, seen).map { tau * logf(max(1, $0 / max($1, $0, 1) / share)) }
    }
  }

  /// Runs every example of `schedule` once, in order; the rate decays linearly over `totalSteps`
  /// steps, of which the slice's indices are the steps taken here.
  func run(
    _ heads: inout LinearHeads, rows: SparseRows, schedule: ArraySlice<UpdateExample>, totalSteps: Int
  ) {
    let total = Float(max(1, totalSteps))
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, heads.outputCount))
    defer { scratch.deallocate() }
    for step in schedule.indices {
      let example = schedule[step]
      let rate = learningRate * max(0, 1 - Float(step) / total)
      switch example {
      case .softmax(let row, let range, let targets):
        let r = Int(range.lowerBound)..<Int(range.upperBound)
        heads.scores(rows, row: Int(row), range: r, into: scratch)
        if !logitOffset.isEmpty {
          for k in 0..<r.count { scratch[k] += logitOffset[r.lowerBound + k] }
        }
        Self.softmaxGradient(scratch, count: r.count, targets: targets, offset: r.lowerBound)
        heads.descend(rows, row: Int(row), range: r, gradient: scratch, rate: rate)
      case .logistic(let row, let range, let positives):
        heads.logisticStep(rows, row: row, range: range, positives: positives, scratch: scratch, rate: rate)
      }
    }
  }

  /// Turns scores into the gradient of `−log Σ_{k∈T} softmax_k` in place.
  static func softmaxGradient(
    _ scores: UnsafeMutablePointer<Float>, count: Int, targets: [Int32], offset: Int
  ) {
    LinearTrainer.softmax(scores, count: count)
    var targetMass: Float = 0
    for target in targets { targetMass += scores[Int(target) - offset] }
    guard targetMass > 0 else {
      // Every target underflowed: push them up evenly.
      for target in targets { scores[Int(target) - offset] -= 1 / Float(targets.count) }
      return
    }
    let inverseMass = 1 / targetMass
    for target in targets {
      let k = Int(target) - offset
      scores[k] -= scores[k] * inverseMass
    }
  }
}
