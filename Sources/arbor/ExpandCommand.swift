import ArborExpand
import ArborTensor
import ArborText
import ArborTree
import ArgumentParser
import Foundation

/// `arbor expand`: place new terms in a taxonomy (HEF-style fitting scores), and `arbor expand train`.
struct ExpandCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "expand",
    abstract: "Place new terms in a taxonomy, or train the expansion model.",
    subcommands: [ExpandTermsCommand.self, ExpandTrainCommand.self],
    defaultSubcommand: ExpandTermsCommand.self
  )
}

/// Encoder options shared by `expand` and `expand train`.
struct ExpandEncoderOptions: ParsableArguments {
  @Option(help: "builtin, minilm, or a BERT model directory (default: the model's, else builtin).")
  var encoder: String?
  @Option(help: "Vector width of the builtin encoder.") var dimension: Int = 512
  @Option(help: "Threads for the transformer encoder (default: all cores).") var threads: Int?
  @Option(help: "Embedding cache directory (default: $ARBOR_CACHE_DIR or ~/.cache/arbor/embeddings).")
  var cacheDir: String?

  /// The encoder: builtin (idf fitted on `nodeTexts`), minilm, or a model directory.
  func makeEncoder(_ name: String, nodeTexts: [String]) throws -> any TextEncoder {
    let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
    switch name {
    case "builtin":
      return BuiltinEncoder(dimension: dimension, weighting: TFIDFModel(fitting: nodeTexts))
    case "minilm":
      return try SentenceEncoder.miniLM(threadCount: threadCount)
    default:
      return try SentenceEncoder(directory: name, threadCount: threadCount)
    }
  }

  /// Vectors of `texts`; transformer vectors go through the embedding cache, so each text is encoded once.
  func encode(_ texts: [String], with encoder: any TextEncoder, label: String) throws -> [Float] {
    try encodeTexts(texts, with: encoder, label: label, cacheDirectory: cacheDir)
  }

  func validate() throws {
    if !(8...maximumEncoderDimension).contains(dimension) {
      throw ValidationError("--dimension must be between 8 and \(maximumEncoderDimension).")
    }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
  }
}

/// Reads a taxonomy, encodes its nodes and builds the expansion index. `modelFile` is the model whose
/// metadata named the encoder, if one did: a failure to load the encoder then names that file.
func buildExpansionIndex(
  taxonomy: Taxonomy, encoderName: String, options: ExpandEncoderOptions, modelFile: String? = nil
) throws -> (ExpansionIndex, any TextEncoder, [String]) {
  let texts = ExpansionText.nodeTexts(of: taxonomy)
  let makeEncoder = { try options.makeEncoder(encoderName, nodeTexts: texts) }
  let encoder =
    try modelFile.map { try loadingModelEncoder(encoderName, model: $0, field: "encoder", makeEncoder) }
    ?? makeEncoder()
  let vectors = try options.encode(texts, with: encoder, label: "encoding nodes")
  let index = ExpansionIndex(
    taxonomy: taxonomy, nodeVectors: vectors, dimension: encoder.dimension, nodeTexts: texts)
  return (index, encoder, texts)
}

/// `arbor expand train`.
struct ExpandTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an expansion model from a taxonomy alone (self-supervised, HEF-style).",
    discussion: """
      Leaves of the taxonomy play new terms: retrieval features and ego-trees are built with each \
      leaf hidden, a retrieval scorer and the coherence model (Pathfinder and Stopper heads) are \
      trained, and the Fitting Score constants are chosen on held-out leaves. Node vectors of \
      transformer encoders are cached. See docs/expand.md.
      """
  )

  @Option(help: "Taxonomy file (any format arbor reads).") var taxonomy: String
  @OptionGroup var input: TaxonomyInputOptions
  @Option(name: .customLong("out"), help: "Model file to write (safetensors), atomically.") var output: String
  @OptionGroup var encoding: ExpandEncoderOptions
  @Option(help: "Seed of every random choice.") var seed: UInt64 = 17
  @Option(help: "Leaves used as training pseudo-queries.") var pseudoQueries: Int = 16_000
  @Option(help: "Leaves held out to tune the Fitting Score constants.") var heldOut: Int = 400
  @Option(help: "Passes over the coherence model's training trees.") var epochs: Int = 3
  @Option(help: "Peak learning rate of the coherence model.") var learningRate: Float = 1e-3
  @Option(help: "Candidates kept by retrieval (N).") var candidates: Int = 100
  @Option(help: "Candidates reranked by the coherence model.") var rerank: Int = 60
  @Flag(help: "Train only the retrieval scorer (no coherence model).") var noCoherence = false

  func validate() throws {
    if pseudoQueries < 10 { throw ValidationError("--pseudo-queries must be at least 10.") }
    if heldOut < 0 { throw ValidationError("--held-out must not be negative.") }
    if !(1...maximumEpochs).contains(epochs) {
      throw ValidationError("--epochs must be between 1 and \(maximumEpochs).")
    }
    if candidates < 1 { throw ValidationError("--candidates must be at least 1.") }
    if rerank < 1 { throw ValidationError("--rerank must be at least 1.") }
    try requireFinite(["--learning-rate": Double(learningRate)])
    if !(learningRate > 0) { throw ValidationError("--learning-rate must be positive.") }
  }

  func run() throws {
    let started = Date()
    let tree: Taxonomy
    do { tree = try input.read(taxonomy) } catch { throw fail(error) }
    let encoderName = encoding.encoder ?? "builtin"
    let built: (ExpansionIndex, any TextEncoder, [String])
    do { built = try buildExpansionIndex(taxonomy: tree, encoderName: encoderName, options: encoding) } catch
    {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    let (index, encoder, texts) = built
    printError(
      String(format: "arbor: %d nodes encoded (%.0f s)", tree.count, Date().timeIntervalSince(started)))
    var settings = ExpansionTrainingSettings()
    settings.seed = seed
    settings.pseudoQueryCount = pseudoQueries
    settings.heldOutCount = heldOut
    settings.coherenceEpochs = epochs
    settings.learningRate = learningRate
    settings.trainsCoherence = !noCoherence
    settings.retrieval.candidateCount = candidates
    settings.rerankCount = rerank
    var trainer = ExpansionTrainer(index: index, nodeTexts: texts, settings: settings)
    trainer.log = { printError("arbor: " + $0) }
    let model = trainer.train(encoderName: encoderName, encoderIdentity: encoder.identity)
    do { try model.save(to: output) } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    printError(String(format: "arbor: wrote %@ (%.0f s in all)", output, Date().timeIntervalSince(started)))
  }
}

/// `arbor expand` (the default subcommand): place terms and write the expanded taxonomy and a report.
struct ExpandTermsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "place",
    abstract: "Place new terms in a taxonomy; write the expanded taxonomy and a report (the default).",
    discussion: """
      TERMS is JSONL ({"id", "label", optional "altLabels", "definition"}) or TSV \
      (id<TAB>label[<TAB>definition]). Each term goes under its best position (or its best \
      --max-parents positions) when the score reaches --threshold; the report lists each term's \
      --top-k positions. Without --model a retrieval-only model is trained on the fly.
      """
  )

  @Option(help: "Taxonomy file (any format arbor reads).") var taxonomy: String
  @OptionGroup var input: TaxonomyInputOptions
  @Option(help: "New terms: JSONL or TSV.") var terms: String
  @Option(name: .customLong("out"), help: "Expanded taxonomy (the input's format unless --to).") var output:
    String?
  @Option(help: "Output format (default: the input's, when Arbor writes it).") var to: TaxonomyFormat?
  @Option(help: "Model from `arbor expand train`.") var model: String?
  @Option(help: "Report file: one JSON object per term with its top positions.") var report: String?
  @Option(help: "Positions per term in the report.") var topK: Int = 5
  @Option(help: "Least score for a position to be used; below it the term is left out.") var threshold:
    Float = 0
  @Option(help: "Most parents per term (further positions need at least --threshold).") var maxParents: Int =
    1
  @OptionGroup var encoding: ExpandEncoderOptions

  func validate() throws {
    if topK < 1 { throw ValidationError("--top-k must be at least 1.") }
    if maxParents < 1 { throw ValidationError("--max-parents must be at least 1.") }
    if output == nil && report == nil { throw ValidationError("Give --out, --report or both.") }
    try requireFinite(["--threshold": Double(threshold)])
    if !(threshold >= 0) { throw ValidationError("--threshold must be a number >= 0.") }
  }

  func run() throws {
    let started = Date()
    let tree: Taxonomy
    let newTerms: [ExpansionTerm]
    do {
      tree = try input.read(taxonomy)
      newTerms = try ExpansionTerm.read(from: terms, checkingAgainst: tree)
    } catch { throw fail(error) }

    // The output format is decided before any work, so that a bad choice fails fast.
    var outputFormat: TaxonomyFormat?
    if let output {
      let inputFormat = input.format ?? TaxonomyFormat.detect(path: taxonomy, prefix: prefix(of: taxonomy))
      guard
        let format = to ?? inputFormat.flatMap({ $0.isWritable ? $0 : nil })
          ?? TaxonomyFormat.detect(path: output)
      else {
        printError("arbor: cannot tell which format to write \(output) in; pass --to")
        throw ExitCode(2)
      }
      guard format.isWritable else {
        printError("arbor: Arbor reads \(format.rawValue) but cannot write it; pass --to (e.g. json)")
        throw ExitCode(2)
      }
      outputFormat = format
    }

    var trained: ExpansionModel?
    if let model {
      do { trained = try ExpansionModel.load(from: model) } catch {
        printError("arbor: \(error)")
        throw ExitCode(1)
      }
    }
    let encoderName = encoding.encoder ?? trained?.encoderName ?? "builtin"
    let positions: [[ExpansionPosition]]
    do {
      let (index, encoder, texts) = try buildExpansionIndex(
        taxonomy: tree, encoderName: encoderName, options: encoding,
        modelFile: encoding.encoder == nil ? model : nil)
      if let trained, trained.encoderIdentity != encoder.identity {
        printError(
          "arbor: warning: the model was trained with encoder \(trained.encoderIdentity), not \(encoder.identity)"
        )
      }
      let active: ExpansionModel
      if let trained {
        active = trained
      } else {
        var settings = ExpansionTrainingSettings()
        settings.trainsCoherence = false
        settings.pseudoQueryCount = min(2000, max(10, tree.count / 2))
        settings.heldOutCount = 0
        active = ExpansionTrainer(index: index, nodeTexts: texts, settings: settings)
          .train(encoderName: encoderName, encoderIdentity: encoder.identity)
      }
      let expander = try TaxonomyExpander(index: index, model: active)
      let queryVectors = try encoding.encode(newTerms.map(\.text), with: encoder, label: "encoding terms")
      positions = expander.rank(
        queryVectors: queryVectors, texts: newTerms.map(\.text), limit: max(topK, maxParents))
    } catch let exit as ExitCode {
      throw exit
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }

    var placed = 0
    var additions: [(node: TaxonomyNode, parentIDs: [String])] = []
    var lines: [String] = []
    for (term, ranked) in zip(newTerms, positions) {
      let accepted = ranked.prefix(maxParents).filter { $0.score >= threshold }
      if !accepted.isEmpty {
        placed += 1
        additions.append(
          (
            TaxonomyNode(
              id: term.id, label: term.label, alternativeLabels: term.alternativeLabels,
              definition: term.definition, attributes: [:]),
            accepted.map { tree.id($0.node) }
          ))
      }
      lines.append(reportLine(term: term, ranked: Array(ranked.prefix(topK)), accepted: accepted, tree: tree))
    }
    do {
      if let output, let outputFormat {
        try tree.adding(additions).write(to: output, format: outputFormat)
      }
      if let report {
        try ArborFile.writeAtomically(lines.joined(separator: "\n") + "\n", to: report)
      }
    } catch { throw fail(error) }
    printError(
      String(
        format: "arbor: placed %d of %d terms (%.1f s)", placed, newTerms.count,
        Date().timeIntervalSince(started)))
  }

  private func prefix(of path: String) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
    defer { try? handle.close() }
    return Array(handle.readData(ofLength: 4096))
  }

  private func reportLine(
    term: ExpansionTerm, ranked: [ExpansionPosition], accepted: [ExpansionPosition], tree: Taxonomy
  ) -> String {
    func number(_ value: Float) -> String { JSONWriter.number(Double(value)) }
    let ids = ranked.map { JSONWriter.quoted(tree.id($0.node)) }.joined(separator: ",")
    let details = ranked.map { position -> String in
      var fields = [
        "\"id\":" + JSONWriter.quoted(tree.id(position.node)),
        "\"label\":" + JSONWriter.quoted(tree.label(position.node)),
        "\"score\":" + number(position.score),
        "\"retrieval\":" + number(position.retrievalProbability),
      ]
      if let fitting = position.fittingScore { fields.append("\"fitting\":" + number(fitting)) }
      return "{" + fields.joined(separator: ",") + "}"
    }.joined(separator: ",")
    let parents = accepted.map { JSONWriter.quoted(tree.id($0.node)) }.joined(separator: ",")
    return "{\"id\":\(JSONWriter.quoted(term.id)),\"label\":\(JSONWriter.quoted(term.label)),"
      + "\"ranking\":[\(ids)],\"placedUnder\":[\(parents)],\"positions\":[\(details)]}"
  }
}
