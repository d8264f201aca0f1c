/// Iterates the records of a JSON Lines file: one JSON value per non-blank line.
package enum JSONLines {
  /// Calls `body` with each line's value and location; syntax errors name the file and line.
  package static func forEach(
    _ bytes: [UInt8], file: String?, _ body: (JSONValue, SourceLocation) throws(TaxonomyError) -> Void
  ) throws(TaxonomyError) {
    try forEachLine(bytes) { (parsed, lineNumber) throws(TaxonomyError) in
      let location = SourceLocation(file: file, line: lineNumber)
      switch parsed {
      case .success(let value):
        try body(value, location)
      case .failure(let error):
        throw TaxonomyError(.syntax, "invalid JSON: \(error.message) (column \(error.column))", at: location)
      }
      return true
    }
  }

  /// Calls `body` with each non-blank line's parse result and 1-based line number, from byte `start` on,
  /// while it returns true; callers that collect errors instead of stopping at the first use this.
  package static func forEachLine<Failure: Error>(
    _ bytes: [UInt8], from start: Int = 0,
    _ body: (Result<JSONValue, JSONSyntaxError>, Int) throws(Failure) -> Bool
  ) throws(Failure) {
    var lineNumber = 0
    var start = start
    let count = bytes.count
    try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(Failure) in
      while start < count {
        var end = start
        while end < count && buffer[end] != 0x0A { end += 1 }
        lineNumber += 1
        defer { start = end + 1 }
        var blank = true
        for i in start..<end where buffer[i] != 0x20 && buffer[i] != 0x09 && buffer[i] != 0x0D {
          blank = false
          break
        }
        if blank { continue }
        let parsed: Result<JSONValue, JSONSyntaxError>
        do throws(JSONSyntaxError) {
          parsed = .success(
            try JSONParser.parse(UnsafeBufferPointer(rebasing: buffer[start..<end]), firstLine: lineNumber))
        } catch {
          parsed = .failure(error)
        }
        if try !body(parsed, lineNumber) { return }
      }
    }
  }
}

extension JSONValue {
  /// A JSON Lines record's `"id"`: a string, or a number as JSON writes it; nil when it is missing or of
  /// another type.
  package var recordID: String? {
    switch self["id"] {
    case .string(let s)?: s
    case .number(let n)?: JSONWriter.number(n)
    default: nil
    }
  }
}
