import Foundation
import Testing

/// `arbor eval` end to end: output formats, exit codes and messages for bad input.
@Suite struct EvalCLITests {
  /// r → a → {a1, a2}; r → b → b1.
  static let taxonomy = """
    {"format": "arbor-taxonomy", "version": 1, "nodes": [
      {"id": "r"}, {"id": "a", "parents": ["r"]}, {"id": "b", "parents": ["r"]},
      {"id": "a1", "parents": ["a"]}, {"id": "a2", "parents": ["a"]}, {"id": "b1", "parents": ["b"]}
    ]}
    """

  static func files(gold: String, pred: String) throws -> (URL, [String]) {
    let dir = try makeTemporaryDirectory()
    try taxonomy.write(to: dir.appendingPathComponent("t.json"), atomically: true, encoding: .utf8)
    try gold.write(to: dir.appendingPathComponent("g.jsonl"), atomically: true, encoding: .utf8)
    try pred.write(to: dir.appendingPathComponent("p.jsonl"), atomically: true, encoding: .utf8)
    let args = [
      "eval", "--taxonomy", dir.appendingPathComponent("t.json").path,
      "--gold", dir.appendingPathComponent("g.jsonl").path, "--pred",
      dir.appendingPathComponent("p.jsonl").path,
    ]
    return (dir, args)
  }

  static let gold =
    "{\"id\":\"1\",\"labels\":[\"a\",\"a1\"]}\n{\"id\":\"2\",\"labels\":[\"b1\"]}\n{\"id\":\"3\",\"labels\":[\"a2\"]}\n"
  static let pred = "{\"id\":\"1\",\"labels\":[\"a\",\"a1\"]}\n{\"id\":\"2\",\"labels\":[\"a1\",\"b\"]}\n"

  @Test func jsonOutputAndMissingPredictionWarning() throws {
    let (dir, args) = try Self.files(gold: Self.gold, pred: Self.pred)
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try runArbor(args + ["--json", "--per-level"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("1 gold record(s) have no prediction"))
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let metrics = try #require(json["metrics"] as? [String: Double])
    // Hand-computed in HandComputedTests: hP 3/5, hR 1/2.
    #expect(abs((metrics["h-micro-f1"] ?? 0) - 6.0 / 11) < 1e-12)
    #expect((json["levels"] as? [Any])?.count == 2)
  }

  @Test func tableSelectionAndPerNodeCSV() throws {
    let (dir, args) = try Self.files(gold: Self.gold, pred: Self.pred)
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = dir.appendingPathComponent("nodes.csv").path
    let result = try runArbor(args + ["--metrics", "hierarchical,exact-match", "--per-node", csv])
    #expect(result.status == 0)
    #expect(result.stdout.contains("h-micro-f1               0.5455"))
    #expect(result.stdout.contains("exact-match"))
    #expect(!result.stdout.contains("flat-micro-f1"))
    let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
    #expect(rows.first?.hasPrefix("id,label,depth,gold,predicted,correct") == true)
    // a1: flat gold 1 (sample 1), predicted 2, correct 1.
    #expect(rows.contains { $0.hasPrefix("a1,a1,2,1,2,1,0.5,1.0,") })
  }

  @Test func unknownIdsFailUnlessIgnored() throws {
    let (dir, args) = try Self.files(gold: Self.gold, pred: "{\"id\":\"1\",\"labels\":[\"zz\",\"a\"]}\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    let failed = try runArbor(args)
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("1 label(s) name node ids that are not in the taxonomy: 'zz' (line 1)"))
    #expect(failed.stdout.isEmpty)
    let ignored = try runArbor(args + ["--ignore-unknown"])
    #expect(ignored.status == 0)
    #expect(ignored.stderr.contains("dropped 1 label(s) with unknown node ids ('zz')"))
  }

  @Test func duplicateEmptyAndUsageErrors() throws {
    let (dir, args) = try Self.files(gold: Self.gold + "{\"id\":\"2\",\"labels\":[]}\n", pred: "")
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try runArbor(args)
    #expect(result.status == 1)
    #expect(result.stderr.contains("g.jsonl:4: duplicate record id '2' (first at line 2)"))
    #expect(result.stderr.contains("p.jsonl:1: no records"))
    #expect(try runArbor(args + ["--macro-over", "some"]).status == 2)
    #expect(try runArbor(args + ["--task", "ranking"]).status == 2)
  }

  @Test func oneBrokenFileGivenAsBothIsReportedOnce() throws {
    let (dir, args) = try Self.files(gold: "{\"id\":\"1\"\n", pred: "")
    defer { try? FileManager.default.removeItem(at: dir) }
    let gold = dir.appendingPathComponent("g.jsonl").path
    let result = try runArbor(Array(args.prefix(5)) + ["--pred", gold])
    #expect(result.status == 1)
    #expect(result.stderr.components(separatedBy: "g.jsonl:1: invalid JSON").count == 2, "\(result.stderr)")
  }

  @Test func expansionAndClusteringTasks() throws {
    let (dir, args) = try Self.files(
      gold: "{\"id\":\"q\",\"labels\":[\"a\"]}\n",
      pred: "{\"id\":\"q\",\"scores\":{\"b\":0.9,\"a\":0.9,\"a1\":0.1}}\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try runArbor(args + ["--task", "expansion", "--json"])
    #expect(result.status == 0)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let metrics = try #require(json["metrics"] as? [String: Double])
    // a ties b for first place: rank 1; the top candidate is b (written first), Wu&Palmer(b, a) = 2·1/(2+2).
    #expect(metrics["mrr"] == 1)
    #expect(metrics["accuracy"] == 1)
    #expect(metrics["wu-palmer"] == 0.5)
    #expect(metrics["wu-palmer-root0"] == 0)
  }
}
