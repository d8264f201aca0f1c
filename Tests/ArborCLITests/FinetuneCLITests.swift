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
  }
}

/// `arbor finetune` on classifier model files: verbalizer models adopt the contract, flat ones are refused.
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

  @Test func finetunesAVerbalizerIntoAClassifierFileAndRefusesAFlatOne() throws {
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

    #expect(try runArbor(train + ["--method", "flat", "--out", path("flat.arbor")]).status == 0)
    let refused = try runArbor(finetune + ["--model", path("flat.arbor"), "--out", path("never.arbor")])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("does not support the tree-path policy contract"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("never.arbor")))
  }
}
