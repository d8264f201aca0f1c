/// Accumulates the classification metric set over many samples in one pass.
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

  /// The prepared taxonomy.
  public let hierarchy: LabelHierarchy
  /// The options in force.
  public let options: Options
  /// Flat counts: labels as written in gold and prediction.
  public private(set) var flat: LabelCounts
  /// Hierarchical counts: both sets closed under ancestors.
  public private(set) var hierarchical: LabelCounts
  /// HierVerb's P- and C-metric counts.
  public private(set) var path: PathMetricCounts
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

  private var goldMarks: [UInt32]
  private var predictedMarks: [UInt32]
  private var givenMarks: [UInt32]
  private var rightMarks: [UInt32]
  private var validMarks: [UInt32]
  private var generation: UInt32 = 0
  private var goldClosure: [Int32] = []
  private var predictedClosure: [Int32] = []
  private var levelTouched: [Int32] = []
  private var levelFlags: [UInt8]

  /// Starts an empty evaluation.
  public init(hierarchy: LabelHierarchy, options: Options = Options()) {
    self.hierarchy = hierarchy
    self.options = options
    let n = hierarchy.count
    flat = LabelCounts(nodeCount: n)
    hierarchical = LabelCounts(nodeCount: n)
    path = PathMetricCounts(nodeCount: n)
    goldMarks = [UInt32](repeating: 0, count: n)
    predictedMarks = goldMarks
    givenMarks = goldMarks
    rightMarks = goldMarks
    validMarks = goldMarks
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
      for i in goldMarks.indices {
        goldMarks[i] = 0
        predictedMarks[i] = 0
        givenMarks[i] = 0
        rightMarks[i] = 0
        validMarks[i] = 0
      }
      generation = 1
    }
  }

  /// Adds one sample: gold and predicted labels as sorted distinct node indices without the root,
  /// and optionally the prediction's ranking, best first.
  public mutating func add(gold: ArraySlice<Int32>, predicted: ArraySlice<Int32>, ranking: ArraySlice<Int32>? = nil) {
    nextGeneration()
    let g = generation
    sampleCount += 1
    let closureOffsets = hierarchy.closureOffsets
    let closureNodes = hierarchy.closureNodes
    // Close gold and prediction.
    goldClosure.removeAll(keepingCapacity: true)
    for label in gold {
      for k in Int(closureOffsets[Int(label)])..<Int(closureOffsets[Int(label) + 1]) {
        let a = closureNodes[k]
        if goldMarks[Int(a)] != g {
          goldMarks[Int(a)] = g
          goldClosure.append(a)
        }
      }
    }
    predictedClosure.removeAll(keepingCapacity: true)
    for label in predicted {
      givenMarks[Int(label)] = g
      for k in Int(closureOffsets[Int(label)])..<Int(closureOffsets[Int(label) + 1]) {
        let a = closureNodes[k]
        if predictedMarks[Int(a)] != g {
          predictedMarks[Int(a)] = g
          predictedClosure.append(a)
        }
      }
    }
    // Flat: sets as written.
    for label in gold { flat.gold[Int(label)] += 1 }
    for label in predicted { flat.predicted[Int(label)] += 1 }
    if !gold.isEmpty && !predicted.isEmpty {
      // Both are sorted: merge to count flat matches.
      var i = gold.startIndex
      var j = predicted.startIndex
      while i < gold.endIndex && j < predicted.endIndex {
        let a = gold[i]
        let b = predicted[j]
        if a == b {
          flat.correct[Int(a)] += 1
          i += 1
          j += 1
        } else if a < b {
          i += 1
        } else {
          j += 1
        }
      }
    }
    // Hierarchical, and per-level flags (bit 0: present, bit 1: mismatch).
    let depths = hierarchy.depths
    levelTouched.removeAll(keepingCapacity: true)
    var common = 0
    for n in predictedClosure {
      let node = Int(n)
      hierarchical.predicted[node] += 1
      let d = Int(depths[node])
      if levelFlags[d] == 0 { levelTouched.append(Int32(d)) }
      levelFlags[d] |= 1
      if goldMarks[node] == g {
        hierarchical.correct[node] += 1
        common += 1
      } else {
        levelFlags[d] |= 2
      }
    }
    for n in goldClosure {
      let node = Int(n)
      hierarchical.gold[node] += 1
      let d = Int(depths[node])
      if levelFlags[d] == 0 { levelTouched.append(Int32(d)) }
      levelFlags[d] |= 1
      if predictedMarks[node] != g { levelFlags[d] |= 2 }
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
    for label in predicted where goldMarks[Int(label)] == g { rightMarks[Int(label)] = g }
    for label in predicted where rightMarks[Int(label)] == g {
      var ok = true
      for k in Int(closureOffsets[Int(label)])..<Int(closureOffsets[Int(label) + 1])
      where rightMarks[Int(closureNodes[k])] != g {
        ok = false
        break
      }
      if ok { path.constrained.correct[Int(label)] += 1 }
    }
    for label in predicted { path.constrained.predicted[Int(label)] += 1 }
    for n in goldClosure { path.constrained.gold[Int(n)] += 1 }
    // P-metric: paths are leaf closures.
    let leafFlags = hierarchy.leafFlags
    for n in goldClosure where leafFlags[Int(n)] { path.paths.gold[Int(n)] += 1 }
    var valid = 0
    for label in predicted where leafFlags[Int(label)] {
      var complete = true
      for k in Int(closureOffsets[Int(label)])..<Int(closureOffsets[Int(label) + 1])
      where givenMarks[Int(closureNodes[k])] != g {
        complete = false
        break
      }
      guard complete else { continue }
      path.paths.predicted[Int(label)] += 1
      if goldMarks[Int(label)] == g { path.paths.correct[Int(label)] += 1 }
      for k in Int(closureOffsets[Int(label)])..<Int(closureOffsets[Int(label) + 1]) {
        let a = Int(closureNodes[k])
        if validMarks[a] != g {
          validMarks[a] = g
          valid += 1
        }
      }
    }
    path.wrongLabels += predicted.count - valid
    path.goldLabels += goldClosure.count
    // Ranking metrics against the gold as written.
    if let ranking {
      rankedSamples += 1
      addRanking(gold: gold, ranking: ranking)
    }
  }

  private mutating func addRanking(gold: ArraySlice<Int32>, ranking: ArraySlice<Int32>) {
    for (c, k) in options.rankingCutoffs.enumerated() {
      let top = min(k, ranking.count)
      var hits = 0
      var dcg = 0.0
      var position = 0
      for node in ranking.prefix(top) {
        if RankingMetrics.contains(gold, node) {
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

  /// The metric values accumulated so far.
  public func report() -> MetricReport {
    var report = MetricReport()
    let n = Double(max(sampleCount, 1))
    let labelled = (0..<hierarchy.count).lazy.filter { $0 != hierarchy.root }
    let scope = options.macroScope
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
