/// Accumulates the classification metric set over many samples in one pass.
///
/// With `G`, `P` the gold and predicted labels as written and `Ĝ`, `P̂` the same closed under
/// ancestors (root excluded), ``report()`` gives (formulas and citations in `docs/metrics.md`):
/// - `flat-{micro,macro}-{precision,recall,f1}`: label P/R/F1 of `G` vs `P`, pooled or averaged
///   over labels (``MacroAveragingScope``);
/// - `h-micro-*` (Σ|Ĝ∩P̂|/Σ|P̂|, Σ|Ĝ∩P̂|/Σ|Ĝ|), `h-sample-*` (mean of per-sample hP, hR, hF) and
///   `h-label-macro-*` (label macro on `Ĝ`, `P̂`), after Kiritchenko et al. (2006);
/// - `p-micro-f1`, `p-macro-f1`, `p-gamma`, `c-micro-f1`, `c-macro-f1`: HierVerb's path and
///   constrained metrics (Ji et al. 2023; ``PathMetricCounts``);
/// - `exact-match` (share of `P̂ = Ĝ`) and `consistency` (share of `P = P̂`);
/// - `p@k`, `r@k`, `f1@k`, `ndcg@k` when rankings are given (``RankingMetrics``);
/// - per level `d`: accuracy (share of `Ĝ^d = P̂^d` among samples where either is non-empty),
///   micro-F1 and macro-F1 over the nodes at depth `d`.
///
/// Per sample it closes the gold and the prediction under ancestors once, then updates flat
/// counters: flat label counts (sets as given), hierarchical label counts (closed sets), HierVerb's
/// path and constrained counts, per-level matches, exact matches, consistency and, when the
/// prediction is ranked, the ranking metrics. Nothing is allocated per sample.
public struct ClassificationEvaluation: Sendable {
  /// Options that change what is computed.
  public struct Options: Sendable {
    /// Which labels macro averages run over.
    public var macroScope: MacroAveragingScope = .all
    /// The cut-offs `k` of P@k, R@k, F1@k and NDCG@k.
    public var rankingCutoffs: [Int] = [1, 3, 5]
    /// Creates default options.
    public init() {}
  }

  /// Everything one sample touches at a node, in one 64-byte record so each node costs one or two
  /// cache lines: the per-sample marks (equal to the sample's generation when set) and the counts.
  struct NodeState {
    var goldMark: UInt32 = 0
    var predictedMark: UInt32 = 0
    var givenMark: UInt32 = 0
    var goldGivenMark: UInt32 = 0
    var rightMark: UInt32 = 0
    var validMark: UInt32 = 0
    var flatCorrect: Int32 = 0
    var flatPredicted: Int32 = 0
    var flatGold: Int32 = 0
    var hierarchicalCorrect: Int32 = 0
    var hierarchicalPredicted: Int32 = 0
    var hierarchicalGold: Int32 = 0
    var constrainedCorrect: Int32 = 0
    var pathCorrect: Int32 = 0
    var pathPredicted: Int32 = 0
    var pathGold: Int32 = 0
  }

  /// The prepared taxonomy.
  public let hierarchy: LabelHierarchy
  /// The options in force.
  public let options: Options
  var nodes: [NodeState]
  var wrongLabels = 0
  var goldLabels = 0
  /// The number of samples added.
  public private(set) var sampleCount = 0
  var sampleSums = (precision: 0.0, recall: 0.0, f1: 0.0)
  var exactMatches = 0
  var consistentPredictions = 0
  var levelSamples: [Int]
  var levelMatches: [Int]
  var rankedSamples = 0
  /// Per cut-off: Σ P@k, Σ R@k, Σ F1@k, Σ NDCG@k.
  var rankingSums: [(Double, Double, Double, Double)]

  private var generation: UInt32 = 0
  private var goldClosure: [Int32] = []
  private var predictedClosure: [Int32] = []
  private var levelTouched: [Int32] = []
  private var levelFlags: [UInt8]

  /// Flat counts: labels as written in gold and prediction.
  public var flat: LabelCounts {
    counts(\.flatCorrect, \.flatPredicted, \.flatGold)
  }
  /// Hierarchical counts: both sets closed under ancestors.
  public var hierarchical: LabelCounts {
    counts(\.hierarchicalCorrect, \.hierarchicalPredicted, \.hierarchicalGold)
  }
  /// HierVerb's P- and C-metric counts.
  public var path: PathMetricCounts {
    var result = PathMetricCounts(nodeCount: 0)
    result.paths = counts(\.pathCorrect, \.pathPredicted, \.pathGold)
    result.constrained = counts(\.constrainedCorrect, \.flatPredicted, \.hierarchicalGold)
    result.wrongLabels = wrongLabels
    result.goldLabels = goldLabels
    return result
  }

  private func counts(
    _ correct: KeyPath<NodeState, Int32>, _ predicted: KeyPath<NodeState, Int32>,
    _ gold: KeyPath<NodeState, Int32>
  ) -> LabelCounts {
    var result = LabelCounts(nodeCount: 0)
    result.correct = nodes.map { $0[keyPath: correct] }
    result.predicted = nodes.map { $0[keyPath: predicted] }
    result.gold = nodes.map { $0[keyPath: gold] }
    return result
  }

  /// Starts an empty evaluation.
  public init(hierarchy: LabelHierarchy, options: Options = Options()) {
    self.hierarchy = hierarchy
    self.options = options
    nodes = [NodeState](repeating: NodeState(), count: hierarchy.count)
    levelSamples = [Int](repeating: 0, count: hierarchy.maximumDepth + 1)
    levelMatches = levelSamples
    levelFlags = [UInt8](repeating: 0, count: hierarchy.maximumDepth + 1)
    rankingSums = options.rankingCutoffs.map { _ in (0, 0, 0, 0) }
    goldClosure.reserveCapacity(64)
    predictedClosure.reserveCapacity(64)
  }

  private mutating func nextGeneration() {
    generation &+= 1
    if generation == 0 {
      for i in nodes.indices {
        nodes[i].goldMark = 0
        nodes[i].predictedMark = 0
        nodes[i].givenMark = 0
        nodes[i].goldGivenMark = 0
        nodes[i].rightMark = 0
        nodes[i].validMark = 0
      }
      generation = 1
    }
  }

  /// Adds one sample: gold and predicted labels as distinct node indices without the root (any
  /// order; deepest first is fastest), and optionally the prediction's ranking, best first.
  public mutating func add(
    gold: ArraySlice<Int32>, predicted: ArraySlice<Int32>, ranking: ArraySlice<Int32>? = nil
  ) {
    nextGeneration()
    sampleCount += 1
    var nodes = self.nodes
    self.nodes = []  // keep the storage uniquely referenced while we write through a pointer
    nodes.withUnsafeMutableBufferPointer { state in
      accumulate(state, gold: gold, predicted: predicted)
    }
    if let ranking {
      rankedSamples += 1
      nodes.withUnsafeBufferPointer { state in addRanking(state, gold: gold, ranking: ranking) }
    }
    self.nodes = nodes
  }

  private mutating func accumulate(
    _ state: UnsafeMutableBufferPointer<NodeState>, gold: ArraySlice<Int32>, predicted: ArraySlice<Int32>
  ) {
    let g = generation
    hierarchy.closureOffsets.withUnsafeBufferPointer { closureOffsets in
      hierarchy.closureNodes.withUnsafeBufferPointer { closureNodes in
        hierarchy.depths.withUnsafeBufferPointer { depths in
          hierarchy.leafFlags.withUnsafeBufferPointer { leafFlags in
            accumulate(
              state, g, gold, predicted, closureOffsets: closureOffsets, closureNodes: closureNodes,
              depths: depths, leafFlags: leafFlags)
          }
        }
      }
    }
  }

  @inline(__always)
  private mutating func accumulate(
    _ state: UnsafeMutableBufferPointer<NodeState>, _ g: UInt32, _ gold: ArraySlice<Int32>,
    _ predicted: ArraySlice<Int32>, closureOffsets: UnsafeBufferPointer<Int32>,
    closureNodes: UnsafeBufferPointer<Int32>, depths: UnsafeBufferPointer<Int32>,
    leafFlags: UnsafeBufferPointer<Bool>
  ) {
    // Close gold and prediction. Labels come deepest first: a covered label adds no ancestors.
    goldClosure.removeAll(keepingCapacity: true)
    for label in gold {
      let l = Int(label)
      state[l].goldGivenMark = g
      state[l].flatGold += 1
      if state[l].goldMark == g { continue }
      for k in Int(closureOffsets[l])..<Int(closureOffsets[l + 1]) {
        let a = Int(closureNodes[k])
        if state[a].goldMark != g {
          state[a].goldMark = g
          goldClosure.append(Int32(a))
        }
      }
    }
    predictedClosure.removeAll(keepingCapacity: true)
    for label in predicted {
      let l = Int(label)
      state[l].givenMark = g
      state[l].flatPredicted += 1
      if state[l].goldGivenMark == g { state[l].flatCorrect += 1 }
      if state[l].predictedMark == g { continue }
      for k in Int(closureOffsets[l])..<Int(closureOffsets[l + 1]) {
        let a = Int(closureNodes[k])
        if state[a].predictedMark != g {
          state[a].predictedMark = g
          predictedClosure.append(Int32(a))
        }
      }
    }
    // Hierarchical counts, and per-level flags (bit 0: present, bit 1: mismatch).
    levelTouched.removeAll(keepingCapacity: true)
    var common = 0
    for n in predictedClosure {
      let node = Int(n)
      state[node].hierarchicalPredicted += 1
      let d = Int(depths[node])
      if levelFlags[d] == 0 { levelTouched.append(Int32(d)) }
      levelFlags[d] |= 1
      if state[node].goldMark == g {
        state[node].hierarchicalCorrect += 1
        common += 1
      } else {
        levelFlags[d] |= 2
      }
    }
    for n in goldClosure {
      let node = Int(n)
      state[node].hierarchicalGold += 1
      let d = Int(depths[node])
      if levelFlags[d] == 0 { levelTouched.append(Int32(d)) }
      levelFlags[d] |= 1
      if state[node].predictedMark != g { levelFlags[d] |= 2 }
      if leafFlags[node] { state[node].pathGold += 1 }
    }
    for d in levelTouched {
      levelSamples[Int(d)] += 1
      if levelFlags[Int(d)] & 2 == 0 { levelMatches[Int(d)] += 1 }
      levelFlags[Int(d)] = 0
    }
    let sample = PrecisionRecallF1(
      correct: Double(common), predicted: Double(predictedClosure.count), gold: Double(goldClosure.count))
    sampleSums.precision += sample.precision
    sampleSums.recall += sample.recall
    sampleSums.f1 += sample.f1
    if common == goldClosure.count && common == predictedClosure.count { exactMatches += 1 }
    if predictedClosure.count == predicted.count { consistentPredictions += 1 }
    // C-metric: right = given prediction ∩ closed gold; a right node counts when its closure is right.
    for label in predicted where state[Int(label)].goldMark == g { state[Int(label)].rightMark = g }
    for label in predicted where state[Int(label)].rightMark == g {
      let l = Int(label)
      var ok = true
      for k in Int(closureOffsets[l])..<Int(closureOffsets[l + 1])
      where state[Int(closureNodes[k])].rightMark != g {
        ok = false
        break
      }
      if ok { state[l].constrainedCorrect += 1 }
    }
    // P-metric: paths are leaf closures, predicted when every node is given.
    var valid = 0
    for label in predicted where leafFlags[Int(label)] {
      let l = Int(label)
      var complete = true
      for k in Int(closureOffsets[l])..<Int(closureOffsets[l + 1])
      where state[Int(closureNodes[k])].givenMark != g {
        complete = false
        break
      }
      guard complete else { continue }
      state[l].pathPredicted += 1
      if state[l].goldMark == g { state[l].pathCorrect += 1 }
      for k in Int(closureOffsets[l])..<Int(closureOffsets[l + 1]) {
        let a = Int(closureNodes[k])
        if state[a].validMark != g {
          state[a].validMark = g
          valid += 1
        }
      }
    }
    wrongLabels += predicted.count - valid
    goldLabels += goldClosure.count
  }

  private mutating func addRanking(
    _ state: UnsafeBufferPointer<NodeState>, gold: ArraySlice<Int32>, ranking: ArraySlice<Int32>
  ) {
    for (c, k) in options.rankingCutoffs.enumerated() {
      let top = min(k, ranking.count)
      var hits = 0
      var dcg = 0.0
      var position = 0
      for node in ranking.prefix(top) {
        if state[Int(node)].goldGivenMark == generation {
          hits += 1
          dcg += 1 / RankingMetrics.discount(position)
        }
        position += 1
      }
      var ideal = 0.0
      for i in 0..<min(k, gold.count) { ideal += 1 / RankingMetrics.discount(i) }
      let s = PrecisionRecallF1(correct: Double(hits), predicted: Double(top), gold: Double(gold.count))
      rankingSums[c].0 += s.precision
      rankingSums[c].1 += s.recall
      rankingSums[c].2 += s.f1
      rankingSums[c].3 += ideal > 0 ? dcg / ideal : 1
    }
  }

  /// Adds the counts of another evaluation of the same taxonomy and options (for parallel runs).
  public mutating func merge(_ other: ClassificationEvaluation) {
    for i in nodes.indices {
      let o = other.nodes[i]
      nodes[i].flatCorrect += o.flatCorrect
      nodes[i].flatPredicted += o.flatPredicted
      nodes[i].flatGold += o.flatGold
      nodes[i].hierarchicalCorrect += o.hierarchicalCorrect
      nodes[i].hierarchicalPredicted += o.hierarchicalPredicted
      nodes[i].hierarchicalGold += o.hierarchicalGold
      nodes[i].constrainedCorrect += o.constrainedCorrect
      nodes[i].pathCorrect += o.pathCorrect
      nodes[i].pathPredicted += o.pathPredicted
      nodes[i].pathGold += o.pathGold
    }
    wrongLabels += other.wrongLabels
    goldLabels += other.goldLabels
    sampleCount += other.sampleCount
    sampleSums.precision += other.sampleSums.precision
    sampleSums.recall += other.sampleSums.recall
    sampleSums.f1 += other.sampleSums.f1
    exactMatches += other.exactMatches
    consistentPredictions += other.consistentPredictions
    for d in levelSamples.indices {
      levelSamples[d] += other.levelSamples[d]
      levelMatches[d] += other.levelMatches[d]
    }
    rankedSamples += other.rankedSamples
    for c in rankingSums.indices {
      rankingSums[c].0 += other.rankingSums[c].0
      rankingSums[c].1 += other.rankingSums[c].1
      rankingSums[c].2 += other.rankingSums[c].2
      rankingSums[c].3 += other.rankingSums[c].3
    }
  }

  /// The metric values accumulated so far.
  public func report() -> MetricReport {
    var report = MetricReport()
    let n = Double(max(sampleCount, 1))
    let labelled = (0..<hierarchy.count).lazy.filter { $0 != hierarchy.root }
    let scope = options.macroScope
    let flat = self.flat
    let hierarchical = self.hierarchical
    let path = self.path
    let flatMicro = flat.micro(over: labelled)
    let flatMacro = flat.macro(over: labelled, scope: scope)
    report.add("flat-micro-precision", flatMicro.precision, group: "flat")
    report.add("flat-micro-recall", flatMicro.recall, group: "flat")
    report.add("flat-micro-f1", flatMicro.f1, group: "flat")
    report.add("flat-macro-precision", flatMacro.precision, group: "flat")
    report.add("flat-macro-recall", flatMacro.recall, group: "flat")
    report.add("flat-macro-f1", flatMacro.f1, group: "flat")
    let hMicro = hierarchical.micro(over: labelled)
    let hMacro = hierarchical.macro(over: labelled, scope: scope)
    report.add("h-micro-precision", hMicro.precision, group: "hierarchical")
    report.add("h-micro-recall", hMicro.recall, group: "hierarchical")
    report.add("h-micro-f1", hMicro.f1, group: "hierarchical")
    report.add("h-sample-precision", sampleSums.precision / n, group: "hierarchical")
    report.add("h-sample-recall", sampleSums.recall / n, group: "hierarchical")
    report.add("h-sample-f1", sampleSums.f1 / n, group: "hierarchical")
    report.add("h-label-macro-precision", hMacro.precision, group: "hierarchical")
    report.add("h-label-macro-recall", hMacro.recall, group: "hierarchical")
    report.add("h-label-macro-f1", hMacro.f1, group: "hierarchical")
    let leaves = labelled.filter { hierarchy.leafFlags[$0] }
    let gamma = path.gamma
    report.add("p-micro-f1", gamma * path.paths.micro(over: leaves).f1, group: "path")
    report.add("p-macro-f1", gamma * path.paths.macro(over: leaves, scope: scope).f1, group: "path")
    report.add("p-gamma", gamma, group: "path")
    report.add("c-micro-f1", path.constrained.micro(over: labelled).f1, group: "path")
    report.add("c-macro-f1", path.constrained.macro(over: labelled, scope: scope).f1, group: "path")
    report.add("exact-match", Double(exactMatches) / n, group: "exact")
    report.add("consistency", Double(consistentPredictions) / n, group: "consistency")
    if rankedSamples > 0 {
      let r = Double(rankedSamples)
      for (c, k) in options.rankingCutoffs.enumerated() {
        report.add("p@\(k)", rankingSums[c].0 / r, group: "ranking")
        report.add("r@\(k)", rankingSums[c].1 / r, group: "ranking")
        report.add("f1@\(k)", rankingSums[c].2 / r, group: "ranking")
        report.add("ndcg@\(k)", rankingSums[c].3 / r, group: "ranking")
      }
    }
    // Per level, from the hierarchical counts.
    var byLevel = [[Int]](repeating: [], count: hierarchy.maximumDepth + 1)
    for node in labelled { byLevel[hierarchy.depth(of: node)].append(node) }
    for depth in 1..<max(byLevel.count, 1) {
      let micro = hierarchical.micro(over: byLevel[depth])
      let macro = hierarchical.macro(over: byLevel[depth], scope: scope)
      let samples = levelSamples[depth]
      report.levels.append(
        MetricReport.Level(
          depth: depth, samples: samples,
          metrics: [
            ("accuracy", samples > 0 ? Double(levelMatches[depth]) / Double(samples) : 0),
            ("micro-f1", micro.f1),
            ("macro-f1", macro.f1),
          ]))
    }
    report.sampleCount = sampleCount
    return report
  }
}
