/// Evaluates a predicted hierarchy of clusters against the taxonomy classes of gold records.
///
/// An item's class at level `d` is the node at depth `d` among the ancestors of its gold labels
/// (the smallest index when a DAG offers several); its finest class is its deepest gold label. Its
/// predicted cluster at level `d` is the prefix of length `d` of its `"path"` (or, for predictions
/// without paths, of its deepest predicted label's ancestors ordered by depth). Level `d` scores the
/// items that have both; `dendrogram-purity` uses the finest classes over the whole predicted tree.
public enum ClusteringEvaluation {
  /// Scores aligned records: `predictedIndex[i]` is the prediction of gold record `i`, or -1.
  public static func evaluate(
    hierarchy: LabelHierarchy, gold: EvaluationRecords, predicted: EvaluationRecords, predictedIndex: [Int32]
  ) -> MetricReport {
    var paths: [ArraySlice<Int32>] = []
    var items: [Int] = []
    for record in 0..<gold.count {
      let p = Int(predictedIndex[record])
      var path: ArraySlice<Int32> = []
      if p >= 0 {
        if predicted.hasPaths {
          path = predicted.path(p)
        } else if let deepest = deepestNode(predicted.labels(p), hierarchy) {
          path = ArraySlice(
            hierarchy.closure(of: deepest).sorted { hierarchy.depths[Int($0)] < hierarchy.depths[Int($1)] })
        }
      }
      paths.append(path)
      items.append(record)
    }
    let tree = PrefixTree(paths)
    var report = MetricReport()
    report.sampleCount = gold.count
    for depth in 1...max(hierarchy.maximumDepth, 1) {
      var classes: [Int32] = []
      var clusters: [Int32] = []
      var nodes: [Int32] = []
      for (position, record) in items.enumerated() {
        guard let c = classNode(gold.labels(record), depth, hierarchy),
          let v = tree.node(ofItem: position, atDepth: depth)
        else { continue }
        classes.append(c)
        clusters.append(v)
        nodes.append(tree.itemNodes[position])
      }
      if classes.isEmpty { continue }
      let nmi = ClusteringMetrics.normalizedMutualInformation(classes, clusters)
      let ari = ClusteringMetrics.adjustedRandIndex(classes, clusters)
      let purity = ClusteringMetrics.dendrogramPurity(classes: classes, itemNodes: nodes, parent: tree.parent)
      report.add("level-\(depth)-nmi", nmi, group: "clustering")
      report.add("level-\(depth)-ari", ari, group: "clustering")
      report.add("level-\(depth)-dendrogram-purity", purity, group: "clustering")
      report.levels.append(
        MetricReport.Level(
          depth: depth, samples: classes.count,
          metrics: [("nmi", nmi), ("ari", ari), ("dendrogram-purity", purity)]))
    }
    var finest: [Int32] = []
    var nodes: [Int32] = []
    for (position, record) in items.enumerated() {
      guard let c = deepestNode(gold.labels(record), hierarchy) else { continue }
      finest.append(Int32(c))
      nodes.append(tree.itemNodes[position])
    }
    report.add(
      "dendrogram-purity",
      ClusteringMetrics.dendrogramPurity(classes: finest, itemNodes: nodes, parent: tree.parent),
      group: "clustering")
    return report
  }

  /// The deepest of a set of nodes, the smallest index on ties.
  static func deepestNode(_ labels: ArraySlice<Int32>, _ hierarchy: LabelHierarchy) -> Int? {
    var best: Int?
    for label in labels {
      if let current = best, hierarchy.depths[Int(label)] <= hierarchy.depths[current] { continue }
      best = Int(label)
    }
    return best
  }

  /// The smallest-index node at a depth among the labels' ancestor closures.
  static func classNode(_ labels: ArraySlice<Int32>, _ depth: Int, _ hierarchy: LabelHierarchy) -> Int32? {
    var best: Int32?
    for label in labels {
      for a in hierarchy.closure(of: Int(label)) where Int(hierarchy.depths[Int(a)]) == depth {
        if a < (best ?? .max) { best = a }
      }
    }
    return best
  }
}
