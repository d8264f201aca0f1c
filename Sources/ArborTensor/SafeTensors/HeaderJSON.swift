/// A JSON value as found in a safetensors header; numbers keep their literal text so that
/// callers can decide how to interpret them (integers are checked for overflow there).
indirect enum HeaderJSON {
  case object([HeaderJSONMember])
  case array([HeaderJSON])
  case string(String)
  case number(String)
  case bool(Bool)
  case null

  /// A short name of the kind of value, for error messages.
  var kindName: String {
    switch self {
    case .object: "an object"
    case .array: "an array"
    case .string: "a string"
    case .number: "a number"
    case .bool: "a boolean"
    case .null: "null"
    }
  }
}

/// One key and value of a JSON object, in file order.
struct HeaderJSONMember {
  let key: String
  let value: HeaderJSON
}

/// A failure to parse the header, with the byte offset inside the header where it happened.
struct HeaderJSONError: Error {
  let offset: Int
  let message: String
}

/// A small strict JSON parser (RFC 8259) for safetensors headers. It rejects duplicate keys,
/// trailing garbage, control characters in strings and nesting deeper than `maximumDepth`,
/// so a hostile header cannot exhaust the stack.
struct HeaderJSONParser {
  private let bytes: UnsafeRawBufferPointer
  private var position = 0
  private let maximumDepth = 64

  /// Parses one JSON value that must fill `bytes` (surrounding whitespace allowed).
  static func parse(_ bytes: UnsafeRawBufferPointer) throws(HeaderJSONError) -> HeaderJSON {
    var parser = HeaderJSONParser(bytes: bytes)
    parser.skipWhitespace()
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    if parser.position != bytes.count {
      throw parser.error("unexpected data after the end of the JSON value")
    }
    return value
  }

  /// Parses one JSON value that must fill `bytes`.
  static func parse(_ bytes: [UInt8]) throws(HeaderJSONError) -> HeaderJSON {
    let result = bytes.withUnsafeBytes { buffer in
      Result { () throws(HeaderJSONError) -> HeaderJSON in try parse(buffer) }
    }
    return try result.get()
  }

  private init(bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  private func error(_ message: String) -> HeaderJSONError {
    HeaderJSONError(offset: position, message: message)
  }

  private var current: UInt8? {
    position < bytes.count ? bytes[position] : nil
  }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  private mutating func expect(_ byte: UInt8, _ what: String) throws(HeaderJSONError) {
    guard current == byte else { throw error("expected \(what)") }
    position += 1
  }

  private mutating func parseValue(depth: Int) throws(HeaderJSONError) -> HeaderJSON {
    guard depth < maximumDepth else { throw error("JSON nested deeper than \(maximumDepth) levels") }
    guard let byte = current else { throw error("unexpected end of the header, expected a value") }
    switch byte {
    case UInt8(ascii: "{"): return try parseObject(depth: depth)
    case UInt8(ascii: "["): return try parseArray(depth: depth)
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
    case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
    case UInt8(ascii: "n"): try parseLiteral("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
    default: throw error("unexpected character '\(Self.describe(byte))', expected a value")
    }
  }

  private mutating func parseLiteral(_ word: StaticString) throws(HeaderJSONError) {
    let count = word.utf8CodeUnitCount
    guard position + count <= bytes.count else { throw error("invalid literal, expected '\(word)'") }
    for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
      throw error("invalid literal, expected '\(word)'")
    }
    position += count
  }

  private mutating func parseObject(depth: Int) throws(HeaderJSONError) -> HeaderJSON {
    position += 1  // {
    var members: [HeaderJSONMember] = []
    var seen = Set<String>()
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
      let keyOffset = position
      let key = try parseString()
      guard seen.insert(key).inserted else {
        throw HeaderJSONError(offset: keyOffset, message: "duplicate key '\(key)'")
      }
      skipWhitespace()
      try expect(UInt8(ascii: ":"), "':' after an object key")
      skipWhitespace()
      members.append(HeaderJSONMember(key: key, value: try parseValue(depth: depth + 1)))
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        position += 1
        continue
      }
      try expect(UInt8(ascii: "}"), "',' or '}' in an object")
      return .object(members)
    }
  }

  private mutating func parseArray(depth: Int) throws(HeaderJSONError) -> HeaderJSON {
    position += 1  // [
    var elements: [HeaderJSON] = []
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue(depth: depth + 1))
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        position += 1
        continue
      }
      try expect(UInt8(ascii: "]"), "',' or ']' in an array")
      return .array(elements)
    }
  }

  private mutating func parseNumber() throws(HeaderJSONError) -> String {
    let start = position
    if current == UInt8(ascii: "-") { position += 1 }
    guard let first = current, Self.isDigit(first) else { throw error("invalid number") }
    if first == UInt8(ascii: "0") {
      position += 1
    } else {
      while let byte = current, Self.isDigit(byte) { position += 1 }
    }
    if current == UInt8(ascii: ".") {
      position += 1
      guard let byte = current, Self.isDigit(byte) else {
        throw error("invalid number: digit expected after '.'")
      }
      while let byte = current, Self.isDigit(byte) { position += 1 }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      position += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
      guard let byte = current, Self.isDigit(byte) else {
        throw error("invalid number: exponent digits expected")
      }
      while let byte = current, Self.isDigit(byte) { position += 1 }
    }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
  }

  private mutating func parseString() throws(HeaderJSONError) -> String {
    position += 1  // opening quote
    var utf8: [UInt8] = []
    while true {
      guard let byte = current else { throw error("unterminated string") }
      position += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: utf8, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let escaped = current else { throw error("unterminated escape in a string") }
        position += 1
        switch escaped {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(to: &utf8)
        default: throw error("invalid escape '\\\(Self.describe(escaped))' in a string")
        }
      case 0..<0x20:
        throw error("unescaped control character in a string")
      default:
        utf8.append(byte)
      }
    }
  }

  private mutating func parseHex4() throws(HeaderJSONError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[position]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw error("invalid hexadecimal digit in a \\u escape")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  private mutating func appendUnicodeEscape(to utf8: inout [UInt8]) throws(HeaderJSONError) {
    var scalarValue = try parseHex4()
    if (0xD800...0xDBFF).contains(scalarValue) {
      guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
        bytes[position + 1] == UInt8(ascii: "u")
      else { throw error("unpaired surrogate in a \\u escape") }
      position += 2
      let low = try parseHex4()
      guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
      scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
    }
    guard let scalar = Unicode.Scalar(scalarValue) else { throw error("unpaired surrogate in a \\u escape") }
    utf8.append(contentsOf: String(Character(scalar)).utf8)
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private static func describe(_ byte: UInt8) -> String {
    byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
  }
}
