import ArborTensor
import ArborText
import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A HierVerb-style classifier (Ji et al., ACL 2023): one verbalizer per level, scored against a
/// level-specific document representation, trained with per-level cross-entropy, the
/// hierarchy-aware constraint chain and a flat hierarchical contrastive loss.
///
/// With the MiniLM encoder the level-d representation is the frozen hidden state at the d-th
/// `[MASK]` of HierVerb's template (`It was 1 level: [MASK] 2 level: [MASK] … . <text>`); with the
/// built-in encoder it is a level-specific projection of the document vector. With
/// `VerbalizerSettings.tuneLayers` = N the top N MiniLM layers are trained too: the lower layers' token
/// states are computed once per document and kept in memory, the top layers run on the tape. Either passes through
/// a trainable level projection P_d. Verbalizer vectors start from the labels' own texts, each
/// parent adding the mean of its children (HierVerb's initialisation). Scores for level d are
/// s_d = (x_d P_d) V_dᵀ.
///
/// Loss (single path), per batch: Σ_d CE(s_d, y_d) + λ1 Σ_{d≥2} NLL(log(softmax(s_d) M_d), y_{d−1})
/// + λ2 Σ_d SupCon(x_d P_d), with M_d the 0/1 child-to-parent matrix (the constraint chain sums
/// child probabilities into their parents) and SupCon the supervised contrastive loss over the
/// batch with positives sharing the level-d label (Khosla et al. 2020). λ1 = 1, λ2 = 0.01 as in HierVerb.
/// Multi-path corpora use binary cross-entropy per level and no chain or contrastive term.
public struct VerbalizerClassifier: Sendable {
  /// The label taxonomy.
  public let taxonomy: Taxonomy
  /// Training settings.
  public let settings: VerbalizerSettings
  let levels: LevelStructure
  let encoder: LevelEncoder
  package var parameters: ParameterStore
  /// The fine-tuned top layers of the BERT encoder (`settings.tuneLayers` of them, 12 tensors each,
  /// named `tuned.<layer>.<BertLayerWeights.tensorNames>`); empty when the encoder is frozen.
  package var encoderParameters = ParameterStore()
  /// Label prototypes per level (`[nodes at d, sentence width]`, unit rows), added to the level scores
  /// with weight `settings.prototypeWeight`; empty when that weight is 0 (see `+Prototypes`).
  package var prototypes: [Tensor] = []
  /// The mean batch loss of each training epoch.
  package var epochLosses: [Float] = []

  /// Most bytes of lower-layer token states that training with `tuneLayers` keeps in memory.
  public static let tunedStateByteLimit = 2_000_000_000

  /// Trains a verbalizer classifier.
  public static func train(
    taxonomy: Taxonomy, documents: [LabelledDocument], settings: VerbalizerSettings,
    encoder encoderChoice: EncoderChoice,
    afterEpoch: (Int, VerbalizerClassifier) -> Void = { _, _ in }
  ) throws(TaxonomyError) -> VerbalizerClassifier {
    let levels = LevelStructure(taxonomy)
    guard levels.levelCount >= 1 else {
      throw TaxonomyError(.schema, "the taxonomy has no level below its root")
    }
    let encoder = try LevelEncoder.make(
      encoderChoice, levels: levels.levelCount, fittingTexts: documents.map(\.text))
    let gold = try documents.map { document throws(TaxonomyError) in
      try GoldLabels(document, taxonomy: taxonomy)
    }
    var features: LevelFeatures?
    var lowerStates: LowerLayerStates?
    var encoderStore = ParameterStore()
    if settings.tuneLayers > 0 {
      guard case .bert(let masks) = encoder.kind else {
        throw TaxonomyError(
          .schema,
          "tuning encoder layers needs a BERT encoder (minilm or a model directory); the built-in encoder has none"
        )
      }
      let configuration = masks.sentence.model.configuration
      guard settings.tuneLayers <= configuration.layerCount else {
        throw TaxonomyError(
          .schema,
          "cannot tune \(settings.tuneLayers) layers: the encoder has \(configuration.layerCount)")
      }
      let tokens = masks.lowerStateBytes(documents.map(\.text)).tokens
      try Self.checkLowerStateMemory(
        tokens: tokens, hiddenSize: configuration.hiddenSize, tuneLayers: settings.tuneLayers)
      let lower = configuration.layerCount - settings.tuneLayers
      lowerStates = try masks.lowerStates(documents.map(\.text), lowerLayers: lower)
      for layer in lower..<configuration.layerCount {
        let weights = masks.sentence.model.layerWeights(layer).tensors(configuration)
        for (name, tensor) in zip(BertLayerWeights.tensorNames, weights) {
          encoderStore.add(
            "tuned.\(layer).\(name)", tensor, weightDecay: !(name.hasSuffix("bias") || name.contains("norm")))
        }
      }
    } else {
      features = try encoder.features(documents.map(\.text))
    }

    // Label texts give the verbalizers' starting vectors.
    let labelFeatures = try encoder.features(labelTexts(taxonomy, levels))

    var generator = RandomGenerator(seed: settings.seed)
    var store = ParameterStore()
    let width = encoder.width
    let hidden = encoder.projectionWidth
    var labelOffset = 0
    var initialVerbalizers: [[Float]] = []
    for level in 0..<levels.levelCount {
      var projection = [Float](repeating: 0, count: width * hidden)
      if encoder.startsWithIdentity {
        for i in 0..<min(width, hidden) { projection[i * hidden + i] = 1 }
      } else {
        let scale = 1 / Float(width).squareRoot()
        for i in projection.indices { projection[i] = generator.nextNormal() * scale }
      }
      _ = store.add("projection.\(level + 1)", Tensor(shape: [width, hidden], storage: projection))
      // Verbalizer rows: the label's level-d feature vector through the initial projection.
      let count = levels.nodes[level].count
      let x = Tensor(
        shape: [count, width],
        storage: (0..<count).flatMap { labelFeatures.row(labelOffset + $0, level: level) })
      let v = x.matmul(Tensor(shape: [width, hidden], storage: projection))
      initialVerbalizers.append(v.storage)
      labelOffset += count
    }
    // Each parent adds the mean of its children, bottom-up.
    for level in stride(from: levels.levelCount - 1, to: 0, by: -1) {
      var sums = [Float](repeating: 0, count: levels.nodes[level - 1].count * hidden)
      var counts = [Float](repeating: 0, count: levels.nodes[level - 1].count)
      for (child, parent) in levels.parentPosition[level].enumerated() {
        counts[parent] += 1
        for k in 0..<hidden { sums[parent * hidden + k] += initialVerbalizers[level][child * hidden + k] }
      }
      for parent in counts.indices where counts[parent] > 0 {
        for k in 0..<hidden {
          initialVerbalizers[level - 1][parent * hidden + k] += sums[parent * hidden + k] / counts[parent]
        }
      }
    }
    for level in 0..<levels.levelCount {
      var rows = initialVerbalizers[level]
      // Unit rows scaled so that initial scores are in a useful range for the softmax.
      for r in 0..<levels.nodes[level].count {
        var norm: Float = 0
        for k in 0..<hidden { norm += rows[r * hidden + k] * rows[r * hidden + k] }
        let factor = settings.initialScale / max(norm.squareRoot(), 1e-6)
        for k in 0..<hidden { rows[r * hidden + k] *= factor }
      }
      _ = store.add(
        "verbalizer.\(level + 1)", Tensor(shape: [levels.nodes[level].count, hidden], storage: rows))
    }

    var model = VerbalizerClassifier(
      taxonomy: taxonomy, settings: settings, levels: levels, encoder: encoder, parameters: store,
      encoderParameters: encoderStore)
    if settings.prototypeWeight > 0, !settings.multiPath {
      model.prototypes = try model.labelPrototypes(documents: documents.map(\.text), gold: gold)
    }
    let batches = (documents.count + settings.batchSize - 1) / settings.batchSize
    let schedule = LearningRateSchedule.linearWarmupDecay(
      warmupSteps: batches / 10, totalSteps: batches * settings.epochs)
    var optimizer = AdamW(learningRate: settings.learningRate, weightDecay: 0.01, schedule: schedule)
    var encoderOptimizer = AdamW(
      learningRate: settings.encoderLearningRate, weightDecay: 0.01, schedule: schedule)
    var order = Array(documents.indices)
    let tape = Tape(training: true)
    for epoch in 1...settings.epochs {
      generator.shuffle(&order)
      var start = 0
      var lossSum = 0.0
      var lossCount = 0
      while start < order.count {
        let batch = Array(order[start..<min(order.count, start + settings.batchSize)])
        start += batch.count
        tape.reset()
        var encoderVariables: [Variable] = []
        let inputs: [Variable]
        if let features {
          inputs = (0..<levels.levelCount).map { tape.constant(features.batch(batch, level: $0)) }
        } else if let lowerStates {
          inputs = model.tunedInputs(
            batch: batch, states: lowerStates, tape: tape, variables: &encoderVariables, generator: &generator
          )
        } else {
          inputs = []
        }
        let loss = model.loss(batch: batch, inputs: inputs, gold: gold, tape: tape, generator: &generator)
        lossSum += Double(loss.value.storage[0])
        lossCount += 1
        tape.backward(loss)
        var gradients = tape.gradients(for: model.parameters)
        if encoderVariables.isEmpty {
          _ = gradients.clipByGlobalNorm(1)
          optimizer.update(&model.parameters, with: gradients)
        } else {
          var encoderGradients = Gradients(zerosLike: model.encoderParameters)
          for (index, variable) in encoderVariables.enumerated() {
            if let gradient = tape.gradient(of: variable) { encoderGradients.tensors[index] = gradient }
          }
          // One global norm over the verbalizer's and the encoder's gradients, clipped at 1.
          let verbalizerNorm = gradients.globalNorm
          let encoderNorm = encoderGradients.globalNorm
          let norm = (verbalizerNorm * verbalizerNorm + encoderNorm * encoderNorm).squareRoot()
          let factor = 1 / (norm + 1e-6)
          if factor < 1 {
            Self.scale(&gradients, by: factor)
            Self.scale(&encoderGradients, by: factor)
          }
          optimizer.update(&model.parameters, with: gradients)
          encoderOptimizer.update(&model.encoderParameters, with: encoderGradients)
        }
      }
      model.epochLosses.append(Float(lossSum / Double(max(1, lossCount))))
      if let name = model.parameters.firstNonFiniteName ?? model.encoderParameters.firstNonFiniteName {
        throw TaxonomyError(
          .schema,
          "training diverged in epoch \(epoch): parameter '\(name)' is no longer a finite number (mean loss "
            + "\(lossSum / Double(max(1, lossCount)))); lower the learning rate")
      }
      afterEpoch(epoch, model)
    }
    return model
  }

  /// Throws when the lower-layer states of `tokens` tokens would take more than `limit` bytes.
  package static func checkLowerStateMemory(
    tokens: Int, hiddenSize: Int, tuneLayers: Int, limit: Int = tunedStateByteLimit
  ) throws(TaxonomyError) {
    let bytes = tokens * hiddenSize * 4
    guard bytes <= limit else {
      throw TaxonomyError(
        .schema,
        "tuning the top \(tuneLayers) layer(s) would keep the lower layers' states of \(tokens) tokens × "
          + "\(hiddenSize) floats (\(gigabytes(bytes)) GB) in memory, more than the \(gigabytes(limit)) GB "
          + "limit; tuning is meant for few-shot and small training sets (fewer documents, or a frozen encoder)"
      )
    }
  }

  /// Gigabytes with one decimal, for messages.
  static func gigabytes(_ bytes: Int) -> String {
    String(Double(Int((Double(bytes) / 1e8).rounded())) / 10)
  }

  /// Multiplies every gradient by `factor`.
  static func scale(_ gradients: inout Gradients, by factor: Float) {
    for index in gradients.tensors.indices {
      gradients.tensors[index].storage.withUnsafeMutableBufferPointer { buffer in
        for position in buffer.indices { buffer[position] *= factor }
      }
    }
  }

  /// The fine-tuned top layers as native weights (empty when the encoder is frozen).
  func tunedLayers() -> [BertLayerWeights] {
    guard settings.tuneLayers > 0, case .bert(let masks) = encoder.kind else { return [] }
    let configuration = masks.sentence.model.configuration
    let count = BertLayerWeights.tensorNames.count
    return (0..<settings.tuneLayers).compactMap { layer in
      try? BertLayerWeights(
        tensors: Array(encoderParameters.values[(layer * count)..<((layer + 1) * count)]),
        configuration: configuration)
    }
  }

  /// The level inputs of a batch through the tuned top layers on the tape: the unit-length state at
  /// each level's `[MASK]`, one `[batch, hidden]` variable per level. The layers' tensors are recorded
  /// as leaves needing gradients and appended to `variables`, in the order of `encoderParameters`.
  func tunedInputs(
    batch: [Int], states: LowerLayerStates, tape: Tape, variables: inout [Variable],
    generator: inout RandomGenerator
  ) -> [Variable] {
    guard case .bert(let masks) = encoder.kind else { return [] }
    let configuration = masks.sentence.model.configuration
    let levelCount = levels.levelCount
    let lengths = batch.map { states.lengths[$0] }
    var maskRows: [Int] = []
    var offset = 0
    for (row, document) in batch.enumerated() {
      for level in 0..<levelCount { maskRows.append(offset + states.masks[document][level]) }
      offset += lengths[row]
    }
    let count = BertLayerWeights.tensorNames.count
    var hidden = tape.constant(states.batch(batch))
    for layer in 0..<settings.tuneLayers {
      let layerVariables = (0..<count).map { index in
        tape.constant(encoderParameters.values[layer * count + index], needsGradient: true)
      }
      variables += layerVariables
      hidden = BertLayerVariables(layerVariables).forward(
        hidden, lengths: lengths, configuration: configuration,
        outputRows: layer == settings.tuneLayers - 1 ? maskRows : nil, dropout: settings.dropout,
        using: &generator)
    }
    // Each mask state scaled to unit length, as the frozen mask states are.
    let norms =
      hidden.squared().sum(axis: 1).reshaped([maskRows.count, 1])
      + tape.constant(Tensor(repeating: 1e-12, shape: [1]))
    let unit = hidden / norms.squareRoot()
    return (0..<levelCount).map { level in unit.gatherRows(batch.indices.map { $0 * levelCount + level }) }
  }

  /// Every level's label texts, level by level in `levels.nodes` order.
  static func labelTexts(_ taxonomy: Taxonomy, _ levels: LevelStructure) -> [String] {
    levels.nodes.flatMap { level in level.map { labelText(taxonomy, $0) } }
  }

  /// The label's text for initialising its verbalizer: its labels and definition.
  package static func labelText(_ taxonomy: Taxonomy, _ node: Int) -> String {
    let names = ([taxonomy.label(node)] + taxonomy.alternativeLabels(node)).joined(separator: ", ")
    if let definition = taxonomy.definition(node), !definition.isEmpty { return names + ": " + definition }
    return names
  }

  /// The batch loss on the tape.
  func loss(
    batch: [Int], inputs: [Variable], gold: [GoldLabels], tape: Tape, generator: inout RandomGenerator
  ) -> Variable {
    var total: Variable?
    for level in 0..<levels.levelCount {
      let x = inputs[level]
      let projection = tape.parameter(parameters.id(named: "projection.\(level + 1)")!, in: parameters)
      let verbalizer = tape.parameter(parameters.id(named: "verbalizer.\(level + 1)")!, in: parameters)
      let h = x.matmul(projection).dropout(probability: settings.dropout, using: &generator)
      let scores = h.matmul(verbalizer, transposeOther: true)
      let count = levels.nodes[level].count
      var term: Variable
      if settings.multiPath {
        var targets = [Float](repeating: 0, count: batch.count * count)
        for (row, document) in batch.enumerated() {
          for node in gold[document].closure
          where levels.position[node] >= 0 && taxonomy.depth(of: node) == level + 1 {
            targets[row * count + levels.position[node]] = 1
          }
        }
        term = scores.binaryCrossEntropyWithLogits(
          targets: Tensor(shape: [batch.count, count], storage: targets))
      } else {
        let targets = batch.map { document in
          let path = gold[document].path
          return level < path.count && taxonomy.depth(of: path[level]) == level + 1
            ? levels.position[path[level]] : -1
        }
        term = scores.crossEntropy(targets: targets, ignoredTarget: -1)
        // Constraint chain: child probabilities summed into their parents must give the parent level.
        if level >= 1, settings.chainWeight > 0 {
          let parents = levels.nodes[level - 1].count
          var mapping = [Float](repeating: 0, count: count * parents)
          for (child, parent) in levels.parentPosition[level].enumerated() {
            mapping[child * parents + parent] = 1
          }
          let lifted = scores.softmax(axis: 1).matmul(
            tape.constant(Tensor(shape: [count, parents], storage: mapping)))
          var onehot = [Float](repeating: 0, count: batch.count * parents)
          var rows = 0
          for (row, document) in batch.enumerated() {
            let path = gold[document].path
            if level - 1 < path.count, levels.position[path[level - 1]] >= 0 {
              onehot[row * parents + levels.position[path[level - 1]]] = 1
              rows += 1
            }
          }
          if rows > 0 {
            let nll = (lifted + tape.constant(Tensor(repeating: 1e-7, shape: [1]))).log()
              .multiplying(tape.constant(Tensor(shape: [batch.count, parents], storage: onehot))).sum()
              .scaled(by: -settings.chainWeight / Float(rows))
            term = term + nll
          }
        }
        if settings.contrastiveWeight > 0, batch.count > 1 {
          if let contrastive = Self.supervisedContrastive(h, labels: targets, tape: tape, temperature: 0.1) {
            term = term + contrastive.scaled(by: settings.contrastiveWeight)
          }
        }
      }
      total = total.map { $0 + term } ?? term
    }
    return total!
  }

  /// Supervised contrastive loss over the batch (Khosla et al. 2020) on unit-length rows of `h`.
  static func supervisedContrastive(_ h: Variable, labels: [Int], tape: Tape, temperature: Float) -> Variable?
  {
    let n = labels.count
    var positives = [Float](repeating: 0, count: n * n)
    var pairs = 0
    for i in 0..<n where labels[i] >= 0 {
      for j in 0..<n where j != i && labels[j] == labels[i] {
        positives[i * n + j] = 1
        pairs += 1
      }
    }
    guard pairs > 0 else { return nil }
    let norms =
      h.squared().sum(axis: 1).reshaped([n, 1]) + tape.constant(Tensor(repeating: 1e-8, shape: [1]))
    let unit = h / norms.squareRoot()
    var diagonal = [Float](repeating: 0, count: n * n)
    for i in 0..<n { diagonal[i * n + i] = -1e4 }
    let similarities =
      unit.matmul(unit, transposeOther: true).scaled(by: 1 / temperature)
      + tape.constant(Tensor(shape: [n, n], storage: diagonal))
    return similarities.logSoftmax(axis: 1)
      .multiplying(tape.constant(Tensor(shape: [n, n], storage: positives))).sum()
      .scaled(by: -1 / Float(pairs))
  }

  /// Predictions for texts; every path is valid, and each text's scores depend on that text alone.
  public func predict(_ texts: [String], topK: Int = 1) throws(TaxonomyError) -> [Prediction] {
    let features = try encoder.features(texts, tuned: tunedLayers())
    let priors = try prototypeScores(texts)
    var logScores = [[Float]](
      repeating: [Float](repeating: -.infinity, count: taxonomy.count), count: texts.count)
    var probabilities = [[Float]](repeating: [Float](repeating: 0, count: taxonomy.count), count: texts.count)
    for level in 0..<levels.levelCount {
      let x = features.batch(Array(texts.indices), level: level)
      let projection = parameters[parameters.id(named: "projection.\(level + 1)")!]
      let verbalizer = parameters[parameters.id(named: "verbalizer.\(level + 1)")!]
      var scores = x.matmul(projection).matmul(verbalizer, transposeOther: true)
      if !priors.isEmpty {
        for index in scores.storage.indices { scores.storage[index] += priors[level].storage[index] }
      }
      let count = levels.nodes[level].count
      for row in texts.indices {
        let base = row * count
        if settings.multiPath {
          for (position, node) in levels.nodes[level].enumerated() {
            let p = 1 / (1 + expf(-scores.storage[base + position]))
            probabilities[row][node] = p
            logScores[row][node] = logf(max(p, 1e-30))
          }
        } else {
          var maximum = -Float.infinity
          for k in 0..<count { maximum = max(maximum, scores.storage[base + k]) }
          var sum: Float = 0
          for k in 0..<count { sum += expf(scores.storage[base + k] - maximum) }
          let logSum = maximum + logf(sum)
          for (position, node) in levels.nodes[level].enumerated() {
            let value = scores.storage[base + position] - logSum
            logScores[row][node] = value
            probabilities[row][node] = expf(value)
          }
        }
      }
    }
    let decoder = PathDecoder(
      taxonomy: taxonomy, beamWidth: settings.beamWidth, stopThreshold: settings.stopThreshold)
    return texts.indices.map { row in
      if settings.multiPath {
        let thresholds = [Float](repeating: settings.threshold, count: taxonomy.count)
        let labels = probabilities[row].withUnsafeBufferPointer { p in
          thresholds.withUnsafeBufferPointer { t in decoder.decodeMultiPath(probabilities: p, thresholds: t) }
        }
        let set = Set(labels)
        let ends = labels.filter { node in !taxonomy.children(of: node).contains(where: set.contains) }
        return Prediction(
          paths: ends.map { end in
            taxonomy.paths(to: end, limit: 1).first.map { Array($0.dropFirst()) } ?? [end]
          },
          pathScores: ends.map { probabilities[row][$0] }, labels: labels,
          labelScores: labels.map { probabilities[row][$0] })
      }
      let best = logScores[row].withUnsafeBufferPointer { decoder.decode(logScores: $0, count: max(1, topK)) }
      var labels: [Int] = []
      var seen: Set<Int> = []
      for path in best { for node in path.nodes where seen.insert(node).inserted { labels.append(node) } }
      return Prediction(
        paths: best.map(\.nodes), pathScores: best.map { expf($0.logScore) }, labels: labels,
        labelScores: labels.map { probabilities[row][$0] })
    }
  }
}

/// Settings of the verbalizer classifier.
public struct VerbalizerSettings: Sendable, Equatable {
  /// Whether documents may carry several label paths.
  public var multiPath = false
  /// Passes over the training data.
  public var epochs = 10
  /// Documents per update.
  public var batchSize = 32
  /// AdamW learning rate (linear warm-up over the first 10% of steps, then linear decay).
  public var learningRate: Float = 1e-3
  /// Weight λ1 of the constraint chain (HierVerb: 1).
  public var chainWeight: Float = 1
  /// Weight λ2 of the flat hierarchical contrastive loss (HierVerb: 0.01).
  public var contrastiveWeight: Float = 0.01
  /// Dropout on the level representations during training.
  public var dropout: Float = 0.1
  /// Norm of the verbalizer vectors at initialisation.
  public var initialScale: Float = 10
  /// Seed of every random choice.
  public var seed: UInt64 = 0
  /// Partial paths kept by the decoder.
  public var beamWidth = 10
  /// When set, a path may stop at an internal node whose children all have lower probability.
  public var stopThreshold: Float?
  /// Multi-path decoding threshold.
  public var threshold: Float = 0.5
  /// Top layers of the BERT encoder fine-tuned with the verbalizer (0: the encoder is frozen). The
  /// lower layers' token states of every training document are kept in memory, so this is meant for
  /// few-shot and small training sets.
  public var tuneLayers = 0
  /// AdamW learning rate of the tuned encoder layers (HierVerb: 5e-5), on the verbalizer's schedule.
  public var encoderLearningRate: Float = 5e-5
  /// Weight κ of the label prototypes' cosine similarity added to every level's scores (single path
  /// only; 0: no prototypes). See `VerbalizerClassifier` + Prototypes.
  public var prototypeWeight: Float = 0

  /// Default settings (HierVerb's loss weights).
  public init() {}
}
