import ArborTree

extension CollectionReader {
  /// Reads JSON Lines: one object per non-blank line (see `Schemas/collection.schema.json`).
  static func readJSONLines(_ bytes: [UInt8], log: inout CollectionLog) -> [CollectionRecord] {
    var records: [CollectionRecord] = []
    if log.isFull { return records }
    JSONLines.forEachLine(bytes, from: hasByteOrderMark(bytes) ? 3 : 0) { parsed, lineNumber in
      switch parsed {
      case .success(let value):
        if let record = jsonRecord(value, line: lineNumber, log: &log) { records.append(record) }
      case .failure(let error):
        log.error(.syntax, "invalid JSON: \(error.message) (column \(error.column))", line: lineNumber)
      }
      return !log.isFull
    }
    return records
  }

  /// One JSONL record, or nil after logging what is wrong with it.
  private static func jsonRecord(_ value: JSONValue, line: Int, log: inout CollectionLog) -> CollectionRecord?
  {
    guard case .object(let pairs) = value else {
      log.error(.schema, "expected a JSON object per line, found \(value.typeName)", line: line)
      return nil
    }
    var record = CollectionRecord(id: "", location: log.location(line))
    var hasID = false
    var abstract = ""
    var body = ""
    var ok = true
    func fail(_ message: String) {
      log.error(.schema, message, line: line)
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
      case "title", "abstract", "text":
        let string: String
        switch field {
        case .null: string = ""
        case .string(let value): string = CollectionFields.trimmed(value)
        default:
          fail("expected \"\(key)\" to be a string, found \(field.typeName)")
          continue
        }
        if key == "title" {
          record.title = string
        } else if key == "abstract" {
          abstract = string
        } else {
          body = string
        }
      case "keywords":
        switch field {
        case .null: break
        case .string(let value): record.keywords = CollectionFields.keywords(in: value)
        case .array(let items):
          var keywords: [String] = []
          for item in items {
            guard let keyword = item.stringValue else {
              fail("expected \"keywords\" to hold strings, found \(item.typeName)")
              break
            }
            let trimmed = CollectionFields.trimmed(keyword)
            if !trimmed.isEmpty { keywords.append(trimmed) }
          }
          record.keywords = keywords
        default:
          fail(
            "expected \"keywords\" to be an array of strings or a ';'-separated string, "
              + "found \(field.typeName)"
          )
        }
      case "year":
        switch field {
        case .null: break
        case .number(let number) where number == number.rounded() && abs(number) < 100_000:
          record.year = Int(number)
        case .string(let value) where CollectionFields.year(in: value) != nil:
          record.year = CollectionFields.year(in: value)
        case .string(let value) where CollectionFields.trimmed(value).isEmpty: break
        default:
          fail(
            "expected \"year\" to be an integer or a date text starting with the year, "
              + "found \(field.typeName)"
          )
        }
      default:
        if let text = CollectionFields.text(of: field) { record.fields[key] = text }
      }
    }
    if !hasID && ok { fail("missing \"id\": every record needs a string or integer id") }
    guard ok else { return nil }
    if !abstract.isEmpty {
      record.text = abstract
      if !body.isEmpty { record.fields["text"] = body }
    } else {
      record.text = body
    }
    return record
  }
}

extension CollectionFields {
  /// The text without leading or trailing whitespace.
  static func trimmed(_ text: String) -> String {
    // Fast path: text that starts and ends with a visible ASCII character has nothing to trim.
    if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first),
      (0x21...0x7E).contains(last)
    {
      return text
    }
    guard let first = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
    guard let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
    if first == text.startIndex && text.index(after: last) == text.endIndex { return text }
    return String(text[first...last])
  }
}
