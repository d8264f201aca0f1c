import Foundation
import Testing

/// `arbor continual stream|run` end to end on the committed wn-noun-gloss sample (builtin encoder).
@Suite struct ContinualCLITests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("corpora/wn-noun-gloss/sample")

  func path(_ name: String) -> String { Self.sample.appendingPathComponent(name).path }

  @Test func streamThenRunPrintsTheIssuesJSONAndWritesCurves() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let stream = directory.appendingPathComponent("stream.jsonl").path
    let made = try runArbor([
      "continual", "stream", "--corpus", path("train.jsonl"), "--taxonomy", path("taxonomy.json"),
      "--scenario", "multi-depth", "--seed", "1", "--out", stream,
    ])
    #expect(made.status == 0, "\(made.stderr)")
    let lines = try String(contentsOfFile: stream, encoding: .utf8).split(separator: "\n")
    let train = try String(contentsOfFile: path("train.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(lines.count == train.count)
    let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect(Set(first.keys) == ["id", "text", "label", "level", "task"])

    let curves = directory.appendingPathComponent("curves.csv").path
    let plot = directory.appendingPathComponent("curves.svg").path
    let run = try runArbor([
      "continual", "run", "--stream", stream, "--test", path("test.jsonl"), "--taxonomy",
      path("taxonomy.json"),
      "--method", "arbor", "--eval-every", "500", "--json", "--curves", curves, "--plot", plot,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let levels = try #require(object["levels"] as? [[String: Any]])
    #expect(levels.count == 3)
    for (k, level) in levels.enumerated() {
      #expect(level["level"] as? Int == k + 1)
      for key in ["A_auc", "A_avg", "A_last", "F_last"] {
        let value = try #require(level[key] as? Double, "\(key)")
        #expect(value >= -1 && value <= 1)
      }
    }
    #expect(object["consistency"] as? Double == 1)  // arbor decodes valid paths only
    for key in ["path_accuracy", "seconds"] { #expect(object[key] is Double) }
    let csv = try String(contentsOfFile: curves, encoding: .utf8).split(separator: "\n")
    #expect(csv.first == "samples,task,task_end,accuracy_level1,accuracy_level2,accuracy_level3")
    // 2,188 samples, tasks of 730 / 729 / 729: evaluations after about 500, 730 (task end), 1000,
    // 1459 (task end), 1500 and 2000 samples and at the end.
    #expect(csv.count == 1 + 7)
    #expect(try String(contentsOfFile: plot, encoding: .utf8).hasPrefix("<svg"))

    let table = try runArbor([
      "continual", "run", "--stream", stream, "--test", path("test.jsonl"), "--taxonomy",
      path("taxonomy.json"),
      "--method", "er",
    ])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains("A_auc") && table.stdout.contains("consistency"))
  }

  @Test func badInputFailsNamingFileLineAndFieldWithoutOutput() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let stream = directory.appendingPathComponent("bad.jsonl").path
    try """
    {"id": "a", "text": "x", "label": "wn:00002684", "level": 1, "task": 1}
    {"id": "b", "text": "y", "label": "wn:nope", "level": 1, "task": 1}

    """.write(toFile: stream, atomically: true, encoding: .utf8)
    let curves = directory.appendingPathComponent("curves.csv").path
    let run = try runArbor([
      "continual", "run", "--stream", stream, "--test", path("test.jsonl"), "--taxonomy",
      path("taxonomy.json"),
      "--curves", curves,
    ])
    #expect(run.status != 0)
    #expect(run.stderr.contains("bad.jsonl:2"), "\(run.stderr)")
    #expect(run.stderr.contains("\"label\""), "\(run.stderr)")
    #expect(run.stdout.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: curves))

    let out = directory.appendingPathComponent("stream.jsonl").path
    let corpus = directory.appendingPathComponent("corpus.jsonl").path
    try "{\"id\": \"a\", \"text\": \"x\", \"labels\": [\"wn:00002684\"]}\n{\"id\": \"b\", \"labels\": []}\n"
      .write(toFile: corpus, atomically: true, encoding: .utf8)
    let made = try runArbor([
      "continual", "stream", "--corpus", corpus, "--taxonomy", path("taxonomy.json"), "--scenario",
      "multi-depth", "--out", out,
    ])
    #expect(made.status != 0)
    #expect(made.stderr.contains("corpus.jsonl:2"), "\(made.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    let blurry = try runArbor([
      "continual", "stream", "--corpus", path("train.jsonl"), "--taxonomy", path("taxonomy.json"),
      "--scenario", "multi-depth", "--blurry", "1.5", "--out", out,
    ])
    #expect(blurry.status != 0)
    #expect(blurry.stderr.contains("--blurry"))
  }
}
