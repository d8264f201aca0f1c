import ArborClassify
import ArborContinual
import ArborTree
import ArgumentParser

/// `arbor learn`: updates a trained classifier with new labelled documents and new labels.
struct LearnCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "learn",
    abstract: "Update a trained classifier with new labelled documents and new (finer) labels.",
    discussion: """
      NEW is JSON Lines like arbor train's input: {"id": ..., "text": ..., "labels": [node ids]}, \
      labels at any depth. With --taxonomy, the model grows to a taxonomy that adds nodes: it must keep \
      every node the model knows with its id and parents (moves only with --allow-moves). The model \
      takes --epochs passes of SGD over the new documents mixed with items of its rehearsal memory, then \
      keeps a class-balanced memory of --memory documents inside the written model. The result is an \
      ordinary model file for arbor classify and arbor eval. Deterministic for a seed. See docs/learn.md.
      """
  )

  @Option(help: "The model to update (written by arbor train or arbor learn; flat or local).") var model:
    String
  @Argument(help: "New labelled documents (JSONL).") var input: String
  @Option(help: "A grown taxonomy (any readable format) with new labels; default: the model's own.")
  var taxonomy: String?
  @Option(help: "Where to write the updated model.") var out: String
  @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
  @Option(help: "Passes over the new documents.") var epochs: Int = ModelUpdateSettings().epochs
  @Option(
    name: .customLong("lr"),
    help: "Initial learning rate (default: half the model's SGD training rate; 0.05 for SVM-trained models).")
  var learningRate: Float?
  @Option(help: "Rehearsal items replayed per new document in each pass.") var replay: Float =
    ModelUpdateSettings().replayRatio
  @Option(help: "Rehearsal memory size kept in the model (default: the model's, or 2000).") var memory: Int?
  @Option(help: "Weight of the logit adjustment for the update's class frequencies (0: off).")
  var logitAdjustment: Float = ModelUpdateSettings().logitAdjustment
  @Option(
    help: ArgumentHelp(
      "Logit adjustment reference: stream (keep the seen class prior; for new classes) or new "
        + "(only classes the new documents over-represent; for more documents of known classes)."))
  var adjust: ModelUpdateSettings.AdjustmentReference = .stream
  @Flag(help: "Accept a taxonomy that gives known nodes other parents.") var allowMoves = false
  @Flag(help: "Skip (and count) records with labels not in the taxonomy instead of failing.")
  var skipUnknown = false
  @Flag(help: "Print a JSON summary on standard output.") var json = false

  func validate() throws {
    try requireFinite([
      "--lr": learningRate.map(Double.init), "--replay": Double(replay),
      "--logit-adjustment": Double(logitAdjustment),
    ])
    if !(0...maximumEpochs).contains(epochs) {
      throw ValidationError("--epochs must be between 0 and \(maximumEpochs).")
    }
    if let learningRate, !(learningRate > 0) { throw ValidationError("--lr must be positive.") }
    if !(logitAdjustment >= 0) { throw ValidationError("--logit-adjustment must be at least 0.") }
    if !(0...1000).contains(replay) { throw ValidationError("--replay must be between 0 and 1000.") }
    if let memory, memory < 0 { throw ValidationError("--memory must be at least 0.") }
  }

  func run() throws {
    do throws(TaxonomyError) {
      let clock = ContinuousClock()
      let start = clock.now
      let loaded = try ClassifierModel.load(from: model)
      guard case .linear(let classifier) = loaded else {
        throw TaxonomyError(
          .schema,
          "arbor learn updates flat and local models; this is a verbalizer model (retrain it with arbor train)",
          at: SourceLocation(file: model))
      }
      let tree = try taxonomy.map { path throws(TaxonomyError) in try Taxonomy.read(from: path) }
      let records = try LearningRecords.read(
        input, taxonomy: tree ?? classifier.taxonomy, skipUnknown: skipUnknown)
      if records.skippedCount > 0 {
        let labels = records.skippedLabels.prefix(10).joined(separator: ", ")
        printError(
          "arbor learn: skipped \(records.skippedCount) record(s) with labels not in the taxonomy (\(labels)"
            + (records.skippedLabels.count > 10 ? ", ...)" : ")"))
      }
      var settings = ModelUpdateSettings()
      settings.epochs = epochs
      settings.learningRate = learningRate
      settings.replayRatio = replay
      settings.memorySize = memory
      settings.seed = seed
      settings.allowMoves = allowMoves
      settings.logitAdjustment = logitAdjustment
      settings.adjustmentReference = adjust
      let (updated, summary) = try classifier.learning(
        records.documents, taxonomy: tree, taxonomySource: taxonomy, settings: settings
      ) { line in
        if stderrIsTerminal { printError("arbor learn: \(line)") }
      }
      if !summary.strandedNodeIDs.isEmpty {
        let names = summary.strandedNodeIDs.prefix(10).joined(separator: ", ")
        printError(
          "arbor learn: warning: \(summary.strandedNodeIDs.count) former leaf node(s) got children that no new "
            + "document is labelled with (\(names)\(summary.strandedNodeIDs.count > 10 ? ", ..." : "")); "
            + "predictions always end at a leaf, so their documents will now end at one of those children: "
            + "give documents for the new labels")
      }
      try updated.save(to: out)
      let seconds = (clock.now - start).seconds
      printError(
        "arbor learn: \(summary.documentCount) documents, \(summary.addedNodeIDs.count) new labels "
          + "(\(summary.addedOutputCount) new outputs), \(summary.updateCount) updates, memory "
          + "\(summary.memoryBefore) -> \(summary.memoryAfter), \(seconds.formatted2) s; wrote \(out)")
      if json {
        let added = summary.addedNodeIDs.map(JSONWriter.quoted).joined(separator: ", ")
        let moved = summary.movedNodeIDs.map(JSONWriter.quoted).joined(separator: ", ")
        print(
          "{\"documents\": \(summary.documentCount), \"skipped\": \(records.skippedCount), "
            + "\"added_labels\": [\(added)], \"moved_labels\": [\(moved)], "
            + "\"added_outputs\": \(summary.addedOutputCount), \"outputs\": \(summary.outputCount), "
            + "\"updates\": \(summary.updateCount), \"memory_before\": \(summary.memoryBefore), "
            + "\"memory_after\": \(summary.memoryAfter), \"seconds\": \(seconds)}")
      }
    } catch {
      throw fail(error)
    }
  }
}

extension ModelUpdateSettings.AdjustmentReference: ExpressibleByArgument {}
