import Foundation
import Testing

/// `arbor organize build|add` and `arbor eval --tree` end to end on a small made-up collection.
@Suite struct OrganizeCLITests {
  /// Three topics with four phrasings each, written as JSONL.
  static func collection(in directory: URL, name: String = "docs.jsonl", offset: Int = 0) throws -> URL {
    let topics = [
      [
        "a small bird that sings in trees", "a bird of prey with sharp talons", "a water bird that swims",
        "a bird with bright feathers",
      ],
      [
        "a tool for cutting wood", "a hand tool for driving nails", "a tool that grips small objects",
        "a power tool for drilling holes",
      ],
      [
        "a dish of cooked rice and beans", "a dish made with noodles", "a sweet dish served cold",
        "a dish of roasted vegetables",
      ],
    ]
    let shared = [
      "birds, feathers, wings, nests", "tools, workshop, hardware, blades", "dishes, recipes, cooking, meals",
    ]
    var lines = ""
    for (t, sentences) in topics.enumerated() {
      for (s, sentence) in sentences.enumerated() {
        for copy in 0..<3 {
          let id = "doc-\(t)-\(s)-\(copy + offset)"
          lines += "{\"id\": \"\(id)\", \"text\": \"\(shared[t]): \(sentence) (\(copy + offset))\"}\n"
        }
      }
    }
    let url = directory.appendingPathComponent(name)
    try Data(lines.utf8).write(to: url)
    return url
  }

  @Test func buildWritesTreeAssignmentsAndModelThenAddKeepsIds() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = try Self.collection(in: directory)
    let tree = directory.appendingPathComponent("tree.json").path
    let skos = directory.appendingPathComponent("tree.rdf").path
    let assignments = directory.appendingPathComponent("a.jsonl").path
    let model = directory.appendingPathComponent("model.safetensors").path
    let result = try runArbor([
      "organize", "build", input.path, "--out", tree, "--assignments", assignments, "--tree-model", model,
      "--levels", "3", "--lexical-weight", "0", "--dimension", "128",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tree))) as? [String: Any])
    let nodes = try #require(json["nodes"] as? [[String: Any]])
    let ids = nodes.compactMap { $0["id"] as? String }
    #expect(ids.contains("t1") && ids.contains("t2") && ids.contains("t3"))
    for node in nodes where node["id"] as? String != "arbor:root" {
      let attributes = try #require(node["attributes"] as? [String: String])
      #expect(Int(attributes["size"] ?? "") == 12)
      #expect(!(attributes["keyphrases"] ?? "").isEmpty)
    }
    // Each topic's twelve documents share one path of one top-level node.
    let lines = try String(contentsOfFile: assignments, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 36)
    var pathOfTopic: [String: String] = [:]
    for line in lines {
      let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let id = try #require(record["id"] as? String)
      let path = try #require(record["path"] as? [String])
      #expect(path.count == 1)
      let topic = String(id.split(separator: "-")[1])
      #expect(pathOfTopic[topic, default: path[0]] == path[0])
      pathOfTopic[topic] = path[0]
    }
    #expect(Set(pathOfTopic.values).count == 3)

    // arbor eval --tree: the navigator through the written taxonomy agrees with the build's own report.
    let goldTaxonomy = directory.appendingPathComponent("gold.json")
    try Data(
      #"{"format": "arbor-taxonomy", "version": 1, "nodes": [{"id": "birds"}, {"id": "tools"}, {"id": "dishes"}]}"#
        .utf8
    ).write(to: goldTaxonomy)
    let gold = directory.appendingPathComponent("gold.jsonl")
    var goldLines = ""
    for line in try String(contentsOf: input, encoding: .utf8).split(separator: "\n") {
      let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let id = try #require(record["id"] as? String)
      let label = ["birds", "tools", "dishes"][Int(String(id.split(separator: "-")[1])) ?? 0]
      let text = try #require(record["text"] as? String)
      goldLines += "{\"id\": \"\(id)\", \"text\": \"\(text)\", \"labels\": [\"\(label)\"]}\n"
    }
    try Data(goldLines.utf8).write(to: gold)
    let evaluation = try runArbor([
      "eval", "--task", "clustering", "--taxonomy", goldTaxonomy.path, "--gold", gold.path, "--pred",
      assignments, "--tree", tree, "--dimension", "128", "--json",
    ])
    #expect(evaluation.status == 0, "\(evaluation.stderr)")
    let reported = try #require(
      result.stderr.firstMatch(of: /label navigation exact ([0-9.]+)/).map { Double(String($0.1)) ?? -1 })
    #expect(evaluation.stdout.contains("navigation-exact"))
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(evaluation.stdout.utf8)) as? [String: Any])
    let metrics = report["metrics"] as? [String: Any] ?? report
    let exact = try #require(metrics["navigation-exact"] as? Double)
    #expect(abs(exact - reported) < 0.001)
    #expect(abs((metrics["level-1-nmi"] as? Double ?? 0) - 1) < 1e-9)

    // SKOS output: labels as prefLabel.
    let skosResult = try runArbor([
      "organize", "build", input.path, "--out", skos, "--levels", "3", "--lexical-weight", "0",
      "--dimension", "128",
    ])
    #expect(skosResult.status == 0, "\(skosResult.stderr)")
    let rdf = try String(contentsOfFile: skos, encoding: .utf8)
    #expect(rdf.contains("<skos:prefLabel") && rdf.contains("skos:broader") == false)

    // Add new phrasings with a leaf limit of 15: every old id stays, the grown leaves split.
    let more = try Self.collection(in: directory, name: "more.jsonl", offset: 10)
    let grown = directory.appendingPathComponent("grown.safetensors").path
    let grownTree = directory.appendingPathComponent("grown.json").path
    let added = directory.appendingPathComponent("added.jsonl").path
    let addResult = try runArbor([
      "organize", "add", "--tree", model, more.path, "--out", grown, "--taxonomy", grownTree,
      "--assignments", added, "--max-leaf", "15",
    ])
    #expect(addResult.status == 0, "\(addResult.stderr)")
    let grownJSON = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: grownTree)))
        as? [String: Any])
    let grownIDs = Set((grownJSON["nodes"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    #expect(Set(ids).isSubset(of: grownIDs))
    #expect(grownIDs.count > ids.count)
    let addedLines = try String(contentsOfFile: added, encoding: .utf8).split(separator: "\n")
    #expect(addedLines.count == 36)
    for line in addedLines {
      let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let id = try #require(record["id"] as? String)
      let path = try #require(record["path"] as? [String])
      // New documents of a topic go under that topic's top-level node.
      #expect(path.first == pathOfTopic[String(id.split(separator: "-")[1])])
    }
  }

  @Test func errorsExitNonZeroWithoutPartialOutput() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let bad = directory.appendingPathComponent("bad.jsonl")
    try Data("{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\", \"text\": 3}\n".utf8).write(to: bad)
    let out = directory.appendingPathComponent("tree.json").path
    let assignments = directory.appendingPathComponent("a.jsonl").path
    let result = try runArbor(["organize", "build", bad.path, "--out", out, "--assignments", assignments])
    #expect(result.status != 0)
    #expect(result.stderr.contains("bad.jsonl:2"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(!FileManager.default.fileExists(atPath: assignments))

    // More leaves than documents: a clear error, nothing written.
    let input = try Self.collection(in: directory)
    let tooMany = try runArbor(["organize", "build", input.path, "--out", out, "--levels", "3,100"])
    #expect(tooMany.status != 0)
    #expect(tooMany.stderr.contains("--levels"))
    #expect(!FileManager.default.fileExists(atPath: out))

    // An endpoint namer that cannot be reached: labels fall back to the chosen ones, exit 0.
    let fallback = try runArbor([
      "organize", "build", input.path, "--out", out, "--levels", "3", "--lexical-weight", "0", "--namer",
      "endpoint", "--url", "http://127.0.0.1:9/v1", "--model", "none", "--cache-dir",
      directory.appendingPathComponent("cache/embeddings").path,
    ])
    #expect(fallback.status == 0, "\(fallback.stderr)")
    #expect(FileManager.default.fileExists(atPath: out))
    try? FileManager.default.removeItem(atPath: out)

    // Usage errors.
    let single = try runArbor(["organize", "build", input.path, "--out", out, "--min-children", "1"])
    #expect(single.status == 2)
    for weights in ["0.8,x", "0.8,-0.1", "0.8,,0.4", ""] {
      let bad = try runArbor(["organize", "build", input.path, "--out", out, "--lexical-weight", weights])
      #expect(bad.status == 2, "--lexical-weight '\(weights)'")
      #expect(bad.stderr.contains("--lexical-weight"))
    }
    // Per-level weights, the last serving the deeper level.
    let perLevel = try runArbor([
      "organize", "build", input.path, "--out", out, "--levels", "3,6", "--lexical-weight", "0.8,0",
      "--dimension", "128",
    ])
    #expect(perLevel.status == 0, "\(perLevel.stderr)")
    #expect(FileManager.default.fileExists(atPath: out))
    try? FileManager.default.removeItem(atPath: out)
    let ward = try runArbor(["organize", "build", input.path, "--out", out, "--method", "ward"])
    #expect(ward.status != 0)
    #expect(!FileManager.default.fileExists(atPath: out))

    // add with a file that is not a model.
    let notModel = try runArbor([
      "organize", "add", "--tree", input.path, input.path, "--out",
      directory.appendingPathComponent("m").path,
    ])
    #expect(notModel.status != 0)
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("m").path))
  }
}
