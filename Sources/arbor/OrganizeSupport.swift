import ArborOrganize
import ArborText
import ArborTree
import ArgumentParser
import Foundation

/// Encoder options of `arbor organize build` and `add`.
struct OrganizeEncoderOptions: ParsableArguments {
  @Option(help: "builtin, minilm, or a BERT model directory.") var encoder: String = "builtin"
  @Option(help: "Vector width of the builtin encoder.") var dimension: Int = 512
  @Option(help: "Threads for the transformer encoder (default: all cores).") var threads: Int?
  @Option(help: "Embedding cache directory (default: $ARBOR_CACHE_DIR or ~/.cache/arbor/embeddings).")
  var cacheDir: String?
  @Flag(help: "Do not read or write the embedding cache.") var noCache = false

  func validate() throws {
    if !(8...maximumEncoderDimension).contains(dimension) {
      throw ValidationError("--dimension must be between 8 and \(maximumEncoderDimension).")
    }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
  }

  /// The encoder named `name`; the builtin one weighs features by `idf` (fitted on the collection) when
  /// given, by plain sublinear tf otherwise.
  func makeEncoder(_ name: String, builtinDimension: Int, idf: TFIDFModel? = nil) throws -> any TextEncoder {
    let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
    switch name {
    case "builtin": return BuiltinEncoder(dimension: builtinDimension, weighting: idf)
    case "minilm": return try SentenceEncoder.miniLM(threadCount: threadCount)
    default: return try SentenceEncoder(directory: name, threadCount: threadCount)
    }
  }

  /// The encoder a topic-tree model was built with (the builtin one with the model's fitted document
  /// frequencies); prints why and exits 1 when it cannot be made or is not the model's (`modelPath`).
  func makeEncoder(for model: TopicTreeModel, modelPath: String) throws -> any TextEncoder {
    let idf = model.builtinDocumentFrequencies.flatMap { frequencies -> TFIDFModel? in
      let extractor = HashedFeatureExtractor()
      guard frequencies.count == extractor.bucketCount else { return nil }
      return TFIDFModel(
        extractor: extractor, documentCount: model.builtinDocumentCount, documentFrequencies: frequencies)
    }
    let encoder = try loadingModelEncoder(model.encoderName, model: modelPath, field: "encoderName") {
      try makeEncoder(model.encoderName, builtinDimension: model.builtinDimension, idf: idf)
    }
    guard encoder.identity == model.encoderIdentity, encoder.dimension == model.tree.dimension else {
      printError(
        "arbor: \(modelPath): the model was built with encoder '\(model.encoderIdentity)', which is not "
          + "available as '\(model.encoderName)' here")
      throw ExitCode(1)
    }
    return encoder
  }

  /// Vectors of `texts`; transformer vectors go through the embedding cache unless `--no-cache`.
  func encode(_ texts: [String], with encoder: any TextEncoder, label: String?) throws -> [Float] {
    try encodeTexts(texts, with: encoder, label: label, cacheDirectory: cacheDir, useCache: !noCache)
  }
}

/// Reads a document collection with `CollectionReader`, reporting skipped entries and warnings on stderr.
func readCollection(_ path: String, format: CollectionFormat?, strict: Bool) throws(TaxonomyError)
  -> [CollectionRecord]
{
  let reading = try CollectionReader.read(path, format: format, strict: strict)
  if reading.skippedWithoutText > 0 {
    printError(
      "arbor: warning: \(path): skipped \(reading.skippedWithoutText) entries without text (--strict rejects them)"
    )
  }
  for warning in reading.warnings.prefix(20) { printError("arbor: warning: \(warning)") }
  if reading.warnings.count > 20 { printError("arbor: warning: ... \(reading.warnings.count - 20) more") }
  return reading.records
}

/// `stem-SUFFIX.ext` for `stem.ext`.
func suffixedPath(_ path: String, _ suffix: String) -> String {
  let name = path.split(separator: "/").last.map(String.init) ?? path
  guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path + "-" + suffix }
  let directory = path.dropLast(name.count)
  return directory + name[..<dot] + "-" + suffix + name[dot...]
}

extension TopicTreeOptions.Method: ExpressibleByArgument {}
extension CollectionFormat: ExpressibleByArgument {}
extension TopicTreePlacement: ExpressibleByArgument {}
