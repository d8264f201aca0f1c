import ArborClassify
import ArborExpand
import ArborMetrics
import ArborOrganize
import ArborRL
import ArborTensor
import ArborTree
import ArgumentParser
import Foundation

/// `arbor finetune`: GRPO-family fine-tuning of a tree-path policy on path rewards.
struct FinetuneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "finetune",
    abstract: "Fine-tune a tree-path policy model with GRPO-family reinforcement learning on path rewards.",
    discussion: """
      Samples --group-size paths per training record, scores them with --reward against the record's \
      gold labels, estimates per-decision advantages with --estimator and takes one clipped-surrogate \
      AdamW step per batch. Evaluates greedy decoding (for expansion models: `arbor expand`'s top-1 \
      ranking) on --dev every --eval-every steps and keeps the best checkpoint (by dev reward) in --out; without --dev, writes the final model. Records are JSONL \
      with "labels" (gold node ids) and the model's input fields. Deterministic for a seed. Models must \
      support the tree-path policy contract (docs/rl.md): linear-tree-policy weights, verbalizer \
      classifiers (arbor train --method verbalizer), expansion models (arbor expand train; pass \
      --taxonomy; records are query terms as arbor expand reads them, "labels" their gold parents, and a \
      record whose "id" names a node of the taxonomy is a pseudo-query with that node hidden) and \
      topic-tree models (arbor organize build --tree-model; records are corrections {"text", "labels": \
      [node id]}, the node a leaf or a topic above leaves, whose paths are rewarded down to the corrected \
      node's depth; the output's tuned centroids are what arbor organize add places by).
      """
  )

  @Option(help: "The model to fine-tune: its .safetensors weights or its .json manifest.") var model: String
  @Option(help: "Training records (JSONL).") var train: String
  @Option(help: "Development records (JSONL) for periodic evaluation and best-checkpoint keeping.")
  var dev: String?
  @Option(
    help: """
      Taxonomy (default: the model configuration's 'taxonomy', relative to the model; required for \
      expansion models).
      """)
  var taxonomy: String?
  @Option(help: "Reward: hf1, exact, pmetric, wup, or a weighted sum such as 0.7*exact+0.3*hf1.")
  var reward: String = "hf1"
  @Option(
    help: "Advantage estimator: \(AdvantageEstimator.allCases.map(\.rawValue).joined(separator: ", ")).")
  var estimator: String = AdvantageEstimator.tempo.rawValue
  @Option(help: "Reward scaling of grpo/tempo/node-grouped: group, batch or none.") var scaling: String =
    "batch"
  @Option(help: "Paths sampled per record.") var groupSize: Int = 8
  @Option(help: "Records per step.") var batchSize: Int = 16
  @Option(help: "Training steps.") var steps: Int = 200
  @Option(help: "AdamW learning rate.") var learningRate: Float = 1e-3
  @Option(
    name: .customLong("lr-schedule"),
    help: ArgumentHelp(
      "Learning-rate schedule: constant, or linear (warm-up over --warmup-steps, then linear decay to 0 at --steps).",
      discussion: "linear is HuggingFace's get_linear_schedule_with_warmup, TRL's default."))
  var learningRateSchedule: String = "constant"
  @Option(help: "Warm-up steps of --lr-schedule linear.") var warmupSteps: Int = 0
  @Option(help: "KL weight β towards the initial model (exact per-node KL).") var kl: Double = 0
  @Option(
    help: ArgumentHelp(
      "Sampling temperature T: paths are sampled and trained under softmax(logits / T).",
      discussion: "Default 1, and 0.3 for expansion models. The saved model, its greedy decoding and the dev "
        + "checkpoints are the untempered policy; T > 1 keeps a learning signal where the model already fits "
        + "its training records, T < 1 concentrates the samples on the alternatives the top choice is made "
        + "among (docs/rl.md)."))
  var temperature: Float?
  @Option(help: "Evaluate on --dev every N steps.") var evalEvery: Int = 50
  @Option(help: "Seed of sampling and shuffling.") var seed: UInt64 = 0
  @Option(help: "Where to write the fine-tuned model (policy weights: .safetensors, manifest beside it).")
  var out: String

  func validate() throws {
    try requireFinite([
      "--learning-rate": Double(learningRate), "--kl": kl, "--temperature": Double(temperature ?? 1),
    ])
    if AdvantageEstimator(rawValue: estimator) == nil {
      throw ValidationError(
        "--estimator must be one of \(AdvantageEstimator.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    if RewardScaling(rawValue: scaling) == nil {
      throw ValidationError("--scaling must be group, batch or none.")
    }
    if case .failure(let error) = PathReward.parseTerms(reward) {
      throw ValidationError("--reward: \(error)")
    }
    if !(2...4096).contains(groupSize) { throw ValidationError("--group-size must be between 2 and 4096.") }
    if batchSize < 1 || steps < 1 || evalEvery < 1 {
      throw ValidationError("--batch-size, --steps and --eval-every must be positive.")
    }
    if !(learningRate > 0) || !(kl >= 0) {
      throw ValidationError("--learning-rate must be > 0 and --kl >= 0.")
    }
    if let temperature, !(temperature > 0) {
      throw ValidationError("--temperature must be a positive number, got \(temperature).")
    }
    if learningRateSchedule != "constant" && learningRateSchedule != "linear" {
      throw ValidationError("--lr-schedule must be constant or linear, got '\(learningRateSchedule)'.")
    }
    if warmupSteps > 0 && learningRateSchedule != "linear" {
      throw ValidationError("--warmup-steps applies to --lr-schedule linear only.")
    }
    if warmupSteps < 0 || warmupSteps >= steps {
      throw ValidationError("--warmup-steps must be at least 0 and below --steps (\(steps)).")
    }
  }

  /// The optimizer's learning-rate schedule from `--lr-schedule` and `--warmup-steps`.
  var schedule: LearningRateSchedule {
    learningRateSchedule == "linear"
      ? .linearWarmupDecay(warmupSteps: warmupSteps, totalSteps: steps) : .constant
  }

  func run() throws {
    if ExpansionModel.isModelFile(model) {
      do {
        try finetuneExpansion()
      } catch let error as TaxonomyError {
        throw fail(error)
      }
      return
    }
    if TopicTreeModel.isModelFile(model) {
      do {
        try finetuneTopicTree()
      } catch let error as TaxonomyError {
        throw fail(error)
      }
      return
    }
    if isClassifierModelFile(model) {
      do {
        try finetuneClassifier()
      } catch let error as TaxonomyError {
        throw fail(error)
      }
      return
    }
    let weightsPath = model.hasSuffix(".json") ? String(model.dropLast(5)) + ".safetensors" : model
    let manifestPath = ParameterStore.manifestPath(forWeights: weightsPath)
    guard FileManager.default.fileExists(atPath: model) else {
      printError("arbor: \(model): cannot open: no such file")
      throw ExitCode(1)
    }
    guard FileManager.default.fileExists(atPath: manifestPath) else {
      // Say why the file is not one of the model kinds when it is not even a safetensors file.
      var damage = ""
      do { _ = try SafeTensorsFile(path: model) } catch { damage = " (\(error.message))" }
      printError(
        "arbor: \(model): not a model arbor finetune can read: not a classifier, expansion or topic-tree "
          + "model file\(damage), and no parameter manifest \(manifestPath) beside it")
      throw ExitCode(1)
    }
    if !out.hasSuffix(".safetensors") { throw ValidationError("--out must name a .safetensors file.") }
    let store: ParameterStore
    let manifest: ParameterManifest
    do {
      (store, manifest) = try ParameterStore.read(from: weightsPath)
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    let kind = manifest.configuration["model"] ?? "(none)"
    guard let modelType = finetunableModels.first(where: { $0.kind == kind }) else {
      let known = finetunableModels.map { $0.kind }.joined(separator: ", ")
      printError(
        "arbor: \(model): this model does not support the tree-path policy contract (model kind '\(kind)'); "
          + "arbor finetune can train: \(known)")
      throw ExitCode(1)
    }
    do {
      try modelType.finetune(
        with: self, store: store, configuration: manifest.configuration, weightsPath: weightsPath)
    } catch let error as TaxonomyError {
      throw fail(error)
    }
  }

  /// The training loop, generic over the model kind.
  func finetune<Model: FinetunableModel>(
    _ modelType: Model.Type, store: ParameterStore, configuration: [String: String], weightsPath: String
  ) throws {
    let taxonomyPath = try resolvedTaxonomyPath(configuration: configuration, weightsPath: weightsPath)
    let tree = try Taxonomy.read(from: taxonomyPath)
    let policy = try Model.policy(
      store: store, configuration: configuration, taxonomy: tree, modelPath: model)
    if estimator == AdvantageEstimator.exactValue.rawValue && policy.actionSpace.decisionNodes.count > 5000 {
      throw TaxonomyError(
        .schema,
        "--estimator exact-value evaluates the policy at all \(policy.actionSpace.decisionNodes.count) "
          + "internal nodes for every record; use it on trees with at most 5000 internal nodes",
        at: .init(file: taxonomyPath))
    }
    let training = try readRecords(train, model: Model.self, policy: policy, taxonomy: tree)
    let development = try dev.map { try readRecords($0, model: Model.self, policy: policy, taxonomy: tree) }
    var outputConfiguration = configuration
    outputConfiguration["finetuned_from"] = model
    try trainPolicy(policy, tree: tree, training: training, development: development) { policy in
      try save(policy.parameters, configuration: outputConfiguration)
    }
  }

  /// Fine-tunes a classifier model file (`arbor train`'s output) whose method supports the contract; the
  /// result is a classifier model file of the same kind.
  func finetuneClassifier() throws {
    switch try ClassifierModel.load(from: model) {
    case .verbalizer(let classifier):
      try finetuneClassifier(
        VerbalizerPolicy(classifier), taxonomy: classifier.taxonomy, encode: classifier.policyContexts
      ) { try classifier.updating(with: $0).save(to: out) }
    case .linear(let classifier):
      guard let policy = LinearClassifierPolicy(classifier) else {
        printError(
          "arbor: \(model): a multi-path classifier has no single-path policy; arbor finetune trains "
            + "single-path flat, local and verbalizer classifiers")
        throw ExitCode(1)
      }
      try finetuneClassifier(policy, taxonomy: classifier.taxonomy, encode: classifier.policyContexts) {
        try classifier.updating(with: $0).save(to: out)
      }
    }
  }

  /// Reads `--train` and `--dev` as the policy's contexts and runs the training loop.
  func finetuneClassifier<Policy: TreePathPolicy>(
    _ policy: Policy, taxonomy: Taxonomy, encode: ([String]) throws(TaxonomyError) -> [Policy.Context],
    save: (Policy) throws -> Void
  ) throws {
    let training = try readTextRecords(train, taxonomy: taxonomy, encode: encode)
    let development = try dev.map { try readTextRecords($0, taxonomy: taxonomy, encode: encode) }
    try trainPolicy(policy, tree: taxonomy, training: training, development: development, save: save)
  }

  /// Records with `text` and `labels`, the texts encoded in one batch as a classifier policy's contexts.
  func readTextRecords<Context>(
    _ path: String, taxonomy: Taxonomy, encode: ([String]) throws(TaxonomyError) -> [Context]
  ) throws(TaxonomyError) -> (contexts: [Context], golds: [[Int]]) {
    let bytes = try ArborFile.readBytes(path)
    var texts: [String] = []
    var golds: [[Int]] = []
    try JSONLines.forEach(bytes, file: path) { (record, location) throws(TaxonomyError) in
      let gold = try goldLabels(of: record, taxonomy: taxonomy, at: location)
      guard let text = record["text"]?.stringValue else {
        throw TaxonomyError(.schema, "field 'text' must be a string", at: location)
      }
      golds.append(gold)
      texts.append(text)
    }
    if texts.isEmpty { throw TaxonomyError(.schema, "no records", at: .init(file: path, line: 1)) }
    return (try encode(texts), golds)
  }

  /// The shared training loop: sampled groups, clipped-surrogate steps, periodic dev evaluation keeping
  /// the best checkpoint through `save`.
  func trainPolicy<Policy: TreePathPolicy>(
    _ policy: Policy, tree: Taxonomy, training: (contexts: [Policy.Context], golds: [[Int]]),
    development: (contexts: [Policy.Context], golds: [[Int]])?,
    evaluate customEvaluation: ((Policy) throws -> PolicyEvaluation)? = nil, defaultTemperature: Float = 1,
    save: (Policy) throws -> Void
  ) throws {
    try trainPolicy(
      policy, tree: tree, training: training, development: development,
      rewardFunction: { PathReward(taxonomy: tree, terms: $0) }, evaluate: customEvaluation,
      defaultTemperature: defaultTemperature, save: save)
  }

  /// The shared training loop with the reward `makeReward` builds from the parsed `--reward` terms.
  func trainPolicy<Policy: TreePathPolicy, Reward: PathRewardFunction>(
    _ policy: Policy, tree: Taxonomy, training: (contexts: [Policy.Context], golds: [[Int]]),
    development: (contexts: [Policy.Context], golds: [[Int]])?,
    rewardFunction makeReward: ([(kind: PathRewardKind, weight: Double)]) -> Reward,
    evaluate customEvaluation: ((Policy) throws -> PolicyEvaluation)? = nil,
    defaultTemperature: Float = 1, save: (Policy) throws -> Void
  ) throws {
    guard case .success(let terms) = PathReward.parseTerms(reward),
      let estimator = AdvantageEstimator(rawValue: estimator), let scaling = RewardScaling(rawValue: scaling)
    else { throw ExitCode(2) }
    do throws(TaxonomyError) { try LabelHierarchy(tree).checkClosureSize() } catch { throw fail(error) }
    var trainer = PolicyTrainer(
      policy: TemperedPolicy(policy, temperature: temperature ?? defaultTemperature),
      optimizer: AdamW(learningRate: learningRate, weightDecay: 0, schedule: schedule),
      settings: TrainingSettings(
        groupSize: groupSize, advantages: AdvantageSettings(estimator: estimator, scaling: scaling),
        loss: SurrogateLoss(klWeight: kl)),
      seed: seed)
    var rewardFunction = makeReward(terms)
    var shuffler = RandomGenerator(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
    var order = shuffler.permutation(training.contexts.count)
    var cursor = 0

    var best: (step: Int, evaluation: PolicyEvaluation)?
    var initial: PolicyEvaluation?
    func evaluateAndKeep(step: Int) throws {
      guard let development else { return }
      let evaluation =
        try customEvaluation?(trainer.policy.base)
        ?? trainer.policy.base.evaluate(
          contexts: development.contexts, golds: development.golds, reward: &rewardFunction)
      if step == 0 { initial = evaluation }
      if stderrIsTerminal {
        printError(
          "step \(step): dev reward \(formatted(evaluation.meanReward)), exact \(formatted(evaluation.exactPathAccuracy))"
        )
      }
      if best == nil || evaluation.meanReward > best!.evaluation.meanReward {
        best = (step, evaluation)
        try save(trainer.policy.base)
      }
    }
    try evaluateAndKeep(step: 0)
    var last = StepStatistics()
    var divergedAt: Int?
    for step in 1...steps {
      var contexts: [Policy.Context] = []
      var golds: [[Int]] = []
      for _ in 0..<min(batchSize, training.contexts.count) {
        if cursor == order.count {
          order = shuffler.permutation(training.contexts.count)
          cursor = 0
        }
        contexts.append(training.contexts[order[cursor]])
        golds.append(training.golds[order[cursor]])
        cursor += 1
      }
      let statistics = trainer.step(contexts: contexts, golds: golds, reward: &rewardFunction)
      if let divergence = statistics.divergence {
        let message =
          "training diverged at step \(step): \(divergence); lower --learning-rate"
        guard let best else {
          printError("arbor: \(message); nothing written")
          throw ExitCode(1)
        }
        printError(
          "arbor: warning: \(message); stopped, \(out) keeps the best checkpoint (step \(best.step))")
        divergedAt = step
        break
      }
      last = statistics
      if stderrIsTerminal {
        let entropy = last.entropyPerLevel.map(formatted).joined(separator: "/")
        printError(
          "step \(step)/\(steps): reward \(formatted(last.meanReward)), zero-variance groups "
            + "\(formatted(last.zeroVarianceShare)), entropy \(entropy), advantages "
            + "[\(formatted(last.minimumAdvantage)), \(formatted(last.maximumAdvantage))], KL \(formatted(last.kl))"
        )
      }
      if step % evalEvery == 0 || step == steps { try evaluateAndKeep(step: step) }
    }
    if development == nil { try save(trainer.policy.base) }

    var json = "{\"steps\": \(steps), \"sampled_paths\": \(trainer.sampledPaths), "
    json += "\"last_train_reward\": \(JSONWriter.number(last.meanReward))"
    if let divergedAt { json += ", \"diverged_at_step\": \(divergedAt)" }
    if let best {
      json +=
        ", \"best_step\": \(best.step), \"dev_reward\": \(JSONWriter.number(best.evaluation.meanReward))"
      json += ", \"dev_exact_path\": \(JSONWriter.number(best.evaluation.exactPathAccuracy))"
    }
    if let initial {
      json += ", \"initial_dev_reward\": \(JSONWriter.number(initial.meanReward))"
      json += ", \"initial_dev_exact_path\": \(JSONWriter.number(initial.exactPathAccuracy))"
    }
    json += ", \"out\": \(JSONWriter.quoted(out))}"
    print(json)
  }

  func resolvedTaxonomyPath(configuration: [String: String], weightsPath: String) throws(TaxonomyError)
    -> String
  {
    if let taxonomy { return taxonomy }
    guard let relative = configuration["taxonomy"] else {
      throw TaxonomyError(
        .schema, "the model's configuration names no 'taxonomy'; pass --taxonomy", at: .init(file: model))
    }
    if relative.hasPrefix("/") { return relative }
    let directory = weightsPath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    return directory.isEmpty ? relative : directory + "/" + relative
  }

  func save(_ store: ParameterStore, configuration: [String: String]) throws {
    do {
      try store.save(to: out, configuration: configuration)
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
  }

  /// Reads records: `labels` (gold node ids) and the model's context fields.
  func readRecords<Model: FinetunableModel>(
    _ path: String, model: Model.Type, policy: Model.Policy, taxonomy: Taxonomy
  ) throws(TaxonomyError) -> (contexts: [Model.Policy.Context], golds: [[Int]]) {
    let bytes = try ArborFile.readBytes(path)
    var contexts: [Model.Policy.Context] = []
    var golds: [[Int]] = []
    try JSONLines.forEach(bytes, file: path) { (record, location) throws(TaxonomyError) in
      guard case .object = record else {
        throw TaxonomyError(.schema, "each line must be a JSON object", at: location)
      }
      let gold = try goldLabels(of: record, taxonomy: taxonomy, at: location)
      contexts.append(try Model.context(of: record, policy: policy, at: location))
      golds.append(gold)
    }
    if contexts.isEmpty { throw TaxonomyError(.schema, "no records", at: .init(file: path, line: 1)) }
    return (contexts, golds)
  }
}

/// A record's `labels` as node indices (errors name the record and the label).
func goldLabels(of record: JSONValue, taxonomy: Taxonomy, at location: SourceLocation) throws(TaxonomyError)
  -> [Int]
{
  guard case .object = record else {
    throw TaxonomyError(.schema, "each line must be a JSON object", at: location)
  }
  guard let labels = record["labels"]?.arrayValue, !labels.isEmpty else {
    throw TaxonomyError(.schema, "field 'labels' must be a non-empty array of node ids", at: location)
  }
  var gold: [Int] = []
  for label in labels {
    guard let id = label.stringValue else {
      throw TaxonomyError(.schema, "field 'labels' must hold strings", at: location)
    }
    guard let node = taxonomy.index(of: id) else {
      throw TaxonomyError(.unknownID, "unknown node id '\(id)' in 'labels'", at: location)
    }
    gold.append(node)
  }
  return gold
}

/// Whether a file is an Arbor classifier model (`arbor train`'s output) rather than a policy's weights.
func isClassifierModelFile(_ path: String) -> Bool {
  guard let file = try? SafeTensorsFile(path: path) else { return false }
  return file.metadata["arbor.format"] == HierarchicalClassifier.formatName
}

private func formatted(_ value: Double) -> String {
  let scaled = (value * 1000).rounded() / 1000
  return "\(scaled)"
}
