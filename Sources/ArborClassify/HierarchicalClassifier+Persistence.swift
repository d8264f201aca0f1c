import ArborTensor
import ArborText
import ArborTree

/// Model files: one safetensors file holding the weights, with the taxonomy, the
/// configuration and the format version in its metadata, written atomically.
extension HierarchicalClassifier {
  /// The `arbor.format` value of classifier model files.
  public static let formatName = "arbor-classifier"
  /// The model file version this Arbor writes and reads.
  public static let formatVersion = 1

  /// Writes the model to one self-contained file, atomically.
  public func save(to path: String) throws(TaxonomyError) {
    var tensors: [(name: String, tensor: Tensor)] = [
      (
        "heads.weights",
        Tensor(
          shape: [heads.featureCount, heads.outputCount],
          storage: heads.mappedWeights.map { Array($0.buffer) } ?? heads.weights)
      ),
      ("heads.bias", Tensor(shape: [heads.outputCount], storage: heads.bias)),
      (
        "features.document_frequencies",
        Tensor(
          shape: [features.weighting.documentFrequencies.count],
          storage: features.weighting.documentFrequencies.map(Float.init))
      ),
    ]
    tensors.append(
      ("layout.output_nodes", Tensor(shape: [layout.outputCount], storage: layout.outputNode.map(Float.init)))
    )
    // The rehearsal memory of `arbor learn`; code that does not know it ignores these tensors.
    guard memory.isStorable else {
      throw TaxonomyError(
        .schema,
        "the rehearsal memory of \(memory.count) documents has \(memory.rows.columns.count) feature entries, "
          + "more than a model file stores (16,777,215); keep fewer documents (--memory)",
        at: SourceLocation(file: path))
    }
    tensors += memory.tensors
    var metadata: [String: String] = [
      "arbor.format": Self.formatName,
      "arbor.version": String(Self.formatVersion),
      "arbor.taxonomy": (try? taxonomy.serialized(as: .json)) ?? "",
      "arbor.configuration": configuration.json,
      "arbor.features": features.json,
      "arbor.layout": layout.kind.rawValue,
    ]
    if let dense {
      metadata["arbor.dense"] =
        "{\"identity\": \(JSONWriter.quoted(dense.encoder.identity)), \"weight\": \(dense.weight)}"
    }
    do {
      try SafeTensorsFile.write(tensors, metadata: metadata, to: path)
    } catch {
      throw TaxonomyError(.io, error.message, at: SourceLocation(file: path))
    }
  }

  /// Reads a model file, checking its format, version and every tensor's shape.
  ///
  /// With `mappingWeights`, the weight matrix is read in place from the memory-mapped file instead of
  /// being copied (for classifying only: training and updates need the copy).
  public static func load(from path: String, mappingWeights: Bool = false) throws(TaxonomyError)
    -> HierarchicalClassifier
  {
    let location = SourceLocation(file: path)
    func damaged(_ message: String) -> TaxonomyError {
      TaxonomyError(.schema, "not a usable Arbor classifier model: \(message)", at: location)
    }
    let file: SafeTensorsFile
    do {
      file = try SafeTensorsFile(path: path)
    } catch {
      throw TaxonomyError(.io, "not a readable model file: \(error.message)", at: location)
    }
    guard file.metadata["arbor.format"] == formatName else {
      throw damaged("missing or wrong arbor.format (expected '\(formatName)')")
    }
    guard file.metadata["arbor.version"] == String(formatVersion) else {
      throw damaged("model format version \(file.metadata["arbor.version"] ?? "?") is not \(formatVersion)")
    }
    guard let taxonomyText = file.metadata["arbor.taxonomy"],
      let configurationText = file.metadata["arbor.configuration"],
      let featuresText = file.metadata["arbor.features"],
      let layoutKind = file.metadata["arbor.layout"].flatMap(OutputLayout.Kind.init(rawValue:))
    else { throw damaged("metadata is incomplete") }
    let taxonomy = try Taxonomy.parse(
      Array(taxonomyText.utf8), format: .json, file: path + " (embedded taxonomy)")
    guard var configuration = ClassifierConfiguration(json: configurationText) else {
      throw damaged("the configuration cannot be read")
    }
    do {
      let weightShape = try file.entry("heads.weights").shape
      let mapped = mappingWeights ? try file.mappedFloats("heads.weights") : nil
      let weights = mapped == nil ? try file.floats("heads.weights") : []
      let bias = try file.tensor("heads.bias")
      let frequencies = try file.tensor("features.document_frequencies")
      let outputNodes = try file.tensor("layout.output_nodes")
      guard let space = SparseFeatureSpace(json: featuresText, documentFrequencies: frequencies.storage)
      else {
        throw damaged("the feature settings cannot be read")
      }
      let outputCount = outputNodes.count
      guard (mapped?.count ?? weights.count) == weightShape.reduce(1, *), weightShape.count == 2,
        bias.shape == [outputCount],
        let outputNodeIndices = outputNodes.storage.wholeNumbers(in: 0...(taxonomy.count - 1))
      else { throw damaged("tensor shapes do not match the taxonomy and features") }
      let layout: OutputLayout
      switch layoutKind {
      case .local:
        layout = .local(taxonomy, multiPath: configuration.multiPath)
        guard layout.outputNode == outputNodeIndices.map({ Int32($0) }) else {
          throw damaged("the outputs do not match the taxonomy's edges")
        }
      case .flat:
        layout = .flat(
          taxonomy, nodes: outputNodeIndices, multiPath: configuration.multiPath)
      }
      var dense: DenseChannel?
      if let denseText = file.metadata["arbor.dense"] {
        guard let value = try? JSONParser.parse(denseText), let identity = value["identity"]?.stringValue,
          let weight = value["weight"]?.numberValue
        else { throw damaged("the dense encoder settings cannot be read") }
        guard case .bert(let directory) = try EncoderChoice.named("minilm") else {
          throw damaged("no encoder")
        }
        let channel = try DenseChannel(directory: directory, weight: Float(weight))
        guard channel.encoder.identity == identity else {
          throw TaxonomyError(
            .schema, "the installed MiniLM model differs from the one this model was trained with",
            at: location)
        }
        dense = channel
      }
      // The feature settings are stored with the features; the configuration follows them.
      configuration.bucketCount = space.weighting.extractor.bucketCount
      configuration.characterNGramLengths = space.weighting.extractor.characterNGramLengths
      let featureCount = space.featureCount + (dense?.dimension ?? 0)
      guard weightShape == [featureCount, outputCount] else {
        throw damaged("tensor shapes do not match the features")
      }
      let heads = LinearHeads(
        featureCount: featureCount, outputCount: outputCount, weights: weights, mappedWeights: mapped,
        bias: bias.storage)
      guard
        let memory = ModelRehearsalMemory(file: file, featureCount: featureCount, nodeCount: taxonomy.count)
      else { throw damaged("the rehearsal memory tensors do not match the features and taxonomy") }
      return HierarchicalClassifier(
        taxonomy: taxonomy, configuration: configuration, features: space, layout: layout, heads: heads,
        dense: dense, memory: memory)
    } catch let error as TaxonomyError {
      throw error
    } catch let error as SafeTensorsError {
      throw TaxonomyError(.schema, "not a usable Arbor classifier model: \(error.message)", at: location)
    } catch {
      throw TaxonomyError(.schema, "not a usable Arbor classifier model: \(error)", at: location)
    }
  }
}

extension ClassifierConfiguration {
  /// The settings as a JSON object.
  var json: String {
    var fields = [
      "\"method\": \"\(method.rawValue)\"", "\"multiPath\": \(multiPath)", "\"epochs\": \(epochs)",
      "\"learningRate\": \(learningRate)", "\"seed\": \(seed)", "\"bucketCount\": \(bucketCount)",
      "\"minimumDocumentFrequency\": \(minimumDocumentFrequency)", "\"beamWidth\": \(beamWidth)",
      "\"threshold\": \(threshold)", "\"memorySize\": \(memorySize)", "\"loss\": \"\(loss.rawValue)\"",
      "\"cost\": \(cost)", "\"ancestorWeight\": \(ancestorWeight)",
    ]
    if let stopThreshold { fields.append("\"stopThreshold\": \(stopThreshold)") }
    return "{" + fields.joined(separator: ", ") + "}"
  }

  /// Reads settings written by `json`; nil when a field is missing or of the wrong type.
  init?(json text: String) {
    guard let value = try? JSONParser.parse(text), case .object = value,
      let method = value["method"]?.stringValue.flatMap(ClassifierMethod.init(rawValue:)),
      case .bool(let multiPath)? = value["multiPath"],
      let epochs = value["epochs"]?.integerValue, let rate = value["learningRate"]?.numberValue,
      let seed = value["seed"]?.wholeNumber(as: UInt64.self),
      let buckets = value["bucketCount"]?.integerValue,
      let minimum = value["minimumDocumentFrequency"]?.wholeNumber(as: Int32.self),
      let beam = value["beamWidth"]?.integerValue, (1...1 << 20).contains(beam),
      let threshold = value["threshold"]?.numberValue
    else { return nil }
    self.init()
    self.method = method
    self.multiPath = multiPath
    self.epochs = epochs
    learningRate = Float(rate)
    self.seed = seed
    bucketCount = buckets
    minimumDocumentFrequency = minimum
    beamWidth = beam
    self.threshold = Float(threshold)
    stopThreshold = value["stopThreshold"]?.numberValue.map(Float.init)
    // Files written before rehearsal memories existed have no memory size.
    memorySize = value["memorySize"]?.numberValue.map { Int(max(0, min($0, 1e9))) } ?? 0
    // Files written before the SVM trainer existed were trained with softmax SGD.
    loss = value["loss"]?.stringValue.flatMap(LinearLoss.init(rawValue:)) ?? .softmax
    cost = value["cost"]?.numberValue.map(Float.init) ?? 1
    ancestorWeight = value["ancestorWeight"]?.numberValue.map(Float.init) ?? 0
  }
}

extension SparseFeatureSpace {
  /// The extractor settings and document count as JSON.
  var json: String {
    let e = weighting.extractor
    let lengths = e.characterNGramLengths.map { "[\($0.lowerBound), \($0.upperBound)]" } ?? "null"
    return
      "{\"bucketCount\": \(e.bucketCount), \"characterNGrams\": \(lengths), \"wordBigrams\": \(e.usesWordBigrams), "
      + "\"seed\": \(e.seed), \"documentCount\": \(weighting.documentCount), "
      + "\"minimumDocumentFrequency\": \(minimumDocumentFrequency), "
      + "\"normalization\": \"\(weighting.normalization.rawValue)\"}"
  }

  /// Restores a space from `json` and the stored document frequencies.
  init?(json text: String, documentFrequencies: [Float]) {
    guard let value = try? JSONParser.parse(text), let buckets = value["bucketCount"]?.integerValue,
      case .bool(let bigrams)? = value["wordBigrams"],
      let seed = value["seed"]?.wholeNumber(as: UInt64.self),
      let documents = value["documentCount"]?.integerValue, documents >= 0,
      let minimum = value["minimumDocumentFrequency"]?.wholeNumber(as: Int32.self),
      buckets == documentFrequencies.count, buckets >= 1,
      let frequencies = documentFrequencies.wholeNumbers(in: 0...Int32.max)
    else { return nil }
    var lengths: ClosedRange<Int>?
    if let pair = value["characterNGrams"]?.arrayValue, pair.count == 2, let low = pair[0].integerValue,
      let high = pair[1].integerValue, low >= 1, high >= low, high <= 64
    {
      lengths = low...high
    }
    let extractor = HashedFeatureExtractor(
      bucketCount: buckets, characterNGramLengths: lengths, usesWordBigrams: bigrams, seed: seed)
    var model = TFIDFModel(
      extractor: extractor, documentCount: documents,
      documentFrequencies: frequencies)
    // Files written before per-kind normalization existed scaled whole rows.
    if let name = value["normalization"]?.stringValue {
      guard let normalization = TFIDFModel.Normalization(rawValue: name) else { return nil }
      model.normalization = normalization
    }
    self.init(weighting: model, minimumDocumentFrequency: minimum)
  }
}
