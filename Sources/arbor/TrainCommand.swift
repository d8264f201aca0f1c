import ArborClassify
import ArborMetrics
import ArborText
import ArborTree
import ArgumentParser

/// `arbor train`: trains a hierarchical classifier and writes it to one model file.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a hierarchical text classifier.",
    discussion: """
      Documents are JSON Lines: {"id": ..., "text": ..., "labels": [node ids]}. Every prediction of the \
      trained model is a valid path of the taxonomy. The same --seed gives the same model.
      """
  )

  @Option(help: "The label taxonomy (any readable format).") var taxonomy: String
  @Option(help: "Labelled training documents (JSONL).") var train: String
  @Option(help: "Labelled development documents; a dev line is printed after each epoch.") var dev: String?
  @Option(help: "verbalizer, local or flat.") var method: ClassifierMethod = .flat
  @Option(
    help: """
      Text encoder: builtin, minilm or a BERT model directory (flat and local: built-in TF-IDF, plus the \
      BERT sentence vectors).
      """)
  var encoder: String = "builtin"
  @Flag(help: "Documents may carry several label paths.") var multiPath = false
  @Option(help: "flat and local: svm (one-vs-rest linear SVMs, calibrated) or softmax (SGD).")
  var loss: LinearLoss = .svm
  @Option(help: "flat and local with --loss svm: the regularisation constant C.") var cost: Float = 1
  @Option(help: "flat single-path with --loss svm: weight of the ancestors' margins in a path's score.")
  var ancestorWeight: Float = 0.3
  @Option(help: "flat and local: hash buckets of the built-in features (more buckets, fewer collisions).")
  var buckets: Int = 1 << 20
  @Option(
    help: ArgumentHelp(
      "flat and local: lengths of the character n-grams of the built-in features, A-B, or none.",
      discussion: "none keeps word uni- and bigrams only: several times faster to classify with, and "
        + "somewhat less accurate."))
  var charNgrams: String = "3-5"
  @Option(help: "Passes over the training data (--loss svm: at most this many).") var epochs: Int = 10
  @Option(
    name: .customLong("lr"),
    help: "Initial learning rate (default 0.5 for --loss softmax, 1e-3 for verbalizer).")
  var learningRate: Float?
  @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
  @Option(help: "Stop a path at an internal node when no child reaches this probability.") var stopThreshold:
    Float?
  @Option(help: "flat and local with a BERT encoder: the weight of its sentence vectors beside TF-IDF.")
  var denseWeight: Float = 1
  @Option(
    help: """
      verbalizer with a BERT encoder: fine-tune the encoder's top N layers with the verbalizer (0: frozen). \
      The lower layers' token states of every training document stay in memory (about 1.5 KB per token; \
      training refuses more than 2 GB), so this is meant for few-shot and small training sets.
      """)
  var tuneLayers: Int = 0
  @Option(
    name: .customLong("encoder-lr"), help: "AdamW learning rate of the tuned encoder layers (--tune-layers).")
  var encoderLearningRate: Float = 5e-5
  @Option(
    help: """
      verbalizer, single path: weight of the label prototypes' cosine similarity added to every level's \
      scores (a node's prototype: the mean sentence vector of its training documents plus its own text's; \
      0: none). Default: 40 with a BERT encoder, 0 with the built-in one.
      """)
  var prototypeWeight: Float?
  @Option(help: "Where to write the model.") var out: String

  /// The label prototypes' weight with a BERT encoder when `--prototype-weight` is not given (chosen on
  /// the wn-noun-gloss dev split at 1 and 4 shots; docs/classification.md).
  static let defaultPrototypeWeight: Float = 40

  /// The n-gram lengths `text` names: `.some(nil)` for none, nil when it is malformed.
  static func characterNGrams(_ text: String) -> ClosedRange<Int>?? {
    if text == "none" { return .some(nil) }
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1 <= low, low <= high,
      high <= 12
    else { return nil }
    return .some(low...high)
  }

  func validate() throws {
    try requireFinite([
      "--cost": Double(cost), "--ancestor-weight": Double(ancestorWeight),
      "--lr": learningRate.map(Double.init),
      "--stop-threshold": stopThreshold.map(Double.init), "--dense-weight": Double(denseWeight),
      "--encoder-lr": Double(encoderLearningRate), "--prototype-weight": prototypeWeight.map(Double.init),
    ])
    if !(1...maximumEpochs).contains(epochs) {
      throw ValidationError("--epochs must be between 1 and \(maximumEpochs).")
    }
    if buckets < 1024 || buckets > 1 << 26 {
      throw ValidationError("--buckets must be between 1024 and 67108864.")
    }
    if Self.characterNGrams(charNgrams) == nil {
      throw ValidationError("--char-ngrams must be A-B with 1 <= A <= B <= 12 (such as 3-5), or none.")
    }
    if !(ancestorWeight >= 0) { throw ValidationError("--ancestor-weight must be 0 or more.") }
    if !(cost > 0) { throw ValidationError("--cost must be positive.") }
    if let stopThreshold, !(0...1).contains(stopThreshold) {
      throw ValidationError("--stop-threshold is a probability: it must be in [0, 1], got \(stopThreshold).")
    }
    if let learningRate, !(learningRate > 0) { throw ValidationError("--lr must be positive.") }
    if !(encoderLearningRate > 0) { throw ValidationError("--encoder-lr must be positive.") }
    if tuneLayers < 0 { throw ValidationError("--tune-layers must be 0 or more.") }
    if let prototypeWeight {
      guard prototypeWeight >= 0 else {
        throw ValidationError("--prototype-weight must be 0 or more.")
      }
      if prototypeWeight > 0, method != .verbalizer || multiPath {
        throw ValidationError(
          "--prototype-weight needs --method verbalizer with single-path documents (not --multi-path).")
      }
    }
    if tuneLayers > 0 {
      guard method == .verbalizer else {
        throw ValidationError(
          "--tune-layers needs --method verbalizer (the \(method.rawValue) method uses frozen features).")
      }
      guard encoder != "builtin" else {
        throw ValidationError(
          "--tune-layers needs a BERT encoder (--encoder minilm or a model directory); the built-in encoder "
            + "has no layers to tune.")
      }
      // The layer count, when the encoder can be found (otherwise run() reports the missing encoder).
      if case .bert(let directory)? = try? EncoderChoice.named(encoder),
        let configuration = try? BertConfiguration(contentsOf: directory + "/config.json"),
        tuneLayers > configuration.layerCount
      {
        throw ValidationError(
          "--tune-layers \(tuneLayers) is more than the encoder's \(configuration.layerCount) layers.")
      }
    }
  }

  func run() throws {
    do throws(TaxonomyError) {
      let tree = try Taxonomy.read(from: taxonomy)
      let documents = try DocumentReader.read(train, requireLabels: true, taxonomy: tree)
      let devDocuments = try dev.map { path throws(TaxonomyError) in
        try DocumentReader.read(path, requireLabels: true, taxonomy: tree)
      }
      let hierarchy = LabelHierarchy(tree)
      try hierarchy.checkClosureSize(file: taxonomy)
      let clock = ContinuousClock()
      let start = clock.now
      func report(_ epoch: Int, _ predict: ([String]) throws(TaxonomyError) -> [Prediction])
        throws(TaxonomyError)
      {
        if let devDocuments {
          let predictions = try predict(devDocuments.map(\.text))
          let score = QuickScore(hierarchy: hierarchy, documents: devDocuments, predictions: predictions)
          printError(
            "epoch \(epoch)/\(epochs): dev hF1 \(score.hierarchicalF1.formatted4) exact \(score.exact.formatted4)"
          )
        } else if stderrIsTerminal {
          printError("epoch \(epoch)/\(epochs)")
        }
      }
      var failure: TaxonomyError?
      let model: ClassifierModel
      if method == .verbalizer {
        var settings = VerbalizerSettings()
        settings.multiPath = multiPath
        settings.epochs = epochs
        settings.learningRate = learningRate ?? 1e-3
        settings.seed = seed
        settings.stopThreshold = stopThreshold
        settings.tuneLayers = tuneLayers
        settings.encoderLearningRate = encoderLearningRate
        settings.prototypeWeight =
          multiPath ? 0 : prototypeWeight ?? (encoder == "builtin" ? 0 : Self.defaultPrototypeWeight)
        let choice = try EncoderChoice.named(encoder)
        model = .verbalizer(
          try VerbalizerClassifier.train(
            taxonomy: tree, documents: documents, settings: settings, encoder: choice
          ) {
            epoch, current in
            do throws(TaxonomyError) {
              try report(epoch) { texts throws(TaxonomyError) in try current.predict(texts) }
            } catch {
              failure = error
            }
          })
      } else {
        var settings = ClassifierConfiguration()
        settings.method = method
        settings.multiPath = multiPath
        settings.epochs = epochs
        settings.loss = loss
        settings.cost = cost
        settings.ancestorWeight = ancestorWeight
        settings.bucketCount = buckets
        settings.characterNGramLengths = Self.characterNGrams(charNgrams) ?? nil
        settings.learningRate = learningRate ?? 0.5
        settings.seed = seed
        settings.stopThreshold = stopThreshold
        var denseDirectory: String?
        if encoder != "builtin", case .bert(let directory) = try EncoderChoice.named(encoder) {
          denseDirectory = directory
        }
        model = .linear(
          try HierarchicalClassifier.train(
            taxonomy: tree, documents: documents, configuration: settings, denseEncoder: denseDirectory,
            denseWeight: denseWeight
          ) {
            epoch, current in
            do throws(TaxonomyError) {
              try report(epoch) { texts throws(TaxonomyError) in try current.predict(texts) }
            } catch {
              failure = error
            }
          })
      }
      if let failure { throw failure }
      try model.save(to: out)
      let seconds = (clock.now - start).seconds
      printError(
        "arbor train: \(documents.count) documents, \(method.rawValue), \(seconds.formatted2) s; wrote \(out)"
      )
    } catch {
      throw fail(error)
    }
  }
}

extension ClassifierMethod: ExpressibleByArgument {}
extension LinearLoss: ExpressibleByArgument {}

extension Duration {
  /// The duration in seconds.
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

extension Double {
  var formatted2: String { String(Double(Int((self * 100).rounded())) / 100) }
  var formatted4: String { String(Double(Int((self * 10000).rounded())) / 10000) }
}

/// Micro hF1 and exact-path accuracy of dev predictions, from ArborMetrics, for progress lines.
struct QuickScore {
  var hierarchicalF1: Double
  var exact: Double

  init(hierarchy: LabelHierarchy, documents: [LabelledDocument], predictions: [Prediction]) {
    var evaluation = ClassificationEvaluation(hierarchy: hierarchy)
    for (document, prediction) in zip(documents, predictions) {
      let gold = document.labels.compactMap { hierarchy.index(of: $0) }.filter { $0 != hierarchy.root }
      evaluation.add(
        gold: Array(Set(gold)).map(Int32.init)[...], predicted: prediction.labels.map(Int32.init)[...])
    }
    let values = Dictionary(
      evaluation.report().entries.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    hierarchicalF1 = values["h-micro-f1"] ?? 0
    exact = values["exact-match"] ?? 0
  }
}
