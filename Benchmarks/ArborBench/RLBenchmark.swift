import ArborRL
import ArborTensor
import ArborTree
import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One arm of the synthetic RL experiment: an advantage estimator with its reward scaling, or the
/// oracle (the exact policy gradient of the expected reward, enumerated over every path; no sampling).
struct RLArm: Sendable {
  var name: String
  var estimator: AdvantageEstimator?
  var scaling: RewardScaling
}

/// Settings of `arbor-bench rl`.
struct RLBenchmarkOptions: Sendable {
  var steps = 1500
  var seeds = 5
  var batch = 32
  var group = 8
  var rates: [Float] = [0.003, 0.005, 0.01]
  var evalEvery = 100
  var testCount = 1000
  var gradientBatches = 4
  var jobs = 2
  var outputDirectory: String?
  var armNames: [String]?
  var embeddingSize = 6
  var noise: [Float] = [0.6, 0.6, 1.4, 0.6]
  var reward: PathRewardKind = .hf1
  /// Policy updates per sampled batch (the clipped surrogate's reuse of a batch; 1 is on-policy).
  var updates = 1

  /// The reward's name as the report writes it.
  var rewardName: String { reward == .hf1 ? "hF1" : "\(reward.rawValue) reward" }

  init(_ arguments: [String]) throws {
    var index = 0
    func value() throws -> String {
      index += 1
      guard index < arguments.count else { throw RLBenchmarkError.usage }
      return arguments[index]
    }
    while index < arguments.count {
      switch arguments[index] {
      case "--steps": steps = Int(try value()) ?? 0
      case "--seeds": seeds = Int(try value()) ?? 0
      case "--batch": batch = Int(try value()) ?? 0
      case "--group": group = Int(try value()) ?? 0
      case "--rates": rates = try value().split(separator: ",").compactMap { Float(String($0)) }
      case "--eval-every": evalEvery = Int(try value()) ?? 0
      case "--test": testCount = Int(try value()) ?? 0
      case "--gradient-batches": gradientBatches = Int(try value()) ?? 0
      case "--out": outputDirectory = try value()
      case "--jobs": jobs = Int(try value()) ?? 0
      case "--embedding": embeddingSize = Int(try value()) ?? 0
      case "--noise": noise = try value().split(separator: ",").compactMap { Float(String($0)) }
      case "--reward":
        guard let kind = PathRewardKind(rawValue: try value()) else { throw RLBenchmarkError.usage }
        reward = kind
      case "--updates": updates = Int(try value()) ?? 0
      case "--arms": armNames = try value().split(separator: ",").map(String.init)
      default: throw RLBenchmarkError.usage
      }
      index += 1
    }
    guard steps > 0, seeds > 0, jobs > 0, updates > 0, embeddingSize > 0, noise.count == 4, batch > 0,
      group > 1,
      !rates.isEmpty,
      evalEvery > 0, testCount > 0
    else {
      throw RLBenchmarkError.usage
    }
  }
}

enum RLBenchmarkError: Error, CustomStringConvertible {
  case usage
  var description: String {
    "usage: arbor-bench rl [--steps N] [--seeds N] [--batch N] [--group N] [--rates a,b,c] "
      + "[--eval-every N] [--test N] [--gradient-batches N] [--jobs N] [--arms grpo,tempo,...] "
      + "[--reward hf1|exact|pmetric|wup] [--updates N] [--out DIR]"
  }
}

/// The synthetic experiment of issue 7 (see docs/rl-synthetic.md): a complete 5-ary tree of depth 4,
/// inputs from per-level label embeddings plus noise with one hard level, a linear softmax policy per
/// node trained on hF1 with each estimator; exact-path accuracy curves, samples needed to reach 90% of
/// the oracle's final accuracy, and gradient cosines against the exact gradient.
func runRLBenchmark(_ arguments: [String]) throws {
  let options = try RLBenchmarkOptions(arguments)
  setBLASThreads(1)
  let task = try SyntheticTreeTask(
    branching: 5, depth: 4, embeddingSize: options.embeddingSize, noise: options.noise, seed: 2026)
  var testGenerator = RandomGenerator(seed: 99)
  let test = task.samples(count: options.testCount, using: &testGenerator)
  let allArms: [RLArm] = [
    RLArm(name: "oracle (exact gradient)", estimator: nil, scaling: .none),
    RLArm(name: "grpo (group std)", estimator: .grpo, scaling: .group),
    RLArm(name: "grpo (batch std)", estimator: .grpo, scaling: .batch),
    RLArm(name: "rloo", estimator: .rloo, scaling: .none),
    RLArm(name: "tempo", estimator: .tempo, scaling: .batch),
    RLArm(name: "node-grouped", estimator: .nodeGrouped, scaling: .batch),
    RLArm(name: "tree-td", estimator: .treeTD, scaling: .none),
    RLArm(name: "exact-value", estimator: .exactValue, scaling: .none),
  ]
  // The oracle's final accuracy sets the bar; it comes first.
  let arms = allArms.filter { arm in
    options.armNames.map { $0.contains(arm.name.split(separator: " ")[0] + "") } ?? true
  }
  guard arms.first?.estimator == nil else {
    print("arbor-bench rl: --arms must include oracle")
    exit(2)
  }
  let start = monotonicSeconds()
  let evalPoints = Array(stride(from: 0, through: options.steps, by: options.evalEvery))
  let pathsPerStep = options.batch * options.group

  // Learning curves: curves[arm][rate][seed][evalPoint].
  let jobs = arms.indices.flatMap { arm in
    options.rates.indices.flatMap { rate in (0..<options.seeds).map { (arm, rate, $0) } }
  }
  let results = JobResults(count: jobs.count)
  DispatchQueue.concurrentPerform(iterations: options.jobs) { worker in
    for (index, job) in jobs.enumerated() where index % options.jobs == worker {
      let curve = trainSyntheticArm(
        task: task, arm: arms[job.0], rate: options.rates[job.1], seed: UInt64(job.2), options: options,
        test: test)
      results.store(curve, at: index)
      if stderrIsTerminalForBench {
        printProgress(
          "\(arms[job.0].name) lr \(options.rates[job.1]) seed \(job.2): final exact "
            + "\(format(curve.last ?? 0)) (\(format(monotonicSeconds() - start)) s)")
      }
    }
  }
  // curves[arm][rate][seed][evalPoint]
  var curves = arms.map { _ in options.rates.map { _ in [[Double]](repeating: [], count: options.seeds) } }
  for (index, job) in jobs.enumerated() { curves[job.0][job.1][job.2] = results.curves[index] }

  func meanCurve(_ arm: Int, _ rate: Int) -> [Double] {
    let runs = curves[arm][rate]
    return (0..<evalPoints.count).map { point in runs.map { $0[point] }.reduce(0, +) / Double(runs.count) }
  }
  // The oracle's best rate is the one with the highest final accuracy; its final accuracy sets the bar.
  let oracleRate = (0..<options.rates.count).max { meanCurve(0, $0).last! < meanCurve(0, $1).last! }!
  let oracleFinal = meanCurve(0, oracleRate).last!
  let threshold = 0.9 * oracleFinal
  func pathsToThreshold(_ curve: [Double]) -> Int? {
    guard let point = curve.firstIndex(where: { $0 >= threshold }) else { return nil }
    return evalPoints[point] * pathsPerStep
  }
  // A level every arm can be compared at: 90% of the best final accuracy of any GRPO arm at any rate.
  let grpoFinals = arms.indices.filter { arms[$0].estimator == .grpo }.flatMap { arm in
    (0..<options.rates.count).map { meanCurve(arm, $0).last! }
  }
  let commonLevel = 0.9 * (grpoFinals.max() ?? oracleFinal)
  func pathsToLevel(_ curve: [Double]) -> Int? {
    guard let point = curve.firstIndex(where: { $0 >= commonLevel }) else { return nil }
    return evalPoints[point] * pathsPerStep
  }
  // Each arm's rate: fewest sampled paths to the oracle bar (seed-mean curve); if no rate reaches it,
  // fewest paths to the common level; else the best final accuracy.
  var chosenRates: [Int] = []
  for armIndex in arms.indices {
    if armIndex == 0 {
      chosenRates.append(oracleRate)
      continue
    }
    let rates = 0..<options.rates.count
    let toBar = rates.compactMap { rate in pathsToThreshold(meanCurve(armIndex, rate)).map { (rate, $0) } }
    let toLevel = rates.compactMap { rate in pathsToLevel(meanCurve(armIndex, rate)).map { (rate, $0) } }
    if let best = toBar.min(by: { $0.1 < $1.1 }) ?? toLevel.min(by: { $0.1 < $1.1 }) {
      chosenRates.append(best.0)
    } else {
      chosenRates.append(rates.max { meanCurve(armIndex, $0).last! < meanCurve(armIndex, $1).last! }!)
    }
  }

  // Gradient cosines against the exact gradient, at initialisation and after a quarter of the oracle run.
  let cosines = gradientCosines(
    task: task, arms: arms, options: options, oracleRate: options.rates[oracleRate])
  let elapsed = monotonicSeconds() - start

  var rows: [String] = []
  var summary: [String: Int?] = [:]
  for (armIndex, arm) in arms.enumerated() {
    let rate = chosenRates[armIndex]
    let finals = curves[armIndex][rate].map { $0.last ?? 0 }
    let mean = finals.reduce(0, +) / Double(finals.count)
    let spread = (finals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(finals.count - 1, 1)))
      .squareRoot()
    let paths = pathsToThreshold(meanCurve(armIndex, rate))
    let perSeed = curves[armIndex][rate].compactMap(pathsToThreshold)
    let levelPaths = pathsToLevel(meanCurve(armIndex, rate))
    summary[arm.name] = levelPaths
    let pathText = arm.estimator == nil ? "(no sampling)" : paths.map(String.init) ?? "not reached"
    let levelText = arm.estimator == nil ? "(no sampling)" : levelPaths.map(String.init) ?? "not reached"
    let cosine =
      arm.estimator == nil
      ? "1" : "\(format(cosines[armIndex].initial)) / \(format(cosines[armIndex].trained))"
    rows.append(
      "| \(arm.name) | \(options.rates[rate]) | \(format(mean)) ± \(format(spread)) | \(pathText) | "
        + "\(perSeed.count)/\(options.seeds) | \(levelText) | \(cosine) |")
  }
  func ratio(_ name: String, _ reference: String) -> String {
    guard let a = summary[name] ?? nil, let b = summary[reference] ?? nil, b > 0 else { return "n/a" }
    return format(Double(a) / Double(b))
  }
  let reaching = arms.indices.filter { arms[$0].estimator != nil }.filter {
    pathsToThreshold(meanCurve($0, chosenRates[$0])) != nil
  }.map { arms[$0].name }
  let reachedNote =
    reaching.isEmpty
    ? "Within this budget no sampling arm reaches the issue's bar (90% of the oracle's final accuracy; "
      + "the oracle sees the exact expectation over all 625 paths of every input)."
    : "Arms reaching the issue's bar (90% of the oracle's final accuracy) within the budget: "
      + reaching.joined(separator: ", ") + "."
  let tempoVsGroup = ratio("tempo", "grpo (group std)")
  let tempoVsBatch = ratio("tempo", "grpo (batch std)")

  var table = "| Arm | LR | Final exact-path accuracy (mean ± sd, \(options.seeds) seeds) | "
  table +=
    "Sampled paths to \(format(threshold)) (90% of oracle \(format(oracleFinal))) | Seeds reaching it | "
  table += "Sampled paths to \(format(commonLevel)) (90% of best GRPO final) | "
  table += "Gradient cosine (init / trained) |\n|---|---|---|---|---|---|---|\n"
  table += rows.joined(separator: "\n")
  print(table)
  print(
    "tempo / grpo (group std) samples to \(format(commonLevel)): \(tempoVsGroup); "
      + "tempo / grpo (batch std): \(tempoVsBatch)")
  print(String(format: "seconds %.1f", elapsed))

  if let directory = options.outputDirectory {
    let svg = learningCurveSVG(
      arms: arms, curves: (0..<arms.count).map { meanCurve($0, chosenRates[$0]) },
      x: evalPoints.map { $0 * pathsPerStep }, threshold: threshold)
    try ArborFile.writeAtomically(Array(svg.utf8), to: directory + "/rl-synthetic.svg")
    let markdown = syntheticReport(
      table: table, reachedNote: reachedNote, options: options, threshold: threshold,
      oracleFinal: oracleFinal,
      tempoVsGroup: tempoVsGroup, tempoVsBatch: tempoVsBatch, seconds: elapsed)
    try ArborFile.writeAtomically(Array(markdown.utf8), to: directory + "/rl-synthetic.md")
  }
}

let stderrIsTerminalForBench = isatty(2) != 0

/// Writes one line to standard error.
func printProgress(_ line: String) {
  let bytes = Array((line + "\n").utf8)
  _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }

func monotonicSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// hF1 against a single gold leaf, cached per (gold leaf, predicted node): the synthetic task's rewards
/// depend on nothing else, and the exact-value DP asks for all 625 of them per input.
struct LeafCachedReward: PathRewardFunction {
  var reward: PathReward
  var cache: [Int: Double] = [:]
  let nodeCount: Int

  init(task: SyntheticTreeTask, kind: PathRewardKind) {
    reward = PathReward(taxonomy: task.taxonomy, terms: [(kind, 1)])
    nodeCount = task.taxonomy.count
  }

  mutating func reward(predicted: [Int], gold: [Int]) -> Double {
    guard gold.count == 1, let last = predicted.last else {
      return reward.reward(predicted: predicted, gold: gold)
    }
    let key = gold[0] * nodeCount + last
    if let value = cache[key] { return value }
    let value = reward.reward(predicted: predicted, gold: gold)
    cache[key] = value
    return value
  }
}

/// Learning curves filled in by worker threads, one slot per job.
final class JobResults: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var curves: [[Double]]

  init(count: Int) { curves = [[Double]](repeating: [], count: count) }

  func store(_ curve: [Double], at index: Int) {
    lock.lock()
    curves[index] = curve
    lock.unlock()
  }
}

/// Trains one arm at one rate from one seed; returns the test exact-path accuracy at every eval point.
func trainSyntheticArm(
  task: SyntheticTreeTask, arm: RLArm, rate: Float, seed: UInt64, options: RLBenchmarkOptions,
  test: (contexts: [[Float]], golds: [[Int]])
) -> [Double] {
  var initGenerator = RandomGenerator(seed: 1000 + seed)
  let policy = LinearTreePolicy(
    actionSpace: task.actionSpace, featureCount: task.featureCount, scale: 0.01, using: &initGenerator)
  var dataGenerator = RandomGenerator(seed: 2000 + seed)
  var reward = LeafCachedReward(task: task, kind: options.reward)
  var trainer = PolicyTrainer(
    policy: policy, optimizer: AdamW(learningRate: rate, weightDecay: 0),
    settings: TrainingSettings(
      groupSize: options.group,
      advantages: AdvantageSettings(estimator: arm.estimator ?? .grpo, scaling: arm.scaling),
      updatesPerBatch: options.updates, gradientClip: nil),
    seed: 3000 + seed)
  var curve: [Double] = []
  for step in 0...options.steps {
    if step % options.evalEvery == 0 {
      curve.append(
        trainer.policy.evaluate(contexts: test.contexts, golds: test.golds, reward: &reward).exactPathAccuracy
      )
    }
    if step == options.steps { break }
    let batch = task.samples(count: options.batch, using: &dataGenerator)
    if arm.estimator == nil {
      let values = trainer.policy.exactValues(for: batch.contexts) { context, labels in
        reward.reward(predicted: labels, gold: batch.golds[context])
      }
      let tape = Tape()
      tape.backward(trainer.policy.exactPolicyGradientLoss(for: batch.contexts, values: values, on: tape))
      trainer.optimizer.update(
        &trainer.policy.parameters, with: tape.gradients(for: trainer.policy.parameters))
    } else {
      _ = trainer.step(contexts: batch.contexts, golds: batch.golds, reward: &reward)
    }
  }
  return curve
}

/// Mean cosine between each estimator's gradient and the exact gradient on the same contexts.
func gradientCosines(task: SyntheticTreeTask, arms: [RLArm], options: RLBenchmarkOptions, oracleRate: Float)
  -> [(initial: Double, trained: Double)]
{
  var sums = [(initial: Double, trained: Double)](repeating: (0, 0), count: arms.count)
  var count = 0
  for seed in 0..<options.seeds {
    var initGenerator = RandomGenerator(seed: 1000 + UInt64(seed))
    let initial = LinearTreePolicy(
      actionSpace: task.actionSpace, featureCount: task.featureCount, scale: 0.01, using: &initGenerator)
    // A partly trained policy: the oracle after a quarter of the steps.
    var trained = initial
    var optimizer = AdamW(learningRate: oracleRate, weightDecay: 0)
    var reward = LeafCachedReward(task: task, kind: options.reward)
    var dataGenerator = RandomGenerator(seed: 5000 + UInt64(seed))
    for _ in 0..<(options.steps / 4) {
      let batch = task.samples(count: options.batch, using: &dataGenerator)
      let values = trained.exactValues(for: batch.contexts) { c, labels in
        reward.reward(predicted: labels, gold: batch.golds[c])
      }
      let tape = Tape()
      tape.backward(trained.exactPolicyGradientLoss(for: batch.contexts, values: values, on: tape))
      optimizer.update(&trained.parameters, with: tape.gradients(for: trained.parameters))
    }
    var sampler = RandomGenerator(seed: 6000 + UInt64(seed))
    for _ in 0..<options.gradientBatches {
      let batch = task.samples(count: options.batch, using: &dataGenerator)
      for (phase, policy) in [initial, trained].enumerated() {
        let values = policy.exactValues(for: batch.contexts) { c, labels in
          reward.reward(predicted: labels, gold: batch.golds[c])
        }
        let exactTape = Tape()
        exactTape.backward(policy.exactPolicyGradientLoss(for: batch.contexts, values: values, on: exactTape))
        let exact = flatten(exactTape.gradients(for: policy.parameters))
        let groups = policy.samplePaths(for: batch.contexts, count: options.group, using: &sampler)
        let pathGroups = groups.enumerated().map { c, paths in
          PathGroup(
            paths: paths,
            rewards: paths.map { reward.reward(predicted: Array($0.labels), gold: batch.golds[c]) })
        }
        for (armIndex, arm) in arms.enumerated() {
          guard let estimator = arm.estimator else { continue }
          let advantages = AdvantageSettings(estimator: estimator, scaling: arm.scaling).advantages(
            for: pathGroups, exactValues: values)
          let tape = Tape()
          let (loss, _) = policy.surrogateLoss(
            groups: groups, advantages: advantages, contexts: batch.contexts, reference: nil,
            settings: SurrogateLoss(), on: tape)
          tape.backward(loss)
          let cosine = cosineSimilarity(flatten(tape.gradients(for: policy.parameters)), exact)
          if phase == 0 { sums[armIndex].initial += cosine } else { sums[armIndex].trained += cosine }
        }
      }
      count += 1
    }
  }
  return sums.map { ($0.initial / Double(count), $0.trained / Double(count)) }
}

func flatten(_ gradients: Gradients) -> [Double] { gradients.tensors.flatMap { $0.storage.map(Double.init) } }

func cosineSimilarity(_ a: [Double], _ b: [Double]) -> Double {
  var dot = 0.0
  var normA = 0.0
  var normB = 0.0
  for (x, y) in zip(a, b) {
    dot += x * y
    normA += x * x
    normB += y * y
  }
  return normA > 0 && normB > 0 ? dot / (normA.squareRoot() * normB.squareRoot()) : 0
}

/// Learning curves (test exact-path accuracy against sampled paths) as a self-contained SVG.
func learningCurveSVG(arms: [RLArm], curves: [[Double]], x: [Int], threshold: Double) -> String {
  let (width, height, left, right, top, bottom) = (760.0, 440.0, 60.0, 200.0, 20.0, 50.0)
  let plotWidth = width - left - right
  let plotHeight = height - top - bottom
  let maxX = Double(x.last ?? 1)
  let maxY = max(curves.flatMap { $0 }.max() ?? 1, threshold) * 1.05
  func px(_ value: Double) -> Double { left + value / maxX * plotWidth }
  func py(_ value: Double) -> Double { top + plotHeight - value / maxY * plotHeight }
  let colors = ["#000000", "#1f77b4", "#17becf", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b"]
  var svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
    font-family="sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <line x1="\(left)" y1="\(py(0))" x2="\(left + plotWidth)" y2="\(py(0))" stroke="black"/>
    <line x1="\(left)" y1="\(py(0))" x2="\(left)" y2="\(top)" stroke="black"/>

    """
  for tick in 0...4 {
    let value = maxY * Double(tick) / 4
    svg +=
      "<text x=\"\(left - 6)\" y=\"\(py(value) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", value))</text>\n"
    let xValue = maxX * Double(tick) / 4
    svg += "<text x=\"\(px(xValue))\" y=\"\(py(0) + 16)\" text-anchor=\"middle\">\(Int(xValue))</text>\n"
  }
  svg +=
    "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">sampled paths</text>\n"
  svg += "<text x=\"14\" y=\"\(top + plotHeight / 2)\" transform=\"rotate(-90 14 \(top + plotHeight / 2))\" "
  svg += "text-anchor=\"middle\">test exact-path accuracy</text>\n"
  svg += "<line x1=\"\(left)\" y1=\"\(py(threshold))\" x2=\"\(left + plotWidth)\" y2=\"\(py(threshold))\" "
  svg += "stroke=\"gray\" stroke-dasharray=\"4 4\"/>\n"
  for (index, (arm, curve)) in zip(arms, curves).enumerated() {
    let points = zip(x, curve).map { String(format: "%.1f,%.1f", px(Double($0)), py($1)) }
    let color = colors[index % colors.count]
    let dash = arm.estimator == nil ? " stroke-dasharray=\"2 3\"" : ""
    svg +=
      "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
    let legendY = top + 16 * Double(index) + 10
    svg +=
      "<line x1=\"\(width - right + 12)\" y1=\"\(legendY)\" x2=\"\(width - right + 32)\" y2=\"\(legendY)\" "
    svg += "stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
    svg += "<text x=\"\(width - right + 38)\" y=\"\(legendY + 4)\">\(arm.name)</text>\n"
  }
  let legendY = top + 16 * Double(arms.count) + 10
  svg +=
    "<line x1=\"\(width - right + 12)\" y1=\"\(legendY)\" x2=\"\(width - right + 32)\" y2=\"\(legendY)\" "
  svg += "stroke=\"gray\" stroke-dasharray=\"4 4\"/>\n"
  svg += "<text x=\"\(width - right + 38)\" y=\"\(legendY + 4)\">90% of oracle</text>\n</svg>\n"
  return svg
}

func syntheticReport(
  table: String, reachedNote: String, options: RLBenchmarkOptions, threshold: Double, oracleFinal: Double,
  tempoVsGroup: String,
  tempoVsBatch: String, seconds: Double
) -> String {
  """
  # Synthetic tree-path RL experiment

  Written by `Benchmarks/rl/run.sh` (`arbor-bench rl`); do not edit by hand.

  **Task.** A complete 5-ary tree of depth 4 (625 leaves, 156 decision nodes). An input concatenates,
  for each level, the 6-dimensional embedding (standard normal, seed 2026) of the gold path's node at that
  level plus Gaussian noise: standard deviation 0.6 at levels 1, 2 and 4, 1.4 at the hard level 3. Gold
  leaves are uniform; every step draws \(options.batch) fresh inputs. The policy is `LinearTreePolicy`
  (a linear softmax per node on the 24 features, initial weights N(0, 0.01²)), trained on per-sample \(options.rewardName)
  with AdamW (no weight decay, constant rate), \(options.group) paths per input (group size), one update
  per batch (on-policy, so the clipped surrogate reduces to the policy gradient), no KL, for
  \(options.steps) steps = \(options.steps * options.batch * options.group) sampled paths. Test: \(options.testCount)
  fixed inputs, greedy decoding, exact-path accuracy every \(options.evalEvery) steps, mean over \(options.seeds) seeds.

  **Arms.** The oracle follows the exact gradient of the expected \(options.rewardName), enumerated over all 625 paths (no
  sampling). Each arm's learning rate is picked from \(options.rates.map { "\($0)" }.joined(separator: ", "))
  as the one that reaches the bar (90% of the oracle's final accuracy) with the fewest sampled paths on
  the seed-mean curve; when no rate reaches it, the one that reaches the common level (90% of the best
  final accuracy of a GRPO arm) first; else the one with the best final accuracy. The oracle's rate is
  the one with the best final accuracy. Gradient cosine: mean over \(options.seeds) × \(options.gradientBatches) batches of the cosine between the arm's
  gradient (one batch of \(options.batch) inputs × \(options.group) paths) and the exact gradient on the same
  inputs, at initialisation and after \(options.steps / 4) oracle steps.

  \(table)

  \(reachedNote)
  The arms are also compared at a common level: 90% of the best final accuracy of a GRPO arm.
  TEMPO / GRPO sampled paths to that level: **\(tempoVsGroup)** against group-std GRPO,
  **\(tempoVsBatch)** against batch-std GRPO (goal: at most 0.6). Run time
  \(String(format: "%.0f", seconds)) s with \(options.jobs) worker threads.

  ![learning curves](rl-synthetic.svg)

  """
}
