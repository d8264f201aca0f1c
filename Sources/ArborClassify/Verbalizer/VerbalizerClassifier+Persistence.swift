import ArborTensor
import ArborText
import ArborTree

extension VerbalizerClassifier {
  /// Writes the model to one self-contained file, atomically (a BERT encoder is referenced, not copied).
  public func save(to path: String) throws(TaxonomyError) {
    var tensors = zip(parameters.names, parameters.values).map { (name: $0, tensor: $1) }
    tensors += zip(encoderParameters.names, encoderParameters.values).map { (name: $0, tensor: $1) }
    for (level, prototype) in prototypes.enumerated() {
      tensors.append(("prototype.\(level + 1)", prototype))
    }
    var metadata: [String: String] = [
      "arbor.format": HierarchicalClassifier.formatName,
      "arbor.version": String(HierarchicalClassifier.formatVersion),
      "arbor.method": ClassifierMethod.verbalizer.rawValue,
      "arbor.taxonomy": (try? taxonomy.serialized(as: .json)) ?? "",
      "arbor.settings": settings.json,
    ]
    switch encoder.kind {
    case .builtin(let builtin):
      metadata["arbor.encoder"] = "builtin"
      let frequencies = builtin.weighting?.documentFrequencies ?? []
      metadata["arbor.encoder.documents"] = String(builtin.weighting?.documentCount ?? 0)
      tensors.append(
        (
          "encoder.document_frequencies",
          Tensor(shape: [frequencies.count], storage: frequencies.map(Float.init))
        ))
    case .bert(let masks):
      metadata["arbor.encoder"] = "bert"
      metadata["arbor.encoder.identity"] = masks.sentence.identity
    }
    do {
      try SafeTensorsFile.write(tensors, metadata: metadata, to: path)
    } catch {
      throw TaxonomyError(.io, error.message, at: SourceLocation(file: path))
    }
  }

  /// Reads a verbalizer model; a BERT encoder is located as `--encoder minilm` would be.
  static func load(_ file: SafeTensorsFile, taxonomy: Taxonomy, path: String) throws(TaxonomyError)
    -> VerbalizerClassifier
  {
    let location = SourceLocation(file: path)
    guard let settings = file.metadata["arbor.settings"].flatMap(VerbalizerSettings.init(json:)) else {
      throw TaxonomyError(
        .schema, "not a usable Arbor classifier model: the settings cannot be read", at: location)
    }
    let levels = LevelStructure(taxonomy)
    let encoder: LevelEncoder
    do {
      switch file.metadata["arbor.encoder"] {
      case "builtin":
        let frequencies = try file.floats("encoder.document_frequencies")
        let extractor = HashedFeatureExtractor()
        guard frequencies.count == extractor.bucketCount,
          let documentFrequencies = frequencies.wholeNumbers(in: 0...Int32.max),
          let documents = file.metadata["arbor.encoder.documents"].flatMap(Int.init), documents >= 0
        else {
          throw TaxonomyError(
            .schema, "not a usable Arbor classifier model: bad encoder tables", at: location)
        }
        let weighting = TFIDFModel(
          extractor: extractor, documentCount: documents,
          documentFrequencies: documentFrequencies)
        encoder = LevelEncoder(
          kind: .builtin(BuiltinEncoder(extractor: extractor, dimension: 512, weighting: weighting)),
          levels: levels.levelCount)
      case "bert":
        guard case .bert(let directory) = try EncoderChoice.named("minilm") else {
          throw TaxonomyError(.io, "the model's BERT encoder cannot be found", at: location)
        }
        let masks = try MaskStateEncoder(directory: directory, levels: levels.levelCount)
        guard masks.sentence.identity == file.metadata["arbor.encoder.identity"] else {
          throw TaxonomyError(
            .schema, "the installed MiniLM model differs from the one this model was trained with",
            at: location)
        }
        encoder = LevelEncoder(kind: .bert(masks), levels: levels.levelCount)
      default:
        throw TaxonomyError(.schema, "not a usable Arbor classifier model: unknown encoder", at: location)
      }
      var store = ParameterStore()
      for level in 1...levels.levelCount {
        for name in ["projection.\(level)", "verbalizer.\(level)"] {
          _ = store.add(name, try file.tensor(name))
        }
      }
      var tuned = ParameterStore()
      if settings.tuneLayers > 0 {
        guard case .bert(let masks) = encoder.kind,
          settings.tuneLayers <= masks.sentence.model.configuration.layerCount
        else {
          throw TaxonomyError(
            .schema, "not a usable Arbor classifier model: tuned layers without a matching BERT encoder",
            at: location)
        }
        let configuration = masks.sentence.model.configuration
        for layer in (configuration.layerCount - settings.tuneLayers)..<configuration.layerCount {
          var layerTensors: [Tensor] = []
          for name in BertLayerWeights.tensorNames {
            let tensor = try file.tensor("tuned.\(layer).\(name)")
            layerTensors.append(tensor)
            tuned.add(
              "tuned.\(layer).\(name)", tensor,
              weightDecay: !(name.hasSuffix("bias") || name.contains("norm")))
          }
          do throws(TextError) {
            _ = try BertLayerWeights(tensors: layerTensors, configuration: configuration)
          } catch {
            throw TaxonomyError(
              .schema, "not a usable Arbor classifier model: tuned layer \(layer): \(error.message)",
              at: location)
          }
        }
      }
      var model = VerbalizerClassifier(
        taxonomy: taxonomy, settings: settings, levels: levels, encoder: encoder, parameters: store,
        encoderParameters: tuned)
      if settings.prototypeWeight > 0, !settings.multiPath {
        model.prototypes = try (1...levels.levelCount).map { level in try file.tensor("prototype.\(level)") }
        for (level, prototype) in model.prototypes.enumerated()
        where prototype.shape != [levels.nodes[level].count, model.prototypeWidth] {
          throw TaxonomyError(
            .schema, "not a usable Arbor classifier model: prototype.\(level + 1) has the wrong shape",
            at: location)
        }
      }
      for level in 0..<levels.levelCount {
        let p = store[store.id(named: "projection.\(level + 1)")!]
        let v = store[store.id(named: "verbalizer.\(level + 1)")!]
        guard p.shape == [encoder.width, encoder.projectionWidth],
          v.shape == [levels.nodes[level].count, encoder.projectionWidth]
        else {
          throw TaxonomyError(
            .schema, "not a usable Arbor classifier model: tensor shapes do not match", at: location)
        }
      }
      return model
    } catch let error as TaxonomyError {
      throw error
    } catch let error as SafeTensorsError {
      throw TaxonomyError(.schema, "not a usable Arbor classifier model: \(error.message)", at: location)
    } catch let error as TextError {
      throw TaxonomyError(.io, error.description, at: location)
    } catch {
      throw TaxonomyError(.schema, "not a usable Arbor classifier model: \(error)", at: location)
    }
  }
}

extension VerbalizerSettings {
  var json: String {
    var fields = [
      "\"multiPath\": \(multiPath)", "\"epochs\": \(epochs)", "\"batchSize\": \(batchSize)",
      "\"learningRate\": \(learningRate)", "\"chainWeight\": \(chainWeight)",
      "\"contrastiveWeight\": \(contrastiveWeight)", "\"dropout\": \(dropout)",
      "\"initialScale\": \(initialScale)",
      "\"seed\": \(seed)", "\"beamWidth\": \(beamWidth)", "\"threshold\": \(threshold)",
    ]
    if let stopThreshold { fields.append("\"stopThreshold\": \(stopThreshold)") }
    if prototypeWeight > 0 { fields.append("\"prototypeWeight\": \(prototypeWeight)") }
    if tuneLayers > 0 {
      fields.append("\"tuneLayers\": \(tuneLayers)")
      fields.append("\"encoderLearningRate\": \(encoderLearningRate)")
    }
    return "{" + fields.joined(separator: ", ") + "}"
  }

  init?(json text: String) {
    guard let value = try? JSONParser.parse(text), case .bool(let multiPath)? = value["multiPath"] else {
      return nil
    }
    func number(_ key: String) -> Double? { value[key]?.numberValue }
    func integer(_ key: String) -> Int? { value[key]?.integerValue }
    guard let epochs = integer("epochs"), let batch = integer("batchSize"), let rate = number("learningRate"),
      let chain = number("chainWeight"), let contrastive = number("contrastiveWeight"),
      let dropout = number("dropout"), let scale = number("initialScale"),
      let seed = value["seed"]?.wholeNumber(as: UInt64.self),
      let beam = integer("beamWidth"), (1...1 << 20).contains(beam), let threshold = number("threshold")
    else { return nil }
    self.init()
    self.multiPath = multiPath
    self.epochs = epochs
    batchSize = batch
    learningRate = Float(rate)
    chainWeight = Float(chain)
    contrastiveWeight = Float(contrastive)
    self.dropout = Float(dropout)
    initialScale = Float(scale)
    self.seed = seed
    beamWidth = beam
    self.threshold = Float(threshold)
    stopThreshold = number("stopThreshold").map(Float.init)
    // Files written before encoder tuning have neither field: a frozen encoder.
    guard let layers = value["tuneLayers"] == nil ? 0 : integer("tuneLayers"), (0...64).contains(layers)
    else {
      return nil
    }
    tuneLayers = layers
    encoderLearningRate = number("encoderLearningRate").map(Float.init) ?? 5e-5
    // Files written before label prototypes have none.
    prototypeWeight = number("prototypeWeight").map(Float.init) ?? 0
  }
}
