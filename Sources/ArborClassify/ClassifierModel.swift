import ArborTensor
import ArborTree

/// Any trained Arbor classifier, as read from a model file.
public enum ClassifierModel: Sendable {
  /// A flat or local linear model on TF-IDF features.
  case linear(HierarchicalClassifier)
  /// A HierVerb-style verbalizer model.
  case verbalizer(VerbalizerClassifier)

  /// The label taxonomy.
  public var taxonomy: Taxonomy {
    switch self {
    case .linear(let model): return model.taxonomy
    case .verbalizer(let model): return model.taxonomy
    }
  }

  /// Predictions for texts; every path is valid.
  public func predict(_ texts: [String], topK: Int = 1) throws(TaxonomyError) -> [Prediction] {
    switch self {
    case .linear(let model): return try model.predict(texts, topK: topK)
    case .verbalizer(let model): return try model.predict(texts, topK: topK)
    }
  }

  /// Writes the model atomically.
  public func save(to path: String) throws(TaxonomyError) {
    switch self {
    case .linear(let model): try model.save(to: path)
    case .verbalizer(let model): try model.save(to: path)
    }
  }

  /// Reads any classifier model file, checking format and version.
  public static func load(from path: String, mappingWeights: Bool = false) throws(TaxonomyError)
    -> ClassifierModel
  {
    let location = SourceLocation(file: path)
    let file: SafeTensorsFile
    do {
      file = try SafeTensorsFile(path: path)
    } catch {
      throw TaxonomyError(.io, "not a readable model file: \(error.message)", at: location)
    }
    if file.metadata["arbor.method"] == ClassifierMethod.verbalizer.rawValue {
      guard file.metadata["arbor.format"] == HierarchicalClassifier.formatName,
        file.metadata["arbor.version"] == String(HierarchicalClassifier.formatVersion),
        let text = file.metadata["arbor.taxonomy"]
      else {
        throw TaxonomyError(
          .schema, "not a usable Arbor classifier model: wrong format or version", at: location)
      }
      let taxonomy = try Taxonomy.parse(Array(text.utf8), format: .json, file: path + " (embedded taxonomy)")
      return .verbalizer(try VerbalizerClassifier.load(file, taxonomy: taxonomy, path: path))
    }
    return .linear(try HierarchicalClassifier.load(from: path, mappingWeights: mappingWeights))
  }
}
