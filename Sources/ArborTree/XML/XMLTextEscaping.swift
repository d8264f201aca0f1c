/// Writing strings into XML 1.0 text and attribute values, and Arbor XML's backslash escapes.
enum XMLTextEscaping {
  /// Whether XML 1.0 can carry the scalar at all (production `Char`, XML 1.0 § 2.2).
  static func isXMLCharacter(_ value: UInt32) -> Bool {
    switch value {
    case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
    default: return false
    }
  }

  /// Whether the string holds a scalar that XML 1.0 cannot carry, even as a character reference.
  static func containsNonXMLCharacter(_ string: String) -> Bool {
    var utf8 = string.utf8.makeIterator()
    var previous: (UInt8, UInt8) = (0, 0)
    while let byte = utf8.next() {
      if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return true }
      // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
      if (byte == 0xBE || byte == 0xBF) && previous == (0xEF, 0xBF) { return true }
      previous = (previous.1, byte)
    }
    return false
  }

  /// Doubles every backslash and writes each non-XML scalar as `\uXXXX`.
  static func backslashEscaped(_ string: String) -> String {
    var out = ""
    out.reserveCapacity(string.utf8.count + 8)
    for scalar in string.unicodeScalars {
      if scalar == "\\" {
        out += "\\\\"
      } else if isXMLCharacter(scalar.value) {
        out.unicodeScalars.append(scalar)
      } else {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
      }
    }
    return out
  }

  /// Reverses ``backslashEscaped(_:)``, or returns `nil` for a malformed escape.
  static func backslashUnescaped(_ string: String) -> String? {
    guard string.utf8.contains(UInt8(ascii: "\\")) else { return string }
    var out = String.UnicodeScalarView()
    var scalars = string.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
      guard scalar == "\\" else {
        out.append(scalar)
        continue
      }
      switch scalars.next() {
      case "\\": out.append("\\")
      case "u":
        var value: UInt32 = 0
        for _ in 0..<4 {
          guard let digit = scalars.next(), let nibble = hexValue(digit) else { return nil }
          value = value << 4 | nibble
        }
        guard let decoded = Unicode.Scalar(value) else { return nil }
        out.append(decoded)
      default: return nil
      }
    }
    return String(out)
  }

  private static func hexValue(_ digit: Unicode.Scalar) -> UInt32? {
    switch digit.value {
    case 0x30...0x39: return digit.value - 0x30
    case 0x41...0x46: return digit.value - 0x41 + 10
    case 0x61...0x66: return digit.value - 0x61 + 10
    default: return nil
    }
  }

  /// Appends element content: `&`, `<` and `>` as entities, a carriage return as `&#13;`.
  static func appendText(_ string: String, to out: inout [UInt8]) {
    append(string, to: &out, attribute: false)
  }

  /// Appends a double-quoted attribute value's content, also escaping `"`, tab and line ends.
  static func appendAttribute(_ string: String, to out: inout [UInt8]) {
    append(string, to: &out, attribute: true)
  }

  private static func append(_ string: String, to out: inout [UInt8], attribute: Bool) {
    var string = string
    string.withUTF8 { bytes in
      var runStart = 0
      for i in 0..<bytes.count {
        let replacement: StaticString
        switch bytes[i] {
        case UInt8(ascii: "&"): replacement = "&amp;"
        case UInt8(ascii: "<"): replacement = "&lt;"
        case UInt8(ascii: ">"): replacement = "&gt;"
        case 0x0D: replacement = "&#13;"
        case UInt8(ascii: "\"") where attribute: replacement = "&quot;"
        case 0x09 where attribute: replacement = "&#9;"
        case 0x0A where attribute: replacement = "&#10;"
        default: continue
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
        out.append(
          contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
        runStart = i + 1
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }
  }

  /// Appends ASCII markup.
  static func appendMarkup(_ markup: StaticString, to out: inout [UInt8]) {
    out.append(contentsOf: UnsafeBufferPointer(start: markup.utf8Start, count: markup.utf8CodeUnitCount))
  }
}
