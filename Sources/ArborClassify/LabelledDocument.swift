import ArborTree

/// A document with its text and, for training and evaluation, the taxonomy nodes it is labelled with.
public struct LabelledDocument: Sendable, Hashable {
  /// The document's id, unique within its file.
  public var id: String
  /// The text the classifier reads.
  public var text: String
  /// Node ids of the taxonomy; may be empty for documents to classify.
  public var labels: [String]

  /// Creates a document.
  public init(id: String, text: String, labels: [String] = []) {
    self.id = id
    self.text = text
    self.labels = labels
  }
}

/// Reads JSON Lines documents: `{"id", "text", "labels": [node ids]}`.
///
/// `text` may be replaced by `title` and `abstract`, which are joined with ". ".
/// Errors name the file, the line and the field.
public enum DocumentReader {
  /// Reads every document of a JSONL file; with a taxonomy, labels must name its nodes.
  public static func read(
    _ path: String, requireLabels: Bool, taxonomy: Taxonomy? = nil
  ) throws(TaxonomyError) -> [LabelledDocument] {
    try parse(try ArborFile.readBytes(path), file: path, requireLabels: requireLabels, taxonomy: taxonomy)
  }

  /// Parses JSONL bytes; `file` names the source in errors.
  public static func parse(
    _ bytes: [UInt8], file: String?, requireLabels: Bool, taxonomy: Taxonomy? = nil
  ) throws(TaxonomyError) -> [LabelledDocument] {
    var documents: [LabelledDocument] = []
    var problems: [TaxonomyDiagnostic] = []
    var seen: [String: Int] = [:]
    try JSONLines.forEach(bytes, file: file) { value, location throws(TaxonomyError) in
      switch document(from: value, requireLabels: requireLabels, taxonomy: taxonomy) {
      case .success(let doc):
        if let first = seen[doc.id] {
          problems.append(
            .init(.duplicateID, "duplicate document id '\(doc.id)' (first on line \(first))", at: location))
        } else {
          seen[doc.id] = location.line ?? 0
          documents.append(doc)
        }
      case .failure(let message):
        problems.append(.init(.schema, message.text, at: location))
      }
      if problems.count >= 20 { throw TaxonomyError(problems) }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    if documents.isEmpty {
      throw TaxonomyError(
        .schema, "no documents found; expected JSON Lines with \"id\" and \"text\"",
        at: SourceLocation(file: file))
    }
    return documents
  }

  package struct Message: Error { package var text: String }

  /// One record as a document, or a message naming the field that is wrong.
  package static func document(
    from value: JSONValue, requireLabels: Bool, taxonomy: Taxonomy?
  ) -> Result<LabelledDocument, Message> {
    guard case .object = value else {
      return .failure(Message(text: "expected a JSON object, found \(value.typeName)"))
    }
    guard let id = value.recordID else {
      return .failure(Message(text: "field \"id\" (a string) is missing"))
    }
    var text: String
    if let t = value["text"] {
      guard let s = t.stringValue else { return .failure(Message(text: "field \"text\" must be a string")) }
      text = s
    } else if value["title"] != nil || value["abstract"] != nil {
      text = [value["title"]?.stringValue, value["abstract"]?.stringValue].compactMap { $0 }.joined(
        separator: ". ")
    } else {
      return .failure(Message(text: "document '\(id)' has no \"text\" (or \"title\"/\"abstract\") field"))
    }
    if text.isEmpty { text = " " }
    var labels: [String] = []
    if let l = value["labels"] {
      guard let items = l.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
        return .failure(Message(text: "field \"labels\" of '\(id)' must be an array of node ids"))
      }
      labels = items.compactMap(\.stringValue)
    } else if let l = value["label"]?.stringValue {
      labels = [l]
    }
    if requireLabels && labels.isEmpty {
      return .failure(Message(text: "document '\(id)' has no \"labels\""))
    }
    if let taxonomy {
      let unknown = labels.filter { taxonomy.index(of: $0) == nil }
      if !unknown.isEmpty {
        return .failure(
          Message(
            text:
              "document '\(id)' names label(s) not in the taxonomy: \(unknown.prefix(5).joined(separator: ", "))"
          ))
      }
    }
    return .success(LabelledDocument(id: id, text: text, labels: labels))
  }
}
