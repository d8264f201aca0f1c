import ArborTree

/// One record of a continual-learning stream: a document and the one node it is labelled with.
public struct StreamRecord: Sendable, Hashable {
  /// The document's id in its corpus.
  public var id: String
  /// The text the learner reads.
  public var text: String
  /// The label, a node index of the stream's taxonomy.
  public var label: Int
  /// The 1-based depth of the label (its shortest distance from the root).
  public var level: Int
  /// The 1-based task the record belongs to.
  public var task: Int

  /// Creates a record.
  public init(id: String, text: String, label: Int, level: Int, task: Int) {
    self.id = id
    self.text = text
    self.label = label
    self.level = level
    self.task = task
  }
}

/// Reads and writes streams as JSON Lines: `{"id", "text", "label": node id, "level", "task"}`.
public enum StreamFile {
  /// The JSONL text of a stream, one record a line.
  public static func encode(_ records: [StreamRecord], taxonomy: Taxonomy) -> String {
    var out = ""
    out.reserveCapacity(records.count * 160)
    for record in records {
      out += "{\"id\":" + JSONWriter.quoted(record.id) + ",\"text\":" + JSONWriter.quoted(record.text)
      out += ",\"label\":" + JSONWriter.quoted(taxonomy.id(record.label))
      out += ",\"level\":\(record.level),\"task\":\(record.task)}\n"
    }
    return out
  }

  /// Reads a stream; errors name the file, the line and the field.
  public static func read(_ path: String, taxonomy: Taxonomy) throws(TaxonomyError) -> [StreamRecord] {
    try parse(try ArborFile.readBytes(path), file: path, taxonomy: taxonomy)
  }

  /// Parses stream JSONL bytes; `file` names the source in errors.
  public static func parse(
    _ bytes: [UInt8], file: String?, taxonomy: Taxonomy
  ) throws(TaxonomyError) -> [StreamRecord] {
    var records: [StreamRecord] = []
    var problems: [TaxonomyDiagnostic] = []
    try JSONLines.forEach(bytes, file: file) { value, location throws(TaxonomyError) in
      switch record(from: value, taxonomy: taxonomy) {
      case .success(let record): records.append(record)
      case .failure(let message): problems.append(.init(.schema, message.text, at: location))
      }
      if problems.count >= 20 { throw TaxonomyError(problems) }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    if records.isEmpty {
      throw TaxonomyError(
        .schema,
        "no stream records found; expected JSON Lines with \"id\", \"text\", \"label\", \"level\", "
          + "\"task\"", at: SourceLocation(file: file))
    }
    return records
  }

  struct Message: Error { var text: String }

  static func record(from value: JSONValue, taxonomy: Taxonomy) -> Result<StreamRecord, Message> {
    guard case .object = value else {
      return .failure(Message(text: "expected a JSON object, found \(value.typeName)"))
    }
    guard let id = value.recordID else {
      return .failure(Message(text: "field \"id\" (a string) is missing"))
    }
    guard let text = value["text"]?.stringValue else {
      return .failure(Message(text: "field \"text\" (a string) is missing in record '\(id)'"))
    }
    guard let labelID = value["label"]?.stringValue else {
      return .failure(Message(text: "field \"label\" (a node id string) is missing in record '\(id)'"))
    }
    guard let label = taxonomy.index(of: labelID) else {
      return .failure(Message(text: "field \"label\": '\(labelID)' of record '\(id)' is not in the taxonomy"))
    }
    let depth = taxonomy.depth(of: label)
    guard depth >= 1 else {
      return .failure(Message(text: "field \"label\": '\(labelID)' is the taxonomy's root, not a class"))
    }
    guard let level = integer(value["level"]) else {
      return .failure(Message(text: "field \"level\" (a positive integer) is missing in record '\(id)'"))
    }
    guard level == depth else {
      return .failure(
        Message(text: "field \"level\" is \(level) but label '\(labelID)' lies at depth \(depth)"))
    }
    guard let task = integer(value["task"]), task >= 1 else {
      return .failure(Message(text: "field \"task\" (a positive integer) is missing in record '\(id)'"))
    }
    return .success(StreamRecord(id: id, text: text, label: label, level: level, task: task))
  }

  static func integer(_ value: JSONValue?) -> Int? {
    guard case .number(let n)? = value, n.rounded() == n, abs(n) < 1e9 else { return nil }
    return Int(n)
  }
}
