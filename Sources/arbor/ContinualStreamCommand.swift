import ArborClassify
import ArborContinual
import ArborTree
import ArgumentParser

extension StreamScenario: ExpressibleByArgument {}

/// `arbor continual stream`: writes a seeded HLE-style stream.
struct ContinualStreamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stream",
    abstract: "Cut a seeded label-expansion stream (HLE's scenarios) from a labelled corpus.",
    discussion: """
      CORPUS is JSON Lines {"id", "text", "labels": [node ids]}. The stream is JSON Lines \
      {"id", "text", "label", "level", "task"}, one record a line, in stream order. Scenarios \
      (docs/continual.md): multi-depth (one equal task per level, each document once, labelled at that \
      task's level), single-depth (a coarse task, then --fine-tasks tasks each revealing a group of fine \
      classes), dual-label (as single-depth, and the coarse task's documents reappear with fine labels).
      """
  )

  @Option(help: "Labelled corpus (JSONL).") var corpus: String
  @Option(help: "Taxonomy file.") var taxonomy: String
  @OptionGroup var taxonomyOptions: TaxonomyInputOptions
  @Option(help: "multi-depth, single-depth or dual-label.") var scenario: StreamScenario
  @Option(help: "Share of each task's records moved to another task (blurry variant), in [0, 1).")
  var blurry: Double = 0
  @Option(help: "Ratio of the largest to the smallest class of a level (1: balanced).") var imbalance:
    Double = 1
  @Option(help: "Fine tasks of the single-depth scenarios.") var fineTasks: Int = 5
  @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
  @Option(name: .customLong("out"), help: "Output stream (JSONL, written atomically).") var output: String

  func validate() throws {
    try requireFinite(["--blurry": blurry, "--imbalance": imbalance])
    if !(0..<1).contains(blurry) { throw ValidationError("--blurry must be in [0, 1).") }
    if !(imbalance >= 1) { throw ValidationError("--imbalance must be at least 1.") }
    if fineTasks < 1 { throw ValidationError("--fine-tasks must be at least 1.") }
  }

  func run() throws {
    do {
      let tree = try taxonomyOptions.read(taxonomy)
      let documents = try DocumentReader.read(corpus, requireLabels: true, taxonomy: tree)
      let options = StreamOptions(
        scenario: scenario, seed: seed, blurry: blurry, imbalance: imbalance, fineTasks: fineTasks)
      let records = try StreamBuilder.build(documents: documents, taxonomy: tree, options: options)
      try ArborFile.writeAtomically(StreamFile.encode(records, taxonomy: tree), to: output)
      let tasks = Set(records.map(\.task)).count
      printError("arbor: wrote \(records.count) records in \(tasks) tasks to \(output)")
    } catch {
      throw fail(error)
    }
  }
}
