import ArborClassify
import ArborContinual
import ArborMetrics
import ArborText
import ArborTree
import ArgumentParser
import Foundation

extension ContinualMethod: ExpressibleByArgument {}
extension HierarchyUse: ExpressibleByArgument {}
extension PredictionDecoding: ExpressibleByArgument {}

/// `arbor continual run`: runs an online learner over a stream.
struct ContinualRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run an online learner over a stream and report HLE's per-level metrics.",
    discussion: """
      The stream (from `arbor continual stream`) is learned online in batches of 16 with one update per \
      batch; every --eval-every samples (and at each task's end) the learner predicts the test documents of \
      the classes exposed so far. Methods: arbor (default: streaming class means with the known hierarchy, \
      valid paths), pl-fms, er, er-hier, er-hier-lb, ewc, finetune, joint (offline, 3 epochs). Metrics per \
      level: A_auc, A_avg, A_last, F_last (docs/continual.md); with --json: {"levels": [...], \
      "path_accuracy", "consistency", "seconds", "hF1", "method"}, accuracies as fractions.
      """
  )

  @Option(help: "Stream (JSONL from `arbor continual stream`).") var stream: String
  @Option(help: "Test documents (JSONL with labels).") var test: String
  @Option(help: "Taxonomy file.") var taxonomy: String
  @OptionGroup var taxonomyOptions: TaxonomyInputOptions
  @Option(help: "arbor, pl-fms, er, er-hier, er-hier-lb, ewc, finetune or joint.") var method:
    ContinualMethod =
      .arbor
  @Option(help: "Rehearsal memory budget in samples.") var memory: Int = 2000
  @Option(help: "Override the method's hierarchy use: none, known or inferred.") var hierarchy: HierarchyUse?
  @Flag(help: "Ablation: replace the method's memory management by reservoir sampling.") var reservoir = false
  @Flag(help: "Ablation: turn flexible memory sampling off.") var noFlexibleSampling = false
  @Option(help: "Override the method's decoding: argmax or path.") var decoding: PredictionDecoding?
  @Option(help: "Ablation: weight of the linear heads' log-probabilities (arbor: 0).") var headWeight: Float?
  @Option(help: "Ablation: weight of the class-mean log-probabilities (arbor: 1; 0 turns them off).")
  var prototypeWeight: Float?
  @Option(help: "Ablation: weight of the log class prior in the class-mean scores (default 1).")
  var priorWeight: Double?
  @Option(help: "Covariance shrinkage of the class means (default 0.01).") var shrinkage: Double?
  @Option(help: "builtin, minilm, or a model directory.") var encoder: String = "builtin"
  @Option(help: "Vector width of the builtin encoder.") var dimension: Int = 512
  @Option(help: "Threads for the transformer encoder (default: all cores).") var threads: Int?
  @Option(help: "Embedding cache directory (default: $ARBOR_CACHE_DIR or ~/.cache/arbor/embeddings).")
  var cacheDir: String?
  @Option(help: "Stream samples between evaluations.") var evalEvery: Int = 1000
  @Option(help: "Seed of the learner's random choices.") var seed: UInt64 = 0
  @Flag(help: "Print JSON instead of a table.") var json = false
  @Option(help: "Write the learning curves as CSV.") var curves: String?
  @Option(help: "Write the learning curves as an SVG plot.") var plot: String?

  func validate() throws {
    try requireFinite([
      "--head-weight": headWeight.map(Double.init), "--prototype-weight": prototypeWeight.map(Double.init),
      "--prior-weight": priorWeight, "--shrinkage": shrinkage,
    ])
    if memory < 0 { throw ValidationError("--memory must be at least 0.") }
    if evalEvery < 1 { throw ValidationError("--eval-every must be at least 1.") }
    if !(1...maximumEncoderDimension).contains(dimension) {
      throw ValidationError("--dimension must be between 1 and \(maximumEncoderDimension).")
    }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    if let shrinkage, !(shrinkage > 0 && shrinkage <= 1) {
      throw ValidationError("--shrinkage must be in (0, 1].")
    }
  }

  func run() throws {
    let tree: Taxonomy
    let records: [StreamRecord]
    let documents: [LabelledDocument]
    do {
      tree = try taxonomyOptions.read(taxonomy)
      try LabelHierarchy(tree).checkClosureSize(file: taxonomy)
      records = try StreamFile.read(stream, taxonomy: tree)
      documents = try DocumentReader.read(test, requireLabels: true, taxonomy: tree)
    } catch {
      throw fail(error)
    }
    let chains = documents.map { document in
      StreamBuilder.chain(of: document.labels.compactMap { tree.index(of: $0) }, taxonomy: tree)
    }
    let textEncoder: any TextEncoder
    do {
      switch encoder {
      case "builtin": textEncoder = BuiltinEncoder(dimension: dimension)
      case "minilm":
        textEncoder = try SentenceEncoder.miniLM(
          threadCount: threads ?? ProcessInfo.processInfo.activeProcessorCount)
      default:
        textEncoder = try SentenceEncoder(
          directory: encoder, threadCount: threads ?? ProcessInfo.processInfo.activeProcessorCount)
      }
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    let streamVectors: [Float]
    let testVectors: [Float]
    do {
      streamVectors = try vectors(records.map(\.text), textEncoder, label: "embedding stream")
      testVectors = try vectors(documents.map(\.text), textEncoder, label: "embedding test")
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }

    var settings = LearnerConfiguration.method(method, memorySize: memory)
    if let hierarchy { settings.hierarchy = hierarchy }
    if reservoir, settings.memory != .none { settings.memory = .reservoir }
    if noFlexibleSampling { settings.flexibleSampling = false }
    if let decoding { settings.decoding = decoding }
    if let headWeight { settings.headWeight = max(0, headWeight) }
    if let prototypeWeight { settings.prototypeWeight = max(0, prototypeWeight) }
    if let priorWeight { settings.priorWeight = priorWeight }
    if let shrinkage { settings.shrinkage = shrinkage }
    var runner = ContinualRunner(method: method, configuration: settings)
    runner.evaluationInterval = evalEvery
    runner.seed = seed
    let progress = ProgressLine(enabled: stderrIsTerminal, label: "stream")
    let result = runner.run(
      stream: records, streamVectors: streamVectors, testChains: chains, testVectors: testVectors,
      taxonomy: tree, dimension: textEncoder.dimension
    ) { progress.update($0, $1) }
    progress.finish()

    do {
      if let curves { try ArborFile.writeAtomically(ContinualReport.csv(result), to: curves) }
      if let plot { try ArborFile.writeAtomically(ContinualReport.svg(result), to: plot) }
    } catch {
      throw fail(error)
    }
    print(json ? ContinualReport.json(result) : ContinualReport.table(result), terminator: "")
  }

  private func vectors(_ texts: [String], _ encoder: any TextEncoder, label: String) throws -> [Float] {
    try encodeTexts(texts, with: encoder, label: label, cacheDirectory: cacheDir)
  }
}
