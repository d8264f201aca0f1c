import ArborTree
import Foundation
import Testing

@testable import ArborMetrics

/// Compares every metric with the values `Fixtures/make_fixtures.py` computed with hiclass.metrics,
/// scikit-learn and independent transcriptions of the published formulas.
@Suite struct ReferenceFixtureTests {
  static let tolerance = 1e-9

  static func fixture(_ name: String) throws -> URL {
    let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return root.appendingPathComponent(name)
  }

  static func expected(_ caseName: String) throws -> [String: Any] {
    let data = try Data(contentsOf: fixture(caseName).appendingPathComponent("expected.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func load(_ caseName: String, keepingRoot: Bool = false) throws -> (
    LabelHierarchy, EvaluationRecords, EvaluationRecords
  ) {
    let dir = try fixture(caseName)
    let taxonomy = try Taxonomy.read(from: dir.appendingPathComponent("taxonomy.json").path)
    let hierarchy = LabelHierarchy(taxonomy)
    let gold = try EvaluationRecords.read(
      from: dir.appendingPathComponent("gold.jsonl").path, hierarchy: hierarchy, keepingRoot: keepingRoot)
    let pred = try EvaluationRecords.read(
      from: dir.appendingPathComponent("pred.jsonl").path, hierarchy: hierarchy, keepingRoot: keepingRoot)
    return (hierarchy, gold, pred)
  }

  static func compare(_ report: MetricReport, _ expected: [String: Any], _ label: String) throws {
    let metrics = try #require(expected["metrics"] as? [String: Double])
    #expect(!metrics.isEmpty)
    for (name, value) in metrics.sorted(by: { $0.key < $1.key }) {
      let got = try #require(report[name], "\(label): missing \(name)")
      #expect(abs(got - value) <= tolerance, "\(label) \(name): \(got) vs reference \(value)")
    }
    if let levels = expected["levels"] as? [[String: Double]] {
      #expect(levels.count == report.levels.count, "\(label): level count")
      for (want, got) in zip(levels, report.levels) {
        #expect(Int(want["depth"] ?? -1) == got.depth)
        #expect(Int(want["samples"] ?? -1) == got.samples, "\(label) level \(got.depth) samples")
        for (name, value) in got.metrics {
          let reference = try #require(want[name], "\(label): level \(got.depth) lacks \(name)")
          #expect(
            abs(reference - value) <= tolerance,
            "\(label) level \(got.depth) \(name): \(value) vs \(reference)")
        }
      }
    }
  }

  @Test(arguments: ["tree-single", "tree-multi", "dag-multi"])
  func classificationAgreesWithReferences(caseName: String) throws {
    let (hierarchy, gold, pred) = try Self.load(caseName)
    let expected = try Self.expected(caseName)
    for scope in MacroAveragingScope.allCases {
      var options = ClassificationEvaluation.Options()
      options.macroScope = scope
      let report = Evaluation.classification(
        hierarchy: hierarchy, gold: gold, predicted: pred, options: options
      )
      .report()
      let reference = try #require(expected[scope.rawValue] as? [String: Any])
      try Self.compare(report, reference, "\(caseName) macro over \(scope.rawValue)")
    }
  }

  @Test func pathMetricsMatchHierVerbsOwnCodeOnSinglePathTrees() throws {
    // make_fixtures.py follows HierVerb's compute_based_on_path literally; on a single-path tree it
    // and Arbor's definition coincide (they differ only where complete predicted paths share nodes).
    let (hierarchy, gold, pred) = try Self.load("tree-single")
    let report = Evaluation.classification(hierarchy: hierarchy, gold: gold, predicted: pred).report()
    let code = try #require(try Self.expected("tree-single")["hierverb-code"] as? [String: Double])
    #expect(code.count == 5)
    for (name, value) in code {
      let got = try #require(report[name])
      #expect(abs(got - value) <= Self.tolerance, "\(name): \(got) vs HierVerb's code \(value)")
    }
  }

  @Test(arguments: ["expansion-tree", "expansion-dag"])
  func expansionAgreesWithReferences(caseName: String) throws {
    let (hierarchy, gold, pred) = try Self.load(caseName, keepingRoot: true)
    let report = Evaluation.expansion(hierarchy: hierarchy, gold: gold, predicted: pred)
    try Self.compare(report, try Self.expected(caseName), caseName)
  }

  @Test func clusteringAgreesWithReferences() throws {
    let (hierarchy, gold, pred) = try Self.load("clustering")
    let report = Evaluation.clustering(hierarchy: hierarchy, gold: gold, predicted: pred)
    try Self.compare(report, try Self.expected("clustering"), "clustering")
  }

  @Test func perSampleScorerMatchesTheSampleAverage() throws {
    // h-sample-f1 is the mean of the per-sample hF1 that RL rewards use.
    let (hierarchy, gold, pred) = try Self.load("dag-multi")
    var scorer = HierarchicalScorer(hierarchy)
    let indices = pred.aligned(to: gold).indices
    var sum = 0.0
    for record in 0..<gold.count {
      let p = Int(indices[record])
      let predicted = p >= 0 ? Array(pred.labels(p)).map(Int.init) : []
      sum += scorer.f1(gold: gold.labels(record).map(Int.init), predicted: predicted)
    }
    let metrics = try #require(try Self.expected("dag-multi")["all"] as? [String: Any])
    let reference = try #require((metrics["metrics"] as? [String: Double])?["h-sample-f1"])
    #expect(abs(sum / Double(gold.count) - reference) <= Self.tolerance)
  }
}
