import ArborTree

extension CollectionReader {
  /// Reads CSL-JSON (Zotero's export): an array of items with `id`, `title`, `abstract`, `keyword`,
  /// `issued` and any other fields. Names (`author`, `editor`, ...) become `Family, Given; ...`.
  static func readCSLJSON(_ bytes: [UInt8], log: inout CollectionLog) -> [CollectionRecord] {
    let body = hasByteOrderMark(bytes) ? Array(bytes[3...]) : bytes
    let value: JSONValue
    let objectLines: [Int]
    do throws(JSONSyntaxError) {
      (value, objectLines) = try JSONParser.parseRecordingObjectLines(body)
    } catch {
      log.error(.syntax, "invalid JSON: \(error.message) (column \(error.column))", line: error.line)
      return []
    }
    guard case .array(let items) = value else {
      log.error(.schema, "expected a JSON array of CSL items, found \(value.typeName)", line: 1)
      return []
    }
    var records: [CollectionRecord] = []
    records.reserveCapacity(items.count)
    var objectIndex = 0
    for (number, item) in items.enumerated() {
      if log.isFull { break }
      guard case .object(let pairs) = item else {
        objectIndex += item.objectCount
        log.error(
          .schema, "item \(number + 1): expected a CSL item object, found \(item.typeName)", line: nil)
        continue
      }
      let line = objectIndex < objectLines.count ? objectLines[objectIndex] : nil
      objectIndex += item.objectCount
      if let record = cslRecord(pairs, number: number + 1, line: line, log: &log) { records.append(record) }
    }
    return records
  }

  /// One CSL item, or nil after logging what is wrong with it.
  private static func cslRecord(
    _ pairs: [(key: String, value: JSONValue)], number: Int, line: Int?, log: inout CollectionLog
  ) -> CollectionRecord? {
    var record = CollectionRecord(id: "", location: line.map(log.location))
    var hasID = false
    var ok = true
    func fail(_ message: String) {
      log.error(.schema, "item \(number): " + message, line: line)
      ok = false
    }
    for (key, field) in pairs {
      switch key {
      case "id":
        if let id = CollectionFields.identifier(field) {
          record.id = id
          hasID = true
        } else {
          fail("expected \"id\" to be a non-empty string or an integer, found \(field.typeName)")
        }
      case "title", "abstract":
        guard let string = field.stringValue else {
          if field != .null { fail("expected \"\(key)\" to be a string, found \(field.typeName)") }
          continue
        }
        if key == "title" {
          record.title = CollectionFields.trimmed(string)
        } else {
          record.text = CollectionFields.trimmed(string)
        }
      case "keyword", "keywords":
        switch field {
        case .null: break
        case .string(let value):
          record.keywords = CollectionFields.keywords(in: value, separators: [";", ","])
        case .array(let values):
          record.keywords = values.compactMap(\.stringValue).map(CollectionFields.trimmed)
        default: fail("expected \"\(key)\" to be a string, found \(field.typeName)")
        }
      case "issued":
        record.year = cslYear(field)
        if record.year == nil, field != .null {
          log.warning(
            "item \(number): no year in \"issued\" (expected \"date-parts\" starting with a year, or a date "
              + "text in \"raw\", \"literal\" or \"edtf\"); read without a year", line: line)
        }
      default:
        if case .array(let names) = field, !names.isEmpty, names.allSatisfy(isCSLName) {
          record.fields[key] = names.map(cslName).joined(separator: "; ")
        } else if let text = CollectionFields.text(of: field) {
          record.fields[key] = text
        }
      }
    }
    if !hasID && ok { fail("missing \"id\": every item needs a string or integer id") }
    return ok ? record : nil
  }

  /// The year of a CSL date: `date-parts[0][0]`, else the year in `raw`, `literal` or `edtf`, else in a plain
  /// (EDTF) string.
  private static func cslYear(_ date: JSONValue) -> Int? {
    if let text = date.stringValue { return CollectionFields.year(in: text) }
    if let parts = date["date-parts"]?.arrayValue, let first = parts.first?.arrayValue?.first {
      if let number = first.numberValue, number == number.rounded(), abs(number) < 100_000 {
        return Int(number)
      }
      if let text = first.stringValue { return CollectionFields.year(in: text) }
    }
    for key in ["raw", "literal", "edtf"] {
      if let text = date[key]?.stringValue, let year = CollectionFields.year(in: text) { return year }
    }
    return nil
  }

  /// Whether a value looks like a CSL name object.
  private static func isCSLName(_ value: JSONValue) -> Bool {
    value["family"] != nil || value["literal"] != nil || value["given"] != nil
  }

  /// `particle Family, Given particle, suffix` (or the literal name).
  private static func cslName(_ value: JSONValue) -> String {
    if let literal = value["literal"]?.stringValue { return literal }
    func part(_ key: String) -> String { value[key]?.stringValue ?? "" }
    let family = [part("non-dropping-particle"), part("family")].filter { !$0.isEmpty }.joined(separator: " ")
    var given = [part("given"), part("dropping-particle")].filter { !$0.isEmpty }.joined(separator: " ")
    if !part("suffix").isEmpty { given += (given.isEmpty ? "" : ", ") + part("suffix") }
    if family.isEmpty { return given }
    return given.isEmpty ? family : family + ", " + given
  }
}
