import Foundation
import Testing

/// `arbor learn` end to end: growing a trained model, its refusals, and the other commands on its output.
@Suite struct LearnCLITests {
  static let words = [
    "cat": "whiskers meows purrs", "dog": "barks wags fetches", "tree": "bark trunk leaves",
    "flower": "petals bloom pollen",
  ]

  /// A taxonomy JSON from `(id, parents)` pairs.
  static func taxonomyJSON(_ nodes: [(String, [String])]) -> String {
    let items = nodes.map { id, parents in
      "{\"id\": \"\(id)\", \"label\": \"\(id)\", \"parents\": [\(parents.map { "\"\($0)\"" }.joined(separator: ", "))]}"
    }
    return
      "{\"format\": \"arbor-taxonomy\", \"version\": 1, \"nodes\": [\(items.joined(separator: ",\n"))]}\n"
  }

  static let grown: [(String, [String])] = [
    ("root", []), ("animal", ["root"]), ("plant", ["root"]), ("cat", ["animal"]), ("dog", ["animal"]),
    ("tree", ["plant"]), ("flower", ["plant"]),
  ]

  /// JSONL documents: `count` per class, animals labelled `animal` only when `coarse`.
  static func documents(_ classes: [String], count: Int, coarse: Bool, prefix: String) -> String {
    var lines = ""
    for name in classes {
      let parent = name == "cat" || name == "dog" ? "animal" : "plant"
      let labels = coarse && parent == "animal" ? "[\"\(parent)\"]" : "[\"\(parent)\", \"\(name)\"]"
      for i in 0..<count {
        lines +=
          "{\"id\": \"\(prefix)-\(name)-\(i)\", \"text\": \"\(words[name]!) \(parent) number \(i % 3)\", "
          + "\"labels\": \(labels)}\n"
      }
    }
    return lines
  }

  /// A directory with cut.json, grown.json, train.jsonl, new.jsonl, test.jsonl and a trained model.arbor.
  static func setUp() throws -> URL {
    let dir = try makeTemporaryDirectory()
    func write(_ name: String, _ text: String) throws {
      try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    try write("grown.json", taxonomyJSON(grown))
    try write("cut.json", taxonomyJSON(grown.filter { $0.0 != "cat" && $0.0 != "dog" }))
    try write(
      "train.jsonl", documents(["cat", "dog", "tree", "flower"], count: 6, coarse: true, prefix: "t"))
    try write("new.jsonl", documents(["cat", "dog"], count: 4, coarse: false, prefix: "n"))
    try write(
      "test.jsonl",
      """
      {"id": "q1", "text": "it meows and purrs", "labels": ["animal", "cat"]}
      {"id": "q2", "text": "it barks and wags", "labels": ["animal", "dog"]}
      {"id": "q3", "text": "a trunk with leaves", "labels": ["plant", "tree"]}
      {"id": "q4", "text": "petals in bloom", "labels": ["plant", "flower"]}

      """)
    let train = try runArbor([
      "train", "--taxonomy", dir.appendingPathComponent("cut.json").path,
      "--train", dir.appendingPathComponent("train.jsonl").path, "--epochs", "20",
      "--out", dir.appendingPathComponent("model.arbor").path,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    return dir
  }

  func path(_ dir: URL, _ name: String) -> String { dir.appendingPathComponent(name).path }

  @Test func growsTheModelAndClassifyAndEvalWorkOnIt() throws {
    let dir = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let learn = try runArbor([
      "learn", "--model", path(dir, "model.arbor"), path(dir, "new.jsonl"), "--taxonomy",
      path(dir, "grown.json"),
      "--out", path(dir, "learned.arbor"), "--json",
    ])
    #expect(learn.status == 0, "\(learn.stderr)")
    let summary = try JSONSerialization.jsonObject(with: Data(learn.stdout.utf8)) as? [String: Any]
    #expect(summary?["documents"] as? Int == 8)
    #expect(Set(summary?["added_labels"] as? [String] ?? []) == ["cat", "dog"])
    // classify: the new finer labels come out, the old ones stay.
    let classify = try runArbor(["classify", "--model", path(dir, "learned.arbor"), path(dir, "test.jsonl")])
    #expect(classify.status == 0, "\(classify.stderr)")
    try classify.stdout.write(to: dir.appendingPathComponent("pred.jsonl"), atomically: true, encoding: .utf8)
    var predicted: [String: [String]] = [:]
    for line in classify.stdout.split(separator: "\n") {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      predicted[object?["id"] as? String ?? ""] = object?["labels"] as? [String]
    }
    #expect(predicted["q1"] == ["animal", "cat"])
    #expect(predicted["q2"] == ["animal", "dog"])
    #expect(predicted["q3"] == ["plant", "tree"])
    #expect(predicted["q4"] == ["plant", "flower"])
    // eval: every test document right, so hierarchical micro-F1 is exactly 1.
    let eval = try runArbor([
      "eval", "--taxonomy", path(dir, "grown.json"), "--gold", path(dir, "test.jsonl"),
      "--pred", path(dir, "pred.jsonl"), "--metrics", "h-micro-f1", "--json",
    ])
    #expect(eval.status == 0, "\(eval.stderr)")
    let scores = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
    #expect((scores?["metrics"] as? [String: Any])?["h-micro-f1"] as? Double == 1)
    // learn again on its own output (its memory travels in the file), without a taxonomy.
    let again = try runArbor([
      "learn", "--model", path(dir, "learned.arbor"), path(dir, "new.jsonl"), "--out",
      path(dir, "again.arbor"),
    ])
    #expect(again.status == 0, "\(again.stderr)")
    // finetune treats a learned model exactly as it treats a trained one.
    let finetuneArguments = ["--train", path(dir, "new.jsonl"), "--out", path(dir, "ft.safetensors")]
    let onTrained = try runArbor(["finetune", "--model", path(dir, "model.arbor")] + finetuneArguments)
    let onLearned = try runArbor(["finetune", "--model", path(dir, "learned.arbor")] + finetuneArguments)
    #expect(onLearned.status == onTrained.status)
    #expect(
      onLearned.stderr.replacingOccurrences(of: "learned.arbor", with: "model.arbor") == onTrained.stderr)
  }

  @Test func sameSeedSameBytes() throws {
    let dir = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    for name in ["a.arbor", "b.arbor"] {
      let result = try runArbor([
        "learn", "--model", path(dir, "model.arbor"), path(dir, "new.jsonl"), "--taxonomy",
        path(dir, "grown.json"), "--out", path(dir, name), "--seed", "5",
      ])
      #expect(result.status == 0, "\(result.stderr)")
    }
    #expect(
      try Data(contentsOf: dir.appendingPathComponent("a.arbor"))
        == Data(contentsOf: dir.appendingPathComponent("b.arbor")))
  }

  @Test func refusesDroppedAndMovedNodesAndUnknownLabels() throws {
    let dir = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = path(dir, "out.arbor")
    // A taxonomy without "flower", which the model knows.
    try Self.taxonomyJSON(Self.grown.filter { $0.0 != "flower" }).write(
      to: dir.appendingPathComponent("dropped.json"), atomically: true, encoding: .utf8)
    let dropped = try runArbor([
      "learn", "--model", path(dir, "model.arbor"), path(dir, "new.jsonl"), "--taxonomy",
      path(dir, "dropped.json"), "--out", out,
    ])
    #expect(dropped.status == 1)
    #expect(dropped.stderr.contains("dropped.json") && dropped.stderr.contains("'flower'"))
    // "tree" moved under "animal".
    try Self.taxonomyJSON(Self.grown.map { $0.0 == "tree" ? ("tree", ["animal"]) : $0 }).write(
      to: dir.appendingPathComponent("moved.json"), atomically: true, encoding: .utf8)
    let moved = try runArbor([
      "learn", "--model", path(dir, "model.arbor"), path(dir, "new.jsonl"), "--taxonomy",
      path(dir, "moved.json"), "--out", out,
    ])
    #expect(moved.status == 1)
    #expect(moved.stderr.contains("'tree'") && moved.stderr.contains("--allow-moves"))
    #expect(!FileManager.default.fileExists(atPath: out))
    let allowed = try runArbor([
      "learn", "--model", path(dir, "model.arbor"), path(dir, "new.jsonl"), "--taxonomy",
      path(dir, "moved.json"), "--out", out, "--allow-moves",
    ])
    #expect(allowed.status == 0, "\(allowed.stderr)")
    try FileManager.default.removeItem(atPath: out)
    // Without the grown taxonomy, cat and dog are unknown labels: an error naming file, line, record, label.
    let unknown = try runArbor([
      "learn", "--model", path(dir, "model.arbor"), path(dir, "new.jsonl"), "--out", out,
    ])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("new.jsonl:1:") && unknown.stderr.contains("'n-cat-0'"))
    #expect(unknown.stderr.contains("'cat'"))
    #expect(!FileManager.default.fileExists(atPath: out))
    // With --skip-unknown they are skipped and counted (all 8 here, and one plant document kept).
    try
      (Self.documents(["cat", "dog"], count: 4, coarse: false, prefix: "n")
      + Self.documents(["tree"], count: 1, coarse: false, prefix: "p")).write(
        to: dir.appendingPathComponent("mixed.jsonl"), atomically: true, encoding: .utf8)
    let skipped = try runArbor([
      "learn", "--model", path(dir, "model.arbor"), path(dir, "mixed.jsonl"), "--out", out, "--skip-unknown",
      "--json",
    ])
    #expect(skipped.status == 0, "\(skipped.stderr)")
    #expect(skipped.stderr.contains("skipped 8 record(s)"))
    let summary = try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Any]
    #expect(summary?["skipped"] as? Int == 8 && summary?["documents"] as? Int == 1)
  }

  @Test func refusesADamagedModelFile() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "not a model".write(to: dir.appendingPathComponent("bad.arbor"), atomically: true, encoding: .utf8)
    try "{\"id\": \"a\", \"text\": \"x\", \"labels\": [\"y\"]}\n".write(
      to: dir.appendingPathComponent("new.jsonl"), atomically: true, encoding: .utf8)
    let result = try runArbor([
      "learn", "--model", path(dir, "bad.arbor"), path(dir, "new.jsonl"), "--out", path(dir, "out.arbor"),
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("bad.arbor"))
    #expect(!FileManager.default.fileExists(atPath: path(dir, "out.arbor")))
  }
}
