import Foundation
import Testing

@Suite struct ClassifyCLITests {
  /// The repository's bundled wn-noun-gloss sample.
  var sample: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("corpora/wn-noun-gloss/sample")
  }

  /// Trains on the sample with `options` and classifies the first `count` test documents through
  /// standard input; returns the classify result and the input lines.
  func trainAndClassify(_ options: [String], count: Int, in dir: URL) throws -> (CLIResult, [Substring]) {
    let model = dir.appendingPathComponent("m.arbor").path
    let train = try runArbor(
      [
        "train", "--taxonomy", sample.appendingPathComponent("taxonomy.json").path, "--train",
        sample.appendingPathComponent("train.jsonl").path,
      ] + options + ["--out", model])
    #expect(train.status == 0, "\(train.stderr)")
    let test = try String(contentsOf: sample.appendingPathComponent("test.jsonl"), encoding: .utf8)
    let lines = Array(test.split(separator: "\n").prefix(count))
    let classify = try runArbor(
      ["classify", "--model", model, "-"], stdin: lines.joined(separator: "\n") + "\n")
    #expect(classify.status == 0, "\(classify.stderr)")
    return (classify, lines)
  }

  @Test func trainClassifyOnTheBundledSample() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let taxonomy = sample.appendingPathComponent("taxonomy.json").path
    let (classify, inputLines) = try trainAndClassify(
      ["--method", "local", "--epochs", "2"], count: 200, in: dir)
    let first200 = inputLines.joined(separator: "\n") + "\n"

    // Independent check of every output against the taxonomy file: each path is a chain of edges.
    let tree =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: taxonomy)))
      as! [String: Any]
    var parents: [String: [String]] = [:]
    for node in tree["nodes"] as! [[String: Any]] {
      parents[node["id"] as! String] = node["parents"] as? [String] ?? []
    }
    let root = parents.first { $0.value.isEmpty }!.key
    let lines = classify.stdout.split(separator: "\n")
    #expect(lines.count == 200)
    var correct = 0
    let gold = first200.split(separator: "\n").map {
      try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    for (line, goldRecord) in zip(lines, gold) {
      let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      #expect(record["id"] as? String == goldRecord["id"] as? String)
      let path = (record["paths"] as! [[String]])[0]
      #expect(path.count == 3)
      #expect(parents[path[0]] == [root])
      for (parent, child) in zip(path, path.dropFirst()) { #expect(parents[child]?.contains(parent) == true) }
      correct += Set(path).intersection(goldRecord["labels"] as! [String]).count
    }
    // 2,188 training documents: far better than chance (the largest level-1 class alone is under 0.3).
    #expect(Double(correct) / 600 > 0.4)
  }

  @Test func badInputsGiveClearErrors() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let taxonomy = sample.appendingPathComponent("taxonomy.json").path
    let bad = dir.appendingPathComponent("bad.jsonl").path
    try "{\"id\": \"a\", \"text\": \"x\", \"labels\": [\"wn:nope\"]}\n".write(
      toFile: bad, atomically: true, encoding: .utf8)
    let model = dir.appendingPathComponent("m.arbor").path
    let result = try runArbor(["train", "--taxonomy", taxonomy, "--train", bad, "--out", model])
    #expect(result.status == 1)
    #expect(result.stderr.contains("\(bad):1:"))
    #expect(result.stderr.contains("wn:nope"))
    #expect(!FileManager.default.fileExists(atPath: model))
    for (flag, value, message) in [
      ("--cost", "0", "--cost must be positive"), ("--ancestor-weight", "-1", "--ancestor-weight must be 0"),
      ("--buckets", "10", "--buckets must be between"), ("--loss", "hinge", "hinge"),
      ("--char-ngrams", "5-3", "--char-ngrams must be"), ("--char-ngrams", "3", "--char-ngrams must be"),
    ] {
      let refused = try runArbor([
        "train", "--taxonomy", taxonomy, "--train", bad, "\(flag)=\(value)", "--out", model,
      ])
      #expect(refused.status != 0 && refused.stderr.contains(message), "\(flag): \(refused.stderr)")
      #expect(!FileManager.default.fileExists(atPath: model))
    }
    let missing = try runArbor(["classify", "--model", dir.appendingPathComponent("none.arbor").path])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("none.arbor"))
  }

  @Test func wordOnlyFeaturesTrainAndClassify() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (classify, lines) = try trainAndClassify(
      ["--method", "flat", "--char-ngrams", "none"], count: 100, in: dir)
    var correct = 0
    for (output, input) in zip(classify.stdout.split(separator: "\n"), lines) {
      let record = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
      let gold = try JSONSerialization.jsonObject(with: Data(input.utf8)) as? [String: Any]
      let path = (record?["paths"] as? [[String]])?.first ?? []
      correct += Set(path).intersection(gold?["labels"] as? [String] ?? []).count
    }
    #expect(Double(correct) / 300 > 0.4)
  }
}
