import ArborMetrics
import ArborTree
import ArgumentParser

/// `arbor eval`: score predictions against gold labels on a taxonomy.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate predictions with flat, hierarchical, path, ranking, expansion or clustering metrics.",
    discussion: """
      Gold and prediction files are JSONL, one {"id": ..., "labels": [node ids]} per line; predictions \
      may carry "scores" {node id: number} or "ranking" [node ids], clustering predictions "path" \
      [cluster ids]. See docs/metrics.md for every metric's formula.
      """
  )

  /// What the predictions are for; picks the default metric set.
  enum Task: String, ExpressibleByArgument, CaseIterable {
    case classification, expansion, clustering
  }

  @Option(help: "The taxonomy file.") var taxonomy: String
  @Option(help: "Gold records (JSONL).") var gold: String
  @Option(help: "Predicted records (JSONL).") var pred: String
  @OptionGroup var input: TaxonomyInputOptions
  @Option(help: "What is evaluated: \(Task.allCases.map(\.rawValue).joined(separator: ", ")).")
  var task: Task = .classification
  @Option(help: "Comma-separated metric names or groups (e.g. flat,hierarchical,h-micro-f1); default: all.")
  var metrics: String?
  @Flag(help: "Print JSON instead of a table.") var json = false
  @Flag(help: "Also print accuracy, micro-F1 and macro-F1 per level.") var perLevel = false
  @Option(help: "Write per-node counts and scores to this CSV file.") var perNode: String?
  @Option(help: "Macro averages over 'all' labels of the taxonomy or only 'occurring' ones.")
  var macroOver: String = "all"
  @Option(help: "Cut-offs k for P@k, R@k, F1@k, NDCG@k (classification) or Hit@k (expansion).")
  var k: String?
  @Flag(help: "Drop labels with unknown node ids (with a warning) instead of failing.")
  var ignoreUnknown = false
  @Option(
    help:
      "Clustering: the topic tree the paths refer to; adds the label-only navigator's success (texts from --gold)."
  )
  var tree: String?
  @OptionGroup(title: "Navigation encoder (with --tree)") var navigationEncoding: OrganizeEncoderOptions

  func validate() throws {
    if MacroAveragingScope(rawValue: macroOver) == nil {
      throw ValidationError("--macro-over must be 'all' or 'occurring'.")
    }
    if perNode != nil && task != .classification {
      throw ValidationError("--per-node applies to --task classification only.")
    }
    if tree != nil && task != .clustering {
      throw ValidationError("--tree applies to --task clustering only.")
    }
    if let k, parseCutoffs(k) == nil {
      throw ValidationError("--k must be a comma-separated list of positive integers, e.g. 1,3,5.")
    }
  }

  func parseCutoffs(_ text: String) -> [Int]? {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
    return parts.compactMap { $0 }
  }

  func run() throws {
    let hierarchy: LabelHierarchy
    let goldRecords: EvaluationRecords
    let predictedRecords: EvaluationRecords
    do {
      hierarchy = LabelHierarchy(try input.read(taxonomy))
      try hierarchy.checkClosureSize(file: taxonomy)
      let keepRoot = task == .expansion
      (goldRecords, predictedRecords) = try Evaluation.readPair(
        gold: gold, predicted: pred, hierarchy: hierarchy, ignoringUnknown: ignoreUnknown,
        keepingRoot: keepRoot)
    } catch {
      throw fail(error)
    }
    for records in [goldRecords, predictedRecords] where records.droppedUnknownCount > 0 {
      let examples = records.droppedUnknownExamples.map { "'\($0)'" }.joined(separator: ", ")
      printError(
        "arbor: warning: \(records.file): dropped \(records.droppedUnknownCount) label(s) with unknown node ids "
          + "(\(examples)\(records.droppedUnknownCount > records.droppedUnknownExamples.count ? ", ..." : ""))"
      )
    }
    let (_, missing, extra) = predictedRecords.aligned(to: goldRecords)
    if missing > 0 {
      printError("arbor: warning: \(missing) gold record(s) have no prediction in \(pred); scored as empty")
    }
    if extra > 0 {
      printError("arbor: warning: \(extra) prediction(s) in \(pred) have no gold record; ignored")
    }

    var report: MetricReport
    switch task {
    case .classification:
      var options = ClassificationEvaluation.Options()
      options.macroScope = MacroAveragingScope(rawValue: macroOver) ?? .all
      if let k, let cutoffs = parseCutoffs(k) { options.rankingCutoffs = cutoffs }
      let evaluation = Evaluation.classification(
        hierarchy: hierarchy, gold: goldRecords, predicted: predictedRecords, options: options)
      report = evaluation.report()
      if let perNode {
        do {
          try ArborFile.writeAtomically(PerNodeTable.csv(evaluation), to: perNode)
        } catch {
          throw fail(error)
        }
      }
    case .expansion:
      report = Evaluation.expansion(
        hierarchy: hierarchy, gold: goldRecords, predicted: predictedRecords,
        cutoffs: k.flatMap(parseCutoffs) ?? [1, 5, 10])
    case .clustering:
      report = Evaluation.clustering(hierarchy: hierarchy, gold: goldRecords, predicted: predictedRecords)
      if let tree {
        try EvalNavigation.add(
          to: &report, treePath: tree, goldPath: gold, predictedPath: pred, encoding: navigationEncoding)
      }
    }

    var showLevels = perLevel
    if let metrics {
      let names = metrics.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
      let unknown = names.filter { !report.knownNames.contains($0) }
      if !unknown.isEmpty {
        printError(
          "arbor: unknown metric(s) for --task \(task.rawValue): \(unknown.joined(separator: ", ")); known: "
            + report.entries.map(\.name).joined(separator: ", "))
        throw ExitCode(2)
      }
      report = report.selecting(names)
      if names.contains("level") || names.contains("per-level") { showLevels = true }
    }
    print(json ? report.json(levels: showLevels) : report.table(levels: showLevels), terminator: "")
  }
}
