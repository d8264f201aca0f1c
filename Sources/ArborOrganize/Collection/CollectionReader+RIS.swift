import ArborTree

extension CollectionReader {
  /// Reads RIS: records from `TY  - ` to `ER  - `, one `TAG  - value` per line.
  ///
  /// Title: `TI`, else `T1`, else `CT`; text: `AB`, else `N2`; keywords: every `KW` (a `;` inside one
  /// splits it); year: `PY`, else `Y1`, else `DA`; id: `ID`, else `DO`, else `record-N` (N counting records
  /// from 1). Other tags go to `fields` under their tag (repeated tags joined with `; `), the type under
  /// `TY`.
  /// A line without a tag continues the previous tag's value.
  static func readRIS(_ text: String, log: inout CollectionLog) -> [CollectionRecord] {
    var records: [CollectionRecord] = []
    var current: [(tag: String, value: String)] = []
    var recordLine: Int?
    var recordCount = 0
    var lineNumber = 0
    for rawLine in text.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    {
      lineNumber += 1
      if log.isFull { break }
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      guard let (tag, value) = risTag(line) else {
        if line.allSatisfy(\.isWhitespace) { continue }
        if recordLine != nil, !current.isEmpty {
          let previous = current[current.count - 1]
          current[current.count - 1].value = previous.value + " " + CollectionFields.trimmed(String(line))
        } else {
          log.error(
            .syntax, "expected a 'TY  - ' line to start a record, found text outside a record",
            line: lineNumber)
        }
        continue
      }
      switch tag {
      case "TY":
        if let start = recordLine {
          log.error(
            .syntax,
            "a new record starts before the record from line \(start) ended: expected 'ER  - ' first",
            line: lineNumber)
        }
        recordLine = lineNumber
        current = [(tag, value)]
      case "ER":
        guard let start = recordLine else {
          log.error(.syntax, "'ER  - ' without a record: expected 'TY  - ' first", line: lineNumber)
          continue
        }
        recordCount += 1
        records.append(risRecord(current, number: recordCount, line: start, log: &log))
        recordLine = nil
        current = []
      default:
        if recordLine == nil {
          log.error(
            .syntax, "tag '\(tag)' outside a record: expected 'TY  - ' to start one", line: lineNumber)
        } else {
          current.append((tag, value))
        }
      }
    }
    if let start = recordLine {
      log.error(.syntax, "the record starting here never ends: expected an 'ER  - ' line", line: start)
    }
    return records
  }

  /// The tag and value of a `TAG  - value` line (two capitals or a capital and a digit, spaces, a hyphen).
  private static func risTag(_ line: Substring) -> (String, String)? {
    let scalars = Array(line.unicodeScalars.prefix(8))
    guard scalars.count >= 3 else { return nil }
    func isUpper(_ s: Unicode.Scalar) -> Bool { s.value >= 0x41 && s.value <= 0x5A }
    func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
    guard isUpper(scalars[0]), isUpper(scalars[1]) || isDigit(scalars[1]) else { return nil }
    var i = 2
    while i < scalars.count && scalars[i] == " " { i += 1 }
    guard i > 2, i < scalars.count, scalars[i] == "-" else { return nil }
    i += 1
    guard i == scalars.count || scalars[i] == " " || line.unicodeScalars.count == i else { return nil }
    let tag = String(String.UnicodeScalarView(scalars[0..<2]))
    let rest = line.unicodeScalars.dropFirst(i)
    return (tag, CollectionFields.trimmed(String(String.UnicodeScalarView(rest))))
  }

  /// The record made of one RIS record's tags.
  private static func risRecord(
    _ tags: [(tag: String, value: String)], number: Int, line: Int, log: inout CollectionLog
  ) -> CollectionRecord {
    var values: [String: [String]] = [:]
    for (tag, value) in tags where !value.isEmpty { values[tag, default: []].append(value) }
    func first(_ candidates: String...) -> String? {
      for tag in candidates { if let value = values[tag]?.first { return value } }
      return nil
    }
    let id = first("ID", "DO") ?? "record-\(number)"
    var record = CollectionRecord(id: id, location: log.location(line))
    record.title = first("TI", "T1", "CT") ?? ""
    record.text = first("AB", "N2") ?? ""
    record.keywords = (values["KW"] ?? []).flatMap { CollectionFields.keywords(in: $0) }
    for tag in ["PY", "Y1", "DA"] {
      if let date = values[tag]?.first, let year = CollectionFields.year(in: date) {
        record.year = year
        break
      }
    }
    if record.title.isEmpty && !(record.text.isEmpty) {
      log.warning("record '\(id)' has no title (TI or T1)", line: line)
    }
    let used: Set<String> = ["KW"]
    for (tag, list) in values where !used.contains(tag) { record.fields[tag] = list.joined(separator: "; ") }
    return record
  }
}
