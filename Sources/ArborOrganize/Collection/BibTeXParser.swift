import ArborTree

/// A BibTeX reader: `@type{key, field = value, ...}` entries (or with parentheses), `@string` macros
/// (expanded, concatenated with `#`, the month names `jan`...`dec` predefined), `@comment` and `@preamble`
/// skipped, text between entries ignored. Values are `{...}` with nested braces, `"..."`, numbers or macro
/// names; they are decoded from LaTeX by `LaTeXDecoder` (except verbatim fields such as `url` and `doi`).
///
/// Record mapping: the citation key is the id, `title` the title, `abstract` the text, `keywords`
/// (separated by `,` or `;`) the keywords, `year` (else `date`) the year; every other field goes to
/// `fields` under its lower-cased name, and the entry type under `entrytype`. Entries without a title are
/// reported as warnings. After a malformed entry the reader goes on at the next line starting with `@`.
struct BibTeXParser {
  private let scalars: [Unicode.Scalar]
  private var position = 0
  /// Offsets of every line feed, for line numbers.
  private let lineEnds: [Int]
  /// `@string` macros, as raw (undecoded) LaTeX.
  private var macros: [String: String]
  /// Errors and warnings so far.
  private(set) var log: CollectionLog

  /// Fields kept verbatim instead of decoded from LaTeX.
  private static let verbatimFields: Set<String> = ["url", "doi", "eprint", "file", "pdf", "verba", "verbb"]

  /// Creates a parser over a file's text.
  init(text: String, log: CollectionLog) {
    scalars = Array(text.unicodeScalars)
    var ends: [Int] = []
    for (offset, scalar) in scalars.enumerated() where scalar == "\n" { ends.append(offset) }
    lineEnds = ends
    self.log = log
    let months = [
      "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
      "November", "December",
    ]
    var predefined: [String: String] = [:]
    for month in months { predefined[String(month.prefix(3)).lowercased()] = month }
    macros = predefined
  }

  /// The reason an entry could not be read, and where to report it.
  private struct Malformed: Error {
    var message: String
    var offset: Int
    /// Where reading resumes, when known (otherwise at the next line-initial `@`).
    var resume: Int?
  }

  /// Reads every entry.
  mutating func parse() -> [CollectionRecord] {
    var records: [CollectionRecord] = []
    while !log.isFull, let at = nextAt(from: position) {
      do throws(Malformed) {
        if let record = try entry(at: at) { records.append(record) }
      } catch {
        log.error(.syntax, error.message, line: line(of: error.offset))
        position = error.resume ?? nextLineStartingAt(after: at) ?? scalars.count
      }
    }
    return records
  }

  // MARK: Entries

  /// Reads the entry whose `@` is at `start`; nil for `@string`, `@comment` and `@preamble`.
  private mutating func entry(at start: Int) throws(Malformed) -> CollectionRecord? {
    position = start + 1
    skipWhitespace()
    let type = identifier().lowercased()
    guard !type.isEmpty else {
      throw Malformed(message: "expected an entry type after '@' (such as @article{key, ...})", offset: start)
    }
    skipWhitespace()
    guard position < scalars.count, scalars[position] == "{" || scalars[position] == "(" else {
      if type == "comment" { return nil }
      throw Malformed(message: "expected '{' or '(' after '@\(type)'", offset: position)
    }
    let close: Unicode.Scalar = scalars[position] == "{" ? "}" : ")"
    let open = position
    position += 1
    switch type {
    case "comment", "preamble":
      guard let end = closing(from: open, close: close) else {
        throw Malformed(
          message: "'@\(type)' is never closed: expected a matching '\(close)'", offset: open, resume: nil)
      }
      position = end + 1
      return nil
    case "string":
      try stringDefinition(close: close)
      return nil
    default:
      return try bibliographyEntry(type: type, at: start, close: close)
    }
  }

  /// Reads `name = value` up to `close` and defines the macro.
  private mutating func stringDefinition(close: Unicode.Scalar) throws(Malformed) {
    skipWhitespace()
    let nameOffset = position
    let name = identifier().lowercased()
    guard !name.isEmpty else {
      throw Malformed(message: "expected a macro name in @string", offset: nameOffset)
    }
    skipWhitespace()
    guard position < scalars.count, scalars[position] == "=" else {
      throw Malformed(message: "expected '=' after the @string name '\(name)'", offset: position)
    }
    position += 1
    macros[name] = try value(field: name, close: close)
    skipWhitespace()
    guard position < scalars.count, scalars[position] == close else {
      throw Malformed(message: "expected '\(close)' to end @string{\(name) = ...}", offset: position)
    }
    position += 1
  }

  /// Reads `key, field = value, ...` up to `close`.
  private mutating func bibliographyEntry(
    type: String, at: Int, close: Unicode.Scalar
  ) throws(Malformed) -> CollectionRecord {
    skipWhitespace()
    let keyStart = position
    while position < scalars.count {
      let c = scalars[position]
      if c == "," || c == close || c == "{" || c == "}" || c.properties.isWhitespace { break }
      position += 1
    }
    let key = String(String.UnicodeScalarView(scalars[keyStart..<position]))
    guard !key.isEmpty else {
      throw Malformed(message: "expected a citation key after '@\(type){'", offset: keyStart)
    }
    skipWhitespace()
    var raw: [(name: String, value: String)] = []
    if position < scalars.count, scalars[position] == "," {
      position += 1
      while true {
        skipWhitespace()
        guard position < scalars.count else {
          throw Malformed(message: "entry '\(key)' is never closed: expected '\(close)'", offset: at)
        }
        if scalars[position] == close { break }
        let nameOffset = position
        let name = identifier().lowercased()
        guard !name.isEmpty else {
          throw Malformed(
            message: "expected a field name or '\(close)' in entry '\(key)', found '\(scalars[position])'",
            offset: nameOffset)
        }
        skipWhitespace()
        guard position < scalars.count, scalars[position] == "=" else {
          throw Malformed(
            message: "expected '=' after the field name '\(name)' in entry '\(key)'", offset: position)
        }
        position += 1
        let value = try value(field: name, close: close)
        if !raw.contains(where: { $0.name == name }) { raw.append((name, value)) }
        skipWhitespace()
        guard position < scalars.count else {
          throw Malformed(message: "entry '\(key)' is never closed: expected '\(close)'", offset: at)
        }
        if scalars[position] == "," {
          position += 1
        } else if scalars[position] != close {
          throw Malformed(
            message: "expected ',' or '\(close)' after the value of field '\(name)' in entry '\(key)'",
            offset: position)
        }
      }
    } else if position >= scalars.count || scalars[position] != close {
      throw Malformed(message: "expected ',' after the citation key '\(key)'", offset: position)
    }
    position += 1
    return record(type: type, key: key, line: line(of: at), raw: raw)
  }

  /// The record of an entry's decoded fields.
  private mutating func record(
    type: String, key: String, line: Int, raw: [(name: String, value: String)]
  ) -> CollectionRecord {
    var record = CollectionRecord(id: key, location: log.location(line))
    var date: String?
    for (name, value) in raw {
      let text =
        Self.verbatimFields.contains(name)
        ? CollectionFields.collapsingWhitespace(value) : LaTeXDecoder.decode(value)
      switch name {
      case "title": record.title = text
      case "abstract": record.text = text
      case "keywords": record.keywords = CollectionFields.keywords(in: text, separators: [",", ";"])
      default:
        if name == "year" { record.year = CollectionFields.year(in: text) }
        if name == "date" { date = text }
        record.fields[name] = text
      }
    }
    if record.year == nil, let date { record.year = CollectionFields.year(in: date) }
    record.fields["entrytype"] = type
    if record.title.isEmpty { log.warning("entry '\(key)' (@\(type)) has no title", line: line) }
    return record
  }

  // MARK: Values

  /// Reads a value: parts (`{...}`, `"..."`, a number, a macro name) joined by `#`, as raw LaTeX.
  private mutating func value(field: String, close: Unicode.Scalar) throws(Malformed) -> String {
    var result = ""
    while true {
      skipWhitespace()
      guard position < scalars.count else {
        throw Malformed(
          message: "expected a value for field '\(field)', found the end of the file", offset: position)
      }
      let c = scalars[position]
      if c == "{" || c == "\"" {
        let start = position
        guard let end = delimitedEnd(from: start) else {
          throw Malformed(
            message:
              "the value of field '\(field)' opened here with '\(c)' is never closed: expected a matching '"
              + (c == "{" ? "}" : "\"") + "'",
            offset: start, resume: nextLineStartingAt(after: start))
        }
        result += String(String.UnicodeScalarView(scalars[start + 1..<end]))
        position = end + 1
      } else if isDigit(c) {
        let start = position
        while position < scalars.count && isDigit(scalars[position]) { position += 1 }
        result += String(String.UnicodeScalarView(scalars[start..<position]))
      } else {
        let start = position
        let name = identifier().lowercased()
        guard !name.isEmpty else {
          throw Malformed(
            message: "expected a value for field '\(field)' ({...}, \"...\", a number or a @string name), "
              + "found '\(c)'", offset: start)
        }
        if let macro = macros[name] {
          result += macro
        } else {
          log.warning(
            "undefined @string macro '\(name)' in field '\(field)' (read as empty)", line: line(of: start))
        }
      }
      skipWhitespace()
      guard position < scalars.count, scalars[position] == "#" else { return result }
      position += 1
    }
  }

  /// The offset of the delimiter closing the `{` or `"` at `start`; nil when the file ends first or when a
  /// line starting with `@name{` comes while still inside (a brace left open).
  private func delimitedEnd(from start: Int) -> Int? {
    let quoted = scalars[start] == "\""
    var depth = quoted ? 0 : 1
    var i = start + 1
    while i < scalars.count {
      let c = scalars[i]
      switch c {
      case "\\": i += 1
      case "{": depth += 1
      case "}":
        depth -= 1
        if depth == 0 && !quoted { return i }
        if depth < 0 { return nil }
      case "\"" where quoted && depth == 0: return i
      case "\n" where entryStarts(after: i): return nil
      default: break
      }
      i += 1
    }
    return nil
  }

  /// Whether the line after the line feed at `newline` starts (after blanks) with `@name{` or `@name(`.
  private func entryStarts(after newline: Int) -> Bool {
    var i = newline + 1
    while i < scalars.count && (scalars[i] == " " || scalars[i] == "\t") { i += 1 }
    guard i < scalars.count, scalars[i] == "@" else { return false }
    i += 1
    let nameStart = i
    while i < scalars.count && isLetter(scalars[i]) { i += 1 }
    guard i > nameStart else { return false }
    while i < scalars.count && (scalars[i] == " " || scalars[i] == "\t") { i += 1 }
    return i < scalars.count && (scalars[i] == "{" || scalars[i] == "(")
  }

  /// The offset of the `close` matching the opening delimiter at `open`, counting braces inside.
  private func closing(from open: Int, close: Unicode.Scalar) -> Int? {
    var braces = 0
    var i = open + 1
    while i < scalars.count {
      let c = scalars[i]
      if c == "{" {
        braces += 1
      } else if c == "}" && braces > 0 {
        braces -= 1
      } else if c == close && braces == 0 {
        return i
      }
      i += 1
    }
    return nil
  }

  // MARK: Scanning

  /// A BibTeX name: letters, digits and `_-:.+/!?&*@<>|`; empty when none starts here.
  private mutating func identifier() -> String {
    let start = position
    while position < scalars.count {
      let c = scalars[position]
      if c.properties.isWhitespace { break }
      switch c {
      case "=", ",", "{", "}", "(", ")", "\"", "#", "%", "'", "~", "\\": break
      default:
        position += 1
        continue
      }
      break
    }
    return String(String.UnicodeScalarView(scalars[start..<position]))
  }

  private mutating func skipWhitespace() {
    while position < scalars.count && scalars[position].properties.isWhitespace { position += 1 }
  }

  /// The offset of the next `@` from `start`, passing over lines that start (after blanks) with `%`.
  private func nextAt(from start: Int) -> Int? {
    var i = start
    var lineStart = true
    while i < scalars.count {
      let c = scalars[i]
      if c == "@" { return i }
      if c == "%" && lineStart {
        while i < scalars.count && scalars[i] != "\n" { i += 1 }
        continue
      }
      if c == "\n" {
        lineStart = true
      } else if c != " " && c != "\t" && c != "\r" {
        lineStart = false
      }
      i += 1
    }
    return nil
  }

  /// The offset of the next `@` that starts a line (after blanks), after `offset`.
  private func nextLineStartingAt(after offset: Int) -> Int? {
    var i = offset + 1
    while i < scalars.count {
      if scalars[i] == "\n" {
        var j = i + 1
        while j < scalars.count && (scalars[j] == " " || scalars[j] == "\t") { j += 1 }
        if j < scalars.count && scalars[j] == "@" { return j }
      }
      i += 1
    }
    return nil
  }

  /// The 1-based line of an offset.
  private func line(of offset: Int) -> Int {
    var low = 0
    var high = lineEnds.count
    while low < high {
      let middle = (low + high) / 2
      if lineEnds[middle] < offset { low = middle + 1 } else { high = middle }
    }
    return low + 1
  }

  private func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

  private func isLetter(_ c: Unicode.Scalar) -> Bool {
    (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
  }
}
