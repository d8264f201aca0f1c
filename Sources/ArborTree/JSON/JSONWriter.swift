/// Appends JSON text to a string with a fixed key order and formatting, so output is byte-stable.
package struct JSONWriter {
  package private(set) var text = ""

  package init() {}

  package mutating func raw(_ s: String) { text += s }

  /// Appends a JSON string literal with the minimal escapes RFC 8259 requires.
  package mutating func string(_ s: String) {
    text += Self.quoted(s)
  }

  /// A JSON string literal for `s`.
  package static func quoted(_ s: String) -> String {
    var out = "\""
    out.reserveCapacity(s.utf8.count + 2)
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
    return out
  }

  /// A JSON number for a double: integers without a fraction, others in shortest round-trip form.
  package static func number(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }
}
