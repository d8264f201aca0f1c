/// OBO 1.2 flat files: `[Term]` stanzas with `id`, `name`, `def`, `synonym`, `is_a`.
///
/// Obsolete terms (`is_obsolete: true`) are skipped. Terms without `is_a` are
/// roots; when there are several (one per namespace in the Gene Ontology), a
/// synthetic root goes above them. A term's `namespace` is kept as an attribute.
enum OBOFormat {
  static func read(_ bytes: [UInt8], file: String?) throws(TaxonomyError) -> Taxonomy {
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw TaxonomyError(.syntax, "the file is not valid UTF-8", at: SourceLocation(file: file))
    }
    struct Term {
      var id: String?
      var name: String?
      var definition: String?
      var synonyms: [String] = []
      var parents: [(String, Int)] = []
      var namespace: String?
      var obsolete = false
      var line: Int
    }
    var terms: [Term] = []
    var current: Term?
    var inTerm = false
    var defaultNamespace: String?
    var problems: [TaxonomyDiagnostic] = []
    var sawStanza = false
    var lineNumber = 0

    func finish() {
      if let term = current { terms.append(term) }
      current = nil
    }
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = String(rawLine).trimmingSpaces()
      if line.isEmpty || line.hasPrefix("!") { continue }
      if line.hasPrefix("[") {
        guard line.hasSuffix("]") else {
          problems.append(
            .init(
              .syntax, "unterminated stanza header '\(line)'",
              at: SourceLocation(file: file, line: lineNumber)))
          continue
        }
        finish()
        sawStanza = true
        inTerm = line == "[Term]"
        if inTerm { current = Term(line: lineNumber) }
        continue
      }
      guard let colon = line.firstIndex(of: ":") else {
        problems.append(
          .init(
            .syntax, "expected 'tag: value', found '\(line)'",
            at: SourceLocation(file: file, line: lineNumber)))
        continue
      }
      let tag = String(line[..<colon])
      let value = String(line[line.index(after: colon)...]).trimmingSpaces()
      if !sawStanza {
        if tag == "default-namespace" { defaultNamespace = value }
        continue
      }
      guard inTerm, current != nil else { continue }
      switch tag {
      case "id": current!.id = stripComment(value)
      case "name": current!.name = value
      case "def":
        guard let quoted = quotedPrefix(value) else {
          problems.append(
            .init(
              .syntax, "def must start with a quoted string", at: SourceLocation(file: file, line: lineNumber)
            ))
          continue
        }
        current!.definition = quoted
      case "synonym", "exact_synonym", "related_synonym", "broad_synonym", "narrow_synonym":
        guard let quoted = quotedPrefix(value) else {
          problems.append(
            .init(
              .syntax, "synonym must start with a quoted string",
              at: SourceLocation(file: file, line: lineNumber)))
          continue
        }
        current!.synonyms.append(quoted)
      case "is_a":
        current!.parents.append((stripComment(value), lineNumber))
      case "namespace": current!.namespace = value
      case "is_obsolete": current!.obsolete = value == "true"
      default: break
      }
    }
    finish()
    var builder = TaxonomyBuilder()
    for term in terms where !term.obsolete {
      let location = SourceLocation(file: file, line: term.line)
      guard let id = term.id else {
        problems.append(.init(.schema, "[Term] stanza without an id", at: location))
        continue
      }
      var attributes: [String: String] = [:]
      if let namespace = term.namespace ?? defaultNamespace { attributes["namespace"] = namespace }
      builder.addNode(
        TaxonomyNode(
          id: id, label: term.name, alternativeLabels: term.synonyms, definition: term.definition,
          attributes: attributes),
        at: location)
      for (parent, line) in term.parents {
        builder.addEdge(parent: parent, child: id, at: SourceLocation(file: file, line: line))
      }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    if builder.nodeCount == 0 {
      throw TaxonomyError(.syntax, "no [Term] stanzas found", at: SourceLocation(file: file))
    }
    return try builder.build()
  }

  /// The value without a trailing `! comment` or `{qualifiers}`.
  static func stripComment(_ value: String) -> String {
    var result = value
    if let bang = result.firstIndex(of: "!") { result = String(result[..<bang]) }
    if let brace = result.firstIndex(of: "{") { result = String(result[..<brace]) }
    return result.trimmingSpaces()
  }

  /// The text of a leading double-quoted string, with OBO's backslash escapes undone.
  static func quotedPrefix(_ value: String) -> String? {
    var iterator = value.makeIterator()
    guard iterator.next() == "\"" else { return nil }
    var out = ""
    while let c = iterator.next() {
      if c == "\\" {
        guard let next = iterator.next() else { return nil }
        switch next {
        case "n": out.append("\n")
        case "t": out.append("\t")
        default: out.append(next)
        }
      } else if c == "\"" {
        return out
      } else {
        out.append(c)
      }
    }
    return nil
  }
}
