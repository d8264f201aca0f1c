#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A strict RFC 8259 JSON parser over UTF-8 bytes, with line numbers in its errors.
///
/// Nesting is limited (default 512) so hostile input cannot exhaust the stack.
package struct JSONParser {
  private let bytes: UnsafeBufferPointer<UInt8>
  private var position = 0
  private var line = 1
  private var lineStart = 0
  private let maximumDepth: Int
  private var depth = 0
  private var recordObjectLines = false
  /// The line where each object starts, in pre-order, when recording was asked for.
  private var objectLines: [Int] = []

  private init(bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, maximumDepth: Int) {
    self.bytes = bytes
    self.line = firstLine
    self.maximumDepth = maximumDepth
  }

  /// Parses one complete JSON text; `firstLine` numbers the first line (for JSONL records).
  package static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1, maximumDepth: Int = 512
  ) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes: bytes, firstLine: firstLine, maximumDepth: maximumDepth)
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    if parser.position < bytes.count { throw parser.error("unexpected text after the JSON value") }
    return value
  }

  /// Parses one JSON text and returns, beside it, the start line of every object in pre-order.
  package static func parseRecordingObjectLines(_ bytes: [UInt8]) throws(JSONSyntaxError) -> (
    JSONValue, [Int]
  ) {
    let result: Result<(JSONValue, [Int]), JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
      var parser = JSONParser(bytes: buffer, firstLine: 1, maximumDepth: 512)
      parser.recordObjectLines = true
      do throws(JSONSyntaxError) {
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < buffer.count { throw parser.error("unexpected text after the JSON value") }
        return .success((value, parser.objectLines))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Parses one complete JSON text held in a byte array.
  package static func parse(_ bytes: [UInt8], firstLine: Int = 1) throws(JSONSyntaxError) -> JSONValue {
    let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
      do throws(JSONSyntaxError) {
        return .success(try parse(buffer, firstLine: firstLine))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Parses one complete JSON text held in a string.
  package static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    try parse(Array(text.utf8))
  }

  private func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(message: message, line: line, column: position - lineStart + 1)
  }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0D: position += 1
      case 0x0A:
        position += 1
        line += 1
        lineStart = position
      default: return
      }
    }
  }

  private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
    guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
    case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
    case UInt8(ascii: "n"): try expectLiteral("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
    default: throw error("unexpected character, expected a JSON value")
    }
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
    let count = literal.utf8CodeUnitCount
    guard position + count <= bytes.count else { throw error("unexpected end of input in a literal") }
    let start = literal.utf8Start
    for i in 0..<count where bytes[position + i] != start[i] {
      throw error("invalid literal, expected '\(literal)'")
    }
    position += count
  }

  private mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > maximumDepth { throw error("nesting deeper than \(maximumDepth) levels") }
  }

  private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    if recordObjectLines { objectLines.append(line) }
    position += 1
    var pairs: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
      position += 1
      depth -= 1
      return .object(pairs)
    }
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw error("expected a string key in an object")
      }
      let key = try parseString()
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
        throw error("expected ':' after an object key")
      }
      position += 1
      skipWhitespace()
      let value = try parseValue()
      pairs.append((key, value))
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of input in an object") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "}") {
        position += 1
        depth -= 1
        return .object(pairs)
      } else {
        throw error("expected ',' or '}' in an object")
      }
    }
  }

  private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    position += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
      position += 1
      depth -= 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of input in an array") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "]") {
        position += 1
        depth -= 1
        return .array(items)
      } else {
        throw error("expected ',' or ']' in an array")
      }
    }
  }

  private mutating func parseString() throws(JSONSyntaxError) -> String {
    position += 1
    let start = position
    // Fast path: no escapes. ASCII-only text is valid UTF-8 as it stands, so it skips the (unspecialised,
    // generic) validating initialiser, which took a third of the time of reading a large JSONL file.
    var ascii = true
    while position < bytes.count {
      let b = bytes[position]
      if b == UInt8(ascii: "\"") {
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard let s = String(validating: slice, as: UTF8.self) else {
          throw error("invalid UTF-8 in a string")
        }
        return s
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw error("control character in a string") }
      if b >= 0x80 { ascii = false }
      position += 1
    }
    var buffer = Array(bytes[start..<position])
    while position < bytes.count {
      let b = bytes[position]
      if b == UInt8(ascii: "\"") {
        position += 1
        guard let s = String(validating: buffer, as: UTF8.self) else {
          throw error("invalid UTF-8 in a string")
        }
        return s
      }
      if b < 0x20 { throw error("control character in a string") }
      if b != UInt8(ascii: "\\") {
        buffer.append(b)
        position += 1
        continue
      }
      position += 1
      guard position < bytes.count else { break }
      let escape = bytes[position]
      position += 1
      switch escape {
      case UInt8(ascii: "\""): buffer.append(0x22)
      case UInt8(ascii: "\\"): buffer.append(0x5C)
      case UInt8(ascii: "/"): buffer.append(0x2F)
      case UInt8(ascii: "b"): buffer.append(0x08)
      case UInt8(ascii: "f"): buffer.append(0x0C)
      case UInt8(ascii: "n"): buffer.append(0x0A)
      case UInt8(ascii: "r"): buffer.append(0x0D)
      case UInt8(ascii: "t"): buffer.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try parseHex4()
        if (0xD800..<0xDC00).contains(scalar) {
          guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
            bytes[position + 1] == UInt8(ascii: "u")
          else { throw error("unpaired surrogate in a \\u escape") }
          position += 2
          let low = try parseHex4()
          guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
          throw error("unpaired surrogate in a \\u escape")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
        buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
      default: throw error("invalid escape in a string")
      }
    }
    throw error("unterminated string")
  }

  private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[position]
      let digit: UInt32
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
      default: throw error("invalid hex digit in a \\u escape")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
    let start = position
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else {
      throw error("invalid number")
    }
    var isInteger = true
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
    } else {
      while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
        position += 1
      }
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      isInteger = false
      position += 1
      let digits = position
      while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
        position += 1
      }
      if position == digits { throw error("invalid number: digits expected after '.'") }
    }
    if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
      isInteger = false
      position += 1
      if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
      {
        position += 1
      }
      let digits = position
      while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
        position += 1
      }
      if position == digits { throw error("invalid number: digits expected in the exponent") }
    }
    let length = position - start
    if isInteger && length <= 15 {
      var value: Int64 = 0
      var i = start
      let negative = bytes[i] == UInt8(ascii: "-")
      if negative { i += 1 }
      while i < position {
        value = value * 10 + Int64(bytes[i] - UInt8(ascii: "0"))
        i += 1
      }
      return Double(negative ? -value : value)
    }
    var text = [CChar](repeating: 0, count: length + 1)
    for i in 0..<length { text[i] = CChar(bitPattern: bytes[start + i]) }
    return strtod(text, nil)
  }
}
