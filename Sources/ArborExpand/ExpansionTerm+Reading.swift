import ArborTree

extension ExpansionTerm {
  /// Reads new terms from a JSONL file (objects with `id`, `label`, optional `altLabels` and
  /// `definition`) or, when the name ends in `.tsv`/`.txt`, tab-separated lines `id<TAB>label[<TAB>definition]`.
  ///
  /// Errors name the file and line: invalid JSON, missing or empty `id`/`label`, wrong field types,
  /// duplicate ids, and (when `taxonomy` is given) ids that already name a node.
  public static func read(from path: String, checkingAgainst taxonomy: Taxonomy? = nil) throws(TaxonomyError)
    -> [ExpansionTerm]
  {
    let bytes = try ArborFile.readBytes(path)
    var terms: [ExpansionTerm] = []
    var lines: [Int] = []
    let lower = path.lowercased()
    if lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") {
      try readTSV(bytes, path: path, into: &terms, lines: &lines)
    } else {
      try JSONLines.forEach(bytes, file: path) { (value, location) throws(TaxonomyError) in
        terms.append(try term(from: value, at: location))
        lines.append(location.line ?? 0)
      }
    }
    guard !terms.isEmpty else {
      throw TaxonomyError(.syntax, "no terms (expected one term per line)", at: SourceLocation(file: path))
    }
    var diagnostics: [TaxonomyDiagnostic] = []
    var firstLine: [String: Int] = [:]
    for (term, line) in zip(terms, lines) {
      let location = SourceLocation(file: path, line: line)
      if let earlier = firstLine[term.id] {
        diagnostics.append(
          TaxonomyDiagnostic(.duplicateID, "term id \"\(term.id)\" repeats line \(earlier)", at: location))
      } else {
        firstLine[term.id] = line
      }
      if let taxonomy, taxonomy.index(of: term.id) != nil {
        diagnostics.append(
          TaxonomyDiagnostic(
            .duplicateID, "term id \"\(term.id)\" already names a node of the taxonomy", at: location))
      }
    }
    if !diagnostics.isEmpty { throw TaxonomyError(diagnostics) }
    return terms
  }

  private static func term(from value: JSONValue, at location: SourceLocation) throws(TaxonomyError)
    -> ExpansionTerm
  {
    func failure(_ message: String) -> TaxonomyError { TaxonomyError(.syntax, message, at: location) }
    guard value.objectValue != nil else { throw failure("expected a JSON object, found \(value.typeName)") }
    let id: String
    switch value["id"] {
    case .some(.string(let string)): id = string
    case .some(.number(let number)) where number.rounded() == number && abs(number) < 1e15:
      id = String(Int64(number))
    case nil, .some(.null): throw failure("missing field \"id\" (a non-empty string)")
    case .some(let other): throw failure("field \"id\" must be a string, found \(other.typeName)")
    }
    guard !id.trimmingWhitespace.isEmpty else { throw TaxonomyError(.emptyID, "empty term id", at: location) }
    guard let labelValue = value["label"] else {
      throw failure("missing field \"label\" (a non-empty string)")
    }
    guard let label = labelValue.stringValue else {
      throw failure("field \"label\" must be a string, found \(labelValue.typeName)")
    }
    guard !label.trimmingWhitespace.isEmpty else { throw failure("empty \"label\" for term \"\(id)\"") }
    var alternatives: [String] = []
    if let list = value["altLabels"], list != .null {
      guard let items = list.arrayValue else {
        throw failure("field \"altLabels\" must be an array of strings, found \(list.typeName)")
      }
      for item in items {
        guard let string = item.stringValue else {
          throw failure("field \"altLabels\" must hold strings, found \(item.typeName)")
        }
        alternatives.append(string)
      }
    }
    var definition: String?
    if let field = value["definition"], field != .null {
      guard let string = field.stringValue else {
        throw failure("field \"definition\" must be a string, found \(field.typeName)")
      }
      definition = string.isEmpty ? nil : string
    }
    return ExpansionTerm(id: id, label: label, alternativeLabels: alternatives, definition: definition)
  }

  private static func readTSV(
    _ bytes: [UInt8], path: String, into terms: inout [ExpansionTerm], lines: inout [Int]
  ) throws(TaxonomyError) {
    let text = String(decoding: bytes, as: UTF8.self)
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if line.trimmingWhitespace.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      let location = SourceLocation(file: path, line: lineNumber)
      guard fields.count >= 2 else {
        throw TaxonomyError(.syntax, "expected id<TAB>label[<TAB>definition], found one field", at: location)
      }
      let id = fields[0].trimmingWhitespace
      let label = fields[1].trimmingWhitespace
      guard !id.isEmpty else { throw TaxonomyError(.emptyID, "empty term id", at: location) }
      guard !label.isEmpty else {
        throw TaxonomyError(.syntax, "empty label for term \"\(id)\"", at: location)
      }
      let definition = fields.count > 2 ? fields[2...].joined(separator: "\t").trimmingWhitespace : ""
      terms.append(ExpansionTerm(id: id, label: label, definition: definition.isEmpty ? nil : definition))
      lines.append(lineNumber)
    }
  }
}

extension StringProtocol {
  /// The string without leading and trailing spaces, tabs and line breaks.
  var trimmingWhitespace: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
    else {
      return ""
    }
    return String(self[first...last])
  }
}
