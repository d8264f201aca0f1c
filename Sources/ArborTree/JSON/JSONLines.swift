/// Iterates the records of a JSON Lines file: one JSON value per non-blank line.
package enum JSONLines {
  /// Calls `body` with each line's value and location; syntax errors name the file and line.
  package static func forEach(
    _ bytes: [UInt8], file: String?, _ body: (JSONValue, SourceLocation) throws(TaxonomyError) -> Void
  ) throws(TaxonomyError) {
    var lineNumber = 0
    var start = 0
    let count = bytes.count
    try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(TaxonomyError) in
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
        let location = SourceLocation(file: file, line: lineNumber)
        let value: JSONValue
        do throws(JSONSyntaxError) {
          value = try JSONParser.parse(
            UnsafeBufferPointer(rebasing: buffer[start..<end]), firstLine: lineNumber)
        } catch {
          throw TaxonomyError(
            .syntax, "invalid JSON: \(error.message) (column \(error.column))", at: location)
        }
        try body(value, location)
      }
    }
  }
}
