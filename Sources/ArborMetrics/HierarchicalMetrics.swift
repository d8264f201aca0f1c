/// Per-sample hierarchical scores on a taxonomy, cheap enough to use as a reward.
///
/// Hierarchical precision and recall (Kiritchenko, Matwin, Nock & Famili 2006): with
/// `Ĝ` the gold labels and `P̂` the predicted labels each closed under ancestors (root excluded),
/// `hP = |Ĝ ∩ P̂| / |P̂|`, `hR = |Ĝ ∩ P̂| / |Ĝ|`, `hF = 2·hP·hR / (hP + hR)`; an empty set gives 0.
/// One scorer allocates its scratch once; each call costs O(|Ĝ| + |P̂|).
public struct HierarchicalScorer: Sendable {
  /// The prepared taxonomy.
  public let hierarchy: LabelHierarchy
  private var goldMarks: [UInt32]
  private var predictedMarks: [UInt32]
  private var generation: UInt32 = 0
  private var goldClosure: [Int32] = []
  private var predictedClosure: [Int32] = []
  private var validMarks: [UInt32]
  private var given: [Int32] = []

  /// Prepares a scorer for a taxonomy.
  public init(_ hierarchy: LabelHierarchy) {
    self.hierarchy = hierarchy
    goldMarks = [UInt32](repeating: 0, count: hierarchy.count)
    predictedMarks = goldMarks
    validMarks = goldMarks
  }

  private mutating func nextGeneration() {
    generation &+= 1
    if generation == 0 {
      for i in goldMarks.indices {
        goldMarks[i] = 0
        predictedMarks[i] = 0
        validMarks[i] = 0
      }
      generation = 1
    }
  }

  private static func close(
    _ labels: some Sequence<Int>, _ hierarchy: LabelHierarchy, _ marks: inout [UInt32], _ generation: UInt32,
    _ out: inout [Int32]
  ) {
    out.removeAll(keepingCapacity: true)
    for label in labels {
      if marks[label] == generation { continue }  // already covered by a deeper label's closure
      for a in hierarchy.closure(of: label) where marks[Int(a)] != generation {
        marks[Int(a)] = generation
        out.append(a)
      }
    }
  }

  /// Hierarchical precision, recall and F1 of one sample.
  public mutating func scores(gold: some Sequence<Int>, predicted: some Sequence<Int>) -> PrecisionRecallF1 {
    nextGeneration()
    Self.close(gold, hierarchy, &goldMarks, generation, &goldClosure)
    Self.close(predicted, hierarchy, &predictedMarks, generation, &predictedClosure)
    var common = 0
    for n in predictedClosure where goldMarks[Int(n)] == generation { common += 1 }
    return PrecisionRecallF1(
      correct: Double(common), predicted: Double(predictedClosure.count), gold: Double(goldClosure.count))
  }

  /// Hierarchical F1 of one sample (see ``scores(gold:predicted:)``).
  public mutating func f1(gold: some Sequence<Int>, predicted: some Sequence<Int>) -> Double {
    scores(gold: gold, predicted: predicted).f1
  }

  /// Whether the prediction's ancestor closure equals the gold's (exact path match).
  public mutating func isExactPathMatch(gold: some Sequence<Int>, predicted: some Sequence<Int>) -> Bool {
    let s = scores(gold: gold, predicted: predicted)
    return goldClosure.count == predictedClosure.count && (goldClosure.isEmpty || s.recall == 1)
  }

  /// Whether a label set is closed under ancestors (root excluded), i.e. forms complete paths.
  public mutating func isConsistent(_ predicted: some Sequence<Int>) -> Bool {
    nextGeneration()
    var distinct = 0
    for label in predicted where label != hierarchy.root && goldMarks[label] != generation {
      goldMarks[label] = generation
      distinct += 1
    }
    Self.close(predicted, hierarchy, &predictedMarks, generation, &predictedClosure)
    return predictedClosure.count == distinct
  }

  /// HierVerb's path score of one sample: `γ(x)·F1` over complete root-to-leaf paths.
  ///
  /// A path is the closure of a leaf; it is predicted when all its nodes are predicted as given
  /// (the prediction is *not* closed), gold when the leaf is in the closed gold. `x` is the number of
  /// predicted labels on no complete predicted path over `|Ĝ|`, and `γ(x) = 1 − 2(σ(x) − ½)`
  /// (Ji et al. 2023). See ``PathMetricCounts``.
  public mutating func pathScore(gold: some Sequence<Int>, predicted: some Sequence<Int>) -> Double {
    nextGeneration()
    Self.close(gold, hierarchy, &goldMarks, generation, &goldClosure)
    // predictedMarks: the prediction as given.
    given.removeAll(keepingCapacity: true)
    for label in predicted where label != hierarchy.root && predictedMarks[label] != generation {
      predictedMarks[label] = generation
      given.append(Int32(label))
    }
    var predictedPaths = 0
    var rightPaths = 0
    var goldPaths = 0
    var valid = 0
    for n in goldClosure where hierarchy.isLeaf(Int(n)) { goldPaths += 1 }
    for n in given where hierarchy.isLeaf(Int(n)) {
      let closure = hierarchy.closure(of: Int(n))
      if closure.allSatisfy({ predictedMarks[Int($0)] == generation }) {
        predictedPaths += 1
        if goldMarks[Int(n)] == generation { rightPaths += 1 }
        for a in closure where validMarks[Int(a)] != generation {
          validMarks[Int(a)] = generation
          valid += 1
        }
      }
    }
    let wrong = given.count - valid
    let f1 = PrecisionRecallF1(
      correct: Double(rightPaths), predicted: Double(predictedPaths), gold: Double(goldPaths)
    ).f1
    let x = goldClosure.isEmpty ? 0 : Double(wrong) / Double(goldClosure.count)
    return PathMetricCounts.penalty(x) * f1
  }
}
