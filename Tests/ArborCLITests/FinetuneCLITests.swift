import ArborRL
import ArborTensor
import ArborTree
import Foundation
import Testing

/// `arbor finetune` end to end on the synthetic linear tree policy, and its refusals.
@Suite struct FinetuneCLITests {
  /// Writes a 3-ary tree of depth 2 (as TSV), an untrained linear policy, and train/dev records.
  static func setUp(kind: String = LinearTreePolicy.modelKind) throws -> (URL, [String]) {
    let dir = try makeTemporaryDirectory()
    let task = try SyntheticTreeTask(branching: 3, depth: 2, embeddingSize: 2, noise: [0.2, 0.2], seed: 4)
    var tsv = ""
    for node in 0..<task.taxonomy.count {
      for child in task.taxonomy.children(of: node) {
        tsv += "\(task.taxonomy.id(node))\t\(task.taxonomy.id(child))\n"
      }
    }
    try tsv.write(to: dir.appendingPathComponent("tree.tsv"), atomically: true, encoding: .utf8)
    let taxonomy = try Taxonomy.read(from: dir.appendingPathComponent("tree.tsv").path)
    var generator = RandomGenerator(seed: 1)
    let policy = LinearTreePolicy(
      actionSpace: TreeActionSpace(taxonomy: taxonomy), featureCount: task.featureCount, using: &generator)
    try policy.parameters.save(
      to: dir.appendingPathComponent("model.safetensors").path,
      configuration: ["model": kind, "taxonomy": "tree.tsv"])
    for (name, count) in [("train", 200), ("dev", 100)] {
      let samples = task.samples(count: count, using: &generator)
      var lines = ""
      for (features, gold) in zip(samples.contexts, samples.golds) {
        let id = task.taxonomy.id(gold[0])
        lines +=
          "{\"labels\": [\"\(id)\"], \"features\": [\(features.map { "\($0)" }.joined(separator: ", "))]}\n"
      }
      try lines.write(to: dir.appendingPathComponent("\(name).jsonl"), atomically: true, encoding: .utf8)
    }
    let arguments = [
      "finetune", "--model", dir.appendingPathComponent("model.safetensors").path,
      "--train", dir.appendingPathComponent("train.jsonl").path,
      "--dev", dir.appendingPathComponent("dev.jsonl").path,
      "--reward", "hf1", "--estimator", "tempo", "--group-size", "8", "--batch-size", "16",
      "--steps", "60", "--learning-rate", "0.05", "--eval-every", "20", "--seed", "3",
    ]
    return (dir, arguments)
  }

  @Test func trainsKeepsTheBestCheckpointAndIsDeterministic() throws {
    let (dir, arguments) = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("first.safetensors").path
    let result = try runArbor(arguments + ["--out", first])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let exact = summary?["dev_exact_path"] as? Double ?? 0
    // Untrained, greedy decoding hits 1 leaf in 9 by chance; 60 steps on an easy task do much better.
    #expect(exact > 0.6, "\(result.stdout)")
    #expect(summary?["sampled_paths"] as? Int == 60 * 16 * 8)
    let (store, manifest) = try ParameterStore.read(from: first)
    #expect(manifest.configuration["model"] == LinearTreePolicy.modelKind)
    // The saved checkpoint scores what the summary says on the dev records.
    let taxonomy = try Taxonomy.read(from: dir.appendingPathComponent("tree.tsv").path)
    let policy = try #require(
      LinearTreePolicy(actionSpace: TreeActionSpace(taxonomy: taxonomy), parameters: store))
    var contexts: [[Float]] = []
    var golds: [[Int]] = []
    for line in try String(contentsOf: dir.appendingPathComponent("dev.jsonl"), encoding: .utf8)
      .split(separator: "\n")
    {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      contexts.append((object["features"] as! [Double]).map(Float.init))
      golds.append([taxonomy.index(of: (object["labels"] as! [String])[0])!])
    }
    var reward = PathReward(taxonomy: taxonomy, terms: [(.hf1, 1)])
    let evaluation = policy.evaluate(contexts: contexts, golds: golds, reward: &reward)
    #expect(abs(evaluation.exactPathAccuracy - exact) < 1e-9)
    // Same seed, same bytes.
    let second = dir.appendingPathComponent("second.safetensors").path
    #expect(try runArbor(arguments + ["--out", second]).status == 0)
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
  }

  @Test func refusesModelsWithoutThePolicyContract() throws {
    let (dir, arguments) = try Self.setUp(kind: "verbalizer-classifier")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out.safetensors").path
    let result = try runArbor(arguments + ["--out", out])
    #expect(result.status == 1)
    #expect(result.stderr.contains("this model does not support the tree-path policy contract"))
    #expect(result.stderr.contains("verbalizer-classifier"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func badInputFailsClearlyWithoutOutput() throws {
    let (dir, arguments) = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out.safetensors").path
    let train = dir.appendingPathComponent("train.jsonl")
    var text = try String(contentsOf: train, encoding: .utf8)
    text += "{\"labels\": [\"nope\"], \"features\": [0, 0, 0, 0]}\n"
    try text.write(to: train, atomically: true, encoding: .utf8)
    let unknown = try runArbor(arguments + ["--out", out])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("train.jsonl:201: unknown node id 'nope'"), "\(unknown.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))

    let missing = try runArbor(
      arguments.map { $0.hasSuffix("model.safetensors") ? $0 + ".gone" : $0 } + ["--out", out])
    #expect(missing.status == 1 && missing.stderr.contains("model.safetensors.gone"))
    let usage = try runArbor(arguments + ["--out", out, "--estimator", "ppo"])
    #expect(usage.status == 2 && usage.stderr.contains("--estimator"))
    for bad in ["0", "-1", "inf"] {
      let temperature = try runArbor(arguments + ["--out", out, "--temperature", bad])
      #expect(temperature.status == 2 && temperature.stderr.contains("--temperature"), "\(bad)")
    }
    for bad in [
      ["--lr-schedule", "cosine"], ["--lr-schedule", "linear", "--warmup-steps", "1000"],
      ["--warmup-steps", "-1"], ["--warmup-steps", "5"],
    ] {
      let schedule = try runArbor(arguments + ["--out", out] + bad)
      #expect(
        schedule.status == 2 && schedule.stderr.contains(bad[bad.count - 2]), "\(bad): \(schedule.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}

/// `arbor finetune` on classifier model files: verbalizer, flat and local models adopt the contract.
@Suite struct FinetuneClassifierCLITests {
  /// A two-level toy corpus whose answers are obvious from the words.
  static func setUp() throws -> URL {
    let dir = try makeTemporaryDirectory()
    try "a\ta1\na\ta2\nb\tb1\nb\tb2\n".write(
      to: dir.appendingPathComponent("tree.tsv"), atomically: true, encoding: .utf8)
    let words = ["a1": "apple apricot", "a2": "avocado almond", "b1": "banana blueberry", "b2": "beet bean"]
    var lines = ""
    for (leaf, text) in words.sorted(by: { $0.key < $1.key }) {
      for i in 0..<6 {
        lines += "{\"id\": \"\(leaf)-\(i)\", \"text\": \"\(text) item \(i)\", "
        lines += "\"labels\": [\"\(leaf.prefix(1))\", \"\(leaf)\"]}\n"
      }
    }
    try lines.write(to: dir.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
    return dir
  }

  @Test func finetunesClassifierFilesAndRefusesMultiPathOnes() throws {
    let dir = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = { (name: String) in dir.appendingPathComponent(name).path }
    let train = [
      "train", "--taxonomy", path("tree.tsv"), "--train", path("train.jsonl"), "--epochs", "20",
    ]
    let trained = try runArbor(train + ["--method", "verbalizer", "--out", path("verbalizer.arbor")])
    #expect(trained.status == 0, "\(trained.stderr)")
    let finetune = [
      "finetune", "--train", path("train.jsonl"), "--dev", path("train.jsonl"), "--reward", "exact",
      "--steps", "10", "--eval-every", "5", "--seed", "1",
    ]
    let result = try runArbor(
      finetune + ["--model", path("verbalizer.arbor"), "--out", path("tuned.arbor")])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(summary?["sampled_paths"] as? Int == 10 * 16 * 8)
    // The output is an ordinary classifier file that still gets the obvious answers.
    let classified = try runArbor(
      ["classify", "--model", path("tuned.arbor")], stdin: "{\"id\": \"x\", \"text\": \"beet bean soup\"}\n")
    #expect(classified.status == 0, "\(classified.stderr)")
    #expect(classified.stdout.contains("\"b2\""), "\(classified.stdout)")

    // --temperature samples from softmax(logits / T): on records the model fits, a hot policy samples
    // wrong paths that the untempered one does not, so its sampled reward is lower.
    var sampledReward: [String: Double] = [:]
    for temperature in ["1", "5"] {
      let run = try runArbor([
        "finetune", "--train", path("train.jsonl"), "--reward", "exact", "--steps", "1", "--seed", "1",
        "--temperature", temperature, "--model", path("verbalizer.arbor"), "--out",
        path("t\(temperature).arbor"),
      ])
      #expect(run.status == 0, "\(run.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
      sampledReward[temperature] = object?["last_train_reward"] as? Double
    }
    let cold = try #require(sampledReward["1"])
    let hot = try #require(sampledReward["5"])
    #expect(cold > 0.9 && hot < cold - 0.2, "T = 1: \(cold), T = 5: \(hot)")

    // --lr-schedule reaches the optimizer: with a warm-up over all but the last step the first
    // updates are smaller, so the same seed ends at different weights than at a constant rate.
    var weights: [String: Data] = [:]
    for schedule in [["--lr-schedule", "constant"], ["--lr-schedule", "linear", "--warmup-steps", "3"]] {
      let name = "s-\(schedule[1]).arbor"
      let run = try runArbor(
        [
          "finetune", "--train", path("train.jsonl"), "--reward", "exact", "--steps", "4", "--seed", "1",
          "--temperature", "5", "--model", path("verbalizer.arbor"), "--out", path(name),
        ] + schedule)
      #expect(run.status == 0, "\(run.stderr)")
      weights[schedule[1]] = try Data(contentsOf: dir.appendingPathComponent(name))
    }
    #expect(weights["constant"] != nil && weights["constant"] != weights["linear"])

    // Flat and local models adopt the contract too; a multi-path one is refused.
    for method in ["flat", "local"] {
      #expect(try runArbor(train + ["--method", method, "--out", path("\(method).arbor")]).status == 0)
      let tuned = try runArbor(
        finetune + ["--model", path("\(method).arbor"), "--out", path("\(method)-tuned.arbor")])
      #expect(tuned.status == 0, "\(tuned.stderr)")
      let answer = try runArbor(
        ["classify", "--model", path("\(method)-tuned.arbor")],
        stdin: "{\"id\": \"x\", \"text\": \"banana blueberry pie\"}\n")
      #expect(answer.stdout.contains("\"b1\""), "\(method): \(answer.stdout)")
    }
    let multi = try runArbor(train + ["--method", "flat", "--multi-path", "--out", path("multi.arbor")])
    #expect(multi.status == 0, "\(multi.stderr)")
    let refused = try runArbor(finetune + ["--model", path("multi.arbor"), "--out", path("never.arbor")])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("multi-path classifier has no single-path policy"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("never.arbor")))
  }

  /// A learning rate far too high drives the weights past Float's range (sampling from NaN
  /// probabilities used to stop on a precondition, and `train` saved a model of NaNs).
  @Test func divergedTrainingStopsWithAClearError() throws {
    let dir = try Self.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = { (name: String) in dir.appendingPathComponent(name).path }
    let train = [
      "train", "--taxonomy", path("tree.tsv"), "--train", path("train.jsonl"), "--method", "verbalizer",
    ]
    let diverged = try runArbor(train + ["--epochs", "3", "--lr", "1e30", "--out", path("nan.arbor")])
    #expect(diverged.status == 1)
    #expect(diverged.stderr.contains("training diverged in epoch "), "\(diverged.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("nan.arbor")))

    #expect(try runArbor(train + ["--epochs", "20", "--out", path("verbalizer.arbor")]).status == 0)
    let finetune = [
      "finetune", "--model", path("verbalizer.arbor"), "--train", path("train.jsonl"), "--steps", "5",
      "--learning-rate", "1e30", "--seed", "1",
    ]
    // Without --dev nothing has been kept: an error and no file.
    let failed = try runArbor(finetune + ["--out", path("never.arbor")])
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("training diverged at step"), "\(failed.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("never.arbor")))
    // With --dev the best checkpoint before the divergence (here the start) is the result.
    let kept = try runArbor(
      finetune + ["--dev", path("train.jsonl"), "--eval-every", "1", "--out", path("kept.arbor")])
    #expect(kept.status == 0, "\(kept.stderr)")
    #expect(kept.stderr.contains("keeps the best checkpoint (step 0)"), "\(kept.stderr)")
    let summary = try JSONSerialization.jsonObject(with: Data(kept.stdout.utf8)) as? [String: Any]
    #expect(summary?["best_step"] as? Int == 0)
    #expect((summary?["diverged_at_step"] as? Int ?? 0) >= 1, "\(kept.stdout)")
    let answer = try runArbor(
      ["classify", "--model", path("kept.arbor")], stdin: "{\"id\": \"x\", \"text\": \"beet bean soup\"}\n")
    #expect(answer.stdout.contains("\"b2\""), "\(answer.stdout)")
  }
}

/// `arbor finetune` on expansion model files (`arbor expand train`'s output), on the kitchen example.
@Suite struct FinetuneExpansionCLITests {
  static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("docs/examples/expand")

  @Test func finetunesAnExpansionModelThatArborExpandUses() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = { (name: String) in dir.appendingPathComponent(name).path }
    let taxonomy = Self.example.appendingPathComponent("kitchen.rdf").path
    let terms = Self.example.appendingPathComponent("new-terms.jsonl").path
    let trained = try runArbor([
      "expand", "train", "--taxonomy", taxonomy, "--out", path("model.arbor"), "--no-coherence",
      "--held-out", "0", "--dimension", "64",
    ])
    #expect(trained.status == 0, "\(trained.stderr)")
    // The example's new terms with their intended parents (by hand), as records.
    let intended = [
      "mango": "fruit", "kale": "vegetable", "cappuccino": "coffee", "brie": "cheese", "sourdough": "bread",
      "minttea": "tea",
    ]
    var records = ""
    for line in try String(contentsOfFile: terms, encoding: .utf8).split(separator: "\n") {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let id = try #require(object["id"] as? String)
      let parent = try #require(intended[String(id.split(separator: "/").last!)])
      records += line.dropLast() + ", \"labels\": [\"http://example.org/kitchen/\(parent)\"]}\n"
    }
    try records.write(toFile: path("records.jsonl"), atomically: true, encoding: .utf8)
    let finetune = [
      "finetune", "--model", path("model.arbor"), "--train", path("records.jsonl"), "--dev",
      path("records.jsonl"), "--reward", "wup", "--steps", "6", "--eval-every", "3", "--seed", "2",
    ]
    let result = try runArbor(finetune + ["--taxonomy", taxonomy, "--out", path("tuned.arbor")])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(summary?["sampled_paths"] as? Int == 6 * 6 * 8)
    let devReward = try #require(summary?["dev_reward"] as? Double)
    #expect(devReward > 0.5 && devReward <= 1)
    // Deterministic for a seed.
    let again = try runArbor(finetune + ["--taxonomy", taxonomy, "--out", path("again.arbor")])
    #expect(again.stdout.replacingOccurrences(of: "again.arbor", with: "tuned.arbor") == result.stdout)
    #expect(
      FileManager.default.contents(atPath: path("again.arbor"))
        == FileManager.default.contents(atPath: path("tuned.arbor")))
    // Expansion models sample at temperature 0.3 unless told otherwise.
    let explicit = try runArbor(
      finetune + ["--taxonomy", taxonomy, "--temperature", "0.3", "--out", path("cool.arbor")])
    #expect(explicit.stdout.replacingOccurrences(of: "cool.arbor", with: "tuned.arbor") == result.stdout)
    let hot = try runArbor(
      finetune + ["--taxonomy", taxonomy, "--temperature", "1", "--out", path("hot.arbor")])
    let hotSummary = try JSONSerialization.jsonObject(with: Data(hot.stdout.utf8)) as? [String: Any]
    #expect(
      hot.status == 0
        && hotSummary?["last_train_reward"] as? Double != summary?["last_train_reward"] as? Double)
    // `arbor expand` uses the fine-tuned model.
    let expanded = try runArbor([
      "expand", "--taxonomy", taxonomy, "--terms", terms, "--model", path("tuned.arbor"), "--report",
      path("report.jsonl"), "--dimension", "64",
    ])
    #expect(expanded.status == 0, "\(expanded.stderr)")
    let report = try String(contentsOfFile: path("report.jsonl"), encoding: .utf8)
    #expect(report.split(separator: "\n").count == 6)

    // Errors: no taxonomy; an unknown gold parent names the file and line; nothing is written.
    let noTaxonomy = try runArbor(finetune + ["--out", path("never.arbor")])
    #expect(noTaxonomy.status == 2 && noTaxonomy.stderr.contains("--taxonomy"), "\(noTaxonomy.stderr)")
    try (records + "{\"label\": \"tofu\", \"labels\": [\"nowhere\"]}\n").write(
      toFile: path("bad.jsonl"), atomically: true, encoding: .utf8)
    let bad = try runArbor([
      "finetune", "--model", path("model.arbor"), "--taxonomy", taxonomy, "--train", path("bad.jsonl"),
      "--reward", "wup", "--steps", "2", "--out", path("never.arbor"),
    ])
    #expect(bad.status == 1 && bad.stderr.contains("bad.jsonl:7"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("never.arbor")))
  }
}

/// `arbor finetune` on topic-tree models (`arbor organize build --tree-model`), on the bundled WordNet
/// gloss sample with the builtin encoder.
@Suite struct FinetuneTopicTreeCLITests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("corpora/wn-noun-gloss/sample")

  /// JSON objects, one per line.
  static func objects(_ path: String) throws -> [[String: Any]] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  /// How many `organize add` assignments pass through the record's corrected node.
  static func agreement(assignments: String, corrections: [String: String]) throws -> Int {
    try objects(assignments).filter { object in
      guard let id = object["id"] as? String, let path = object["path"] as? [String] else { return false }
      return corrections[id].map(path.contains) ?? false
    }.count
  }

  @Test func finetunesATopicTreeOnCorrectionsThatOrganizeAddThenFollows() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = { (name: String) in dir.appendingPathComponent(name).path }
    let built = try runArbor([
      "organize", "build", Self.sample.appendingPathComponent("dev.jsonl").path, "--out", path("tree.json"),
      "--tree-model", path("model.safetensors"), "--levels", "3,8", "--assignments", path("a.jsonl"),
    ])
    #expect(built.status == 0, "\(built.stderr)")

    // Corrections: a held-out gloss belongs to the leaf most built glosses of its WordNet class went to;
    // every fifth names only that leaf's top-level topic (an internal-node correction).
    var leafOfDocument: [String: String] = [:]
    for object in try Self.objects(path("a.jsonl")) {
      leafOfDocument[object["id"] as? String ?? ""] = (object["path"] as? [String])?.last
    }
    var votes: [String: [String: Int]] = [:]
    for object in try Self.objects(Self.sample.appendingPathComponent("dev.jsonl").path) {
      guard let id = object["id"] as? String, let leaf = leafOfDocument[id],
        let label = (object["labels"] as? [String])?.first
      else { continue }
      votes[label, default: [:]][leaf, default: 0] += 1
    }
    var train = ""
    var dev = ""
    var corrections: [String: String] = [:]
    for (row, object) in try Self.objects(Self.sample.appendingPathComponent("test.jsonl").path).enumerated()
    {
      guard let id = object["id"] as? String, let text = object["text"] as? String,
        let label = (object["labels"] as? [String])?.first,
        let leaf = votes[label]?.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key
      else { continue }
      let node = row % 5 == 4 ? String(leaf.split(separator: ".")[0]) : leaf
      let line = try String(
        decoding: JSONSerialization.data(withJSONObject: ["id": id, "text": text, "labels": [node]]),
        as: UTF8.self)
      if row % 2 == 0 {
        train += line + "\n"
      } else {
        dev += line + "\n"
        corrections[id] = node
      }
    }
    try train.write(toFile: path("train.jsonl"), atomically: true, encoding: .utf8)
    try dev.write(toFile: path("dev.jsonl"), atomically: true, encoding: .utf8)

    let finetune = [
      "finetune", "--model", path("model.safetensors"), "--train", path("train.jsonl"), "--dev",
      path("dev.jsonl"), "--reward", "exact", "--steps", "40", "--eval-every", "20", "--learning-rate",
      "0.01",
      "--seed", "1",
    ]
    let result = try runArbor(finetune + ["--out", path("tuned.safetensors")])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    let initial = try #require(summary["initial_dev_exact_path"] as? Double)
    let best = try #require(summary["dev_exact_path"] as? Double)
    #expect(best > initial, "\(result.stdout)")
    #expect(summary["sampled_paths"] as? Int == 40 * 16 * 8)
    // Deterministic for a seed.
    #expect(try runArbor(finetune + ["--out", path("again.safetensors")]).status == 0)
    #expect(
      FileManager.default.contents(atPath: path("again.safetensors"))
        == FileManager.default.contents(atPath: path("tuned.safetensors")))

    // `arbor organize add` loads the tuned model and places the held-out glosses by its centroids: more
    // of them where the corrections say than the untuned model does.
    var agreements: [Int] = []
    for model in ["model", "tuned"] {
      let added = try runArbor([
        "organize", "add", "--tree", path("\(model).safetensors"), path("dev.jsonl"), "--out",
        path("\(model)-grown.safetensors"), "--placement", "greedy", "--max-leaf", "100000", "--assignments",
        path("\(model)-added.jsonl"), "--taxonomy", path("\(model)-grown.json"),
      ])
      #expect(added.status == 0, "\(added.stderr)")
      agreements.append(
        try Self.agreement(assignments: path("\(model)-added.jsonl"), corrections: corrections))
    }
    #expect(agreements[1] > agreements[0], "\(agreements)")
    // Every node id of the built tree is still there.
    func ids(_ name: String) throws -> Set<String> {
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(name))))
          as? [String: Any])
      return Set((json["nodes"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }
    #expect(try ids("tuned-grown.json") == ids("tree.json") && ids("tree.json").count > 8)

    // An unknown node id names the file and line; nothing is written.
    try (train + "{\"text\": \"a kind of tea\", \"labels\": [\"t99\"]}\n").write(
      toFile: path("bad.jsonl"), atomically: true, encoding: .utf8)
    let line = train.split(separator: "\n").count + 1
    let bad = try runArbor(
      finetune.map { $0 == path("train.jsonl") ? path("bad.jsonl") : $0 } + [
        "--out", path("never.safetensors"),
      ])
    #expect(bad.status == 1, "\(bad.stderr)")
    #expect(bad.stderr.contains("bad.jsonl:\(line): unknown node id 't99'"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("never.safetensors")))
  }
}
