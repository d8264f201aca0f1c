import ArborClassify
import ArborTree

/// The labelled documents of one `arbor learn` input, checked against the taxonomy.
///
/// A record whose label is not in the taxonomy is an error naming the file, line, record id and
/// label, or, when unknown labels are skipped, is left out and counted.
public struct LearningRecords: Sendable {
  /// The usable documents, in file order.
  public var documents: [LabelledDocument]
  /// How many records were left out because a label was not in the taxonomy.
  public var skippedCount = 0
  /// The distinct unknown labels of the skipped records (sorted).
  public var skippedLabels: [String] = []

  /// Reads a JSONL file of `{"id", "text", "labels"}` records.
  public static func read(
    _ path: String, taxonomy: Taxonomy, skipUnknown: Bool
  ) throws(TaxonomyError) -> LearningRecords {
    try parse(try ArborFile.readBytes(path), file: path, taxonomy: taxonomy, skipUnknown: skipUnknown)
  }

  /// Parses JSONL bytes; `file` names the source in errors.
  public static func parse(
    _ bytes: [UInt8], file: String?, taxonomy: Taxonomy, skipUnknown: Bool
  ) throws(TaxonomyError) -> LearningRecords {
    var result = LearningRecords(documents: [])
    var problems: [TaxonomyDiagnostic] = []
    var seen: [String: Int] = [:]
    var unknownLabels: Set<String> = []
    try JSONLines.forEach(bytes, file: file) { value, location throws(TaxonomyError) in
      switch DocumentReader.document(from: value, requireLabels: true, taxonomy: nil) {
      case .failure(let message):
        problems.append(.init(.schema, message.text, at: location))
      case .success(let document):
        if let first = seen[document.id] {
          problems.append(
            .init(
              .duplicateID, "duplicate record id '\(document.id)' (first on line \(first))", at: location))
          break
        }
        seen[document.id] = location.line ?? 0
        let unknown = document.labels.filter { taxonomy.index(of: $0) == nil }
        if unknown.isEmpty {
          result.documents.append(document)
        } else if skipUnknown {
          result.skippedCount += 1
          unknownLabels.formUnion(unknown)
        } else {
          let names = unknown.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
          problems.append(
            .init(
              .unknownID,
              "record '\(document.id)' has label(s) not in the taxonomy: \(names) "
                + "(grow the taxonomy with --taxonomy, or pass --skip-unknown to skip such records)",
              at: location))
        }
      }
      if problems.count >= 20 { throw TaxonomyError(problems) }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    result.skippedLabels = unknownLabels.sorted()
    return result
  }
}
