import ArborClassify
import ArborTree
import ArgumentParser
import Foundation

/// `arbor classify`: labels documents with a trained model, streaming JSONL in and out.
struct ClassifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Classify documents with a trained model; JSONL in, JSONL out.",
    discussion: """
      Reads {"id": ..., "text": ...} lines from a file or standard input and writes one line per \
      document: {"id", "labels": [node ids], "paths": [[node ids]], "path_scores": [...], \
      "scores": {node id: probability}}. Documents are read and classified in batches, so memory \
      stays constant however long the input.
      """
  )

  @Option(help: "A model written by arbor train.") var model: String
  @Argument(help: "Documents (JSONL), or - for standard input.") var input: String = "-"
  @Option(help: "Paths to report per document (single-path models).") var topK: Int = 1

  /// A probability in JSON: the shortest decimal that reads back as the same Float.
  static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }

  /// Appends one output line: `{"id", "labels", "paths", "path_scores", "scores"}`.
  static func appendLine(
    document: LabelledDocument, prediction: Prediction, quotedIDs: [[UInt8]], to out: inout [UInt8]
  ) {
    func append(_ text: StaticString) {
      text.withUTF8Buffer { out.append(contentsOf: $0) }
    }
    func appendList(_ nodes: [Int]) {
      for (position, node) in nodes.enumerated() {
        if position > 0 { append(", ") }
        out.append(contentsOf: quotedIDs[node])
      }
    }
    append("{\"id\": ")
    out.append(contentsOf: JSONWriter.quoted(document.id).utf8)
    append(", \"labels\": [")
    appendList(prediction.labels)
    append("], \"paths\": [")
    for (position, path) in prediction.paths.enumerated() {
      if position > 0 { append(", ") }
      append("[")
      appendList(path)
      append("]")
    }
    append("], \"path_scores\": [")
    for (position, score) in prediction.pathScores.enumerated() {
      if position > 0 { append(", ") }
      out.append(contentsOf: number(score).utf8)
    }
    append("], \"scores\": {")
    for (position, (label, score)) in zip(prediction.labels, prediction.labelScores).enumerated() {
      if position > 0 { append(", ") }
      out.append(contentsOf: quotedIDs[label])
      append(": ")
      out.append(contentsOf: number(score).utf8)
    }
    append("}}\n")
  }

  func validate() throws {
    if topK < 1 { throw ValidationError("--top-k must be at least 1.") }
  }

  func run() throws {
    let classifier: ClassifierModel
    do { classifier = try ClassifierModel.load(from: model, mappingWeights: true) } catch {
      throw fail(error)
    }
    guard var reader = LineReader(path: input) else {
      printError("arbor: \(input): cannot open")
      throw ExitCode(1)
    }
    defer { reader.close() }
    let taxonomy = classifier.taxonomy
    // Every node id as a JSON string, made once.
    let quotedIDs = taxonomy.indices.map { Array(JSONWriter.quoted(taxonomy.id($0)).utf8) }
    let batchSize = 2048
    var batch: [LabelledDocument] = []
    var seen: Set<String> = []
    var total = 0
    // One batch is classified and formatted on a worker while the next one is read and parsed here.
    var pending: (documents: [LabelledDocument], work: ClassificationWork)?
    func finishPending() throws {
      guard let (documents, work) = pending else { return }
      pending = nil
      work.group.wait()
      guard let out = work.output else {
        throw fail(work.error ?? TaxonomyError(.io, "classification failed"))
      }
      do { try FileHandle.standardOutput.write(contentsOf: out) } catch {
        printError("arbor: cannot write the predictions to standard output: \(error.localizedDescription)")
        throw ExitCode(1)
      }
      total += documents.count
      if stderrIsTerminal { printError("arbor classify: \(total) documents") }
    }
    func flush() throws {
      try finishPending()
      let work = ClassificationWork()
      let documents = batch
      let k = topK
      work.group.enter()
      DispatchQueue.global().async {
        defer { work.group.leave() }
        do throws(TaxonomyError) {
          let predictions = try classifier.predict(documents.map(\.text), topK: k)
          var out: [UInt8] = []
          out.reserveCapacity(documents.count * 160)
          for (document, prediction) in zip(documents, predictions) {
            Self.appendLine(document: document, prediction: prediction, quotedIDs: quotedIDs, to: &out)
          }
          work.output = out
        } catch {
          work.error = error
        }
      }
      pending = (documents, work)
      batch.removeAll(keepingCapacity: true)
    }
    // Output already classified is written before an input error stops the run.
    defer { try? finishPending() }
    while let line = reader.next() {
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      let location = SourceLocation(file: input == "-" ? "<stdin>" : input, line: reader.lineNumber)
      do throws(TaxonomyError) {
        let documents = try DocumentReader.parse(Array(line), file: location.file, requireLabels: false)
        guard let document = documents.first else { continue }
        guard seen.insert(document.id).inserted else {
          throw TaxonomyError(.duplicateID, "duplicate document id '\(document.id)'", at: location)
        }
        batch.append(document)
      } catch {
        var error = error
        for i in error.diagnostics.indices { error.diagnostics[i].location = location }
        throw fail(error)
      }
      if batch.count == batchSize { try flush() }
    }
    if !batch.isEmpty { try flush() }
    try finishPending()
  }
}

/// One batch's classification on a worker thread: its output lines, or the error that stopped it.
/// Written by the worker before it leaves `group`, read by the main thread after waiting on it.
private final class ClassificationWork: @unchecked Sendable {
  let group = DispatchGroup()
  var output: [UInt8]?
  var error: TaxonomyError?
}
