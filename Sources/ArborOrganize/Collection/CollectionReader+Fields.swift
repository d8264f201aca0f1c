import ArborTree

/// Field conversions shared by the collection readers.
enum CollectionFields {
  /// The year in a date-like text: its first run of digits when that run has one to four digits
  /// (`2019`, `2019-05-03`, `2019///`, `c. 850`); nil otherwise.
  static func year(in text: String) -> Int? {
    var digits = 0
    var value = 0
    var started = false
    for scalar in text.unicodeScalars {
      if let digit = asciiDigit(scalar) {
        started = true
        digits += 1
        if digits > 4 { return nil }
        value = value * 10 + digit
      } else if started {
        break
      }
    }
    return started ? value : nil
  }

  /// The value of an ASCII digit.
  private static func asciiDigit(_ scalar: Unicode.Scalar) -> Int? {
    scalar.value >= 0x30 && scalar.value <= 0x39 ? Int(scalar.value - 0x30) : nil
  }

  /// Keywords from a text separated by any of `separators`, trimmed, empties dropped.
  static func keywords(in text: String, separators: Set<Character> = [";"]) -> [String] {
    text.split(whereSeparator: { separators.contains($0) }).compactMap { part in
      let keyword = collapsingWhitespace(part)
      return keyword.isEmpty ? nil : keyword
    }
  }

  /// The text with runs of whitespace (spaces, tabs, line ends) turned into one space and both ends trimmed.
  static func collapsingWhitespace(_ text: some StringProtocol) -> String {
    var out = String.UnicodeScalarView()
    var pendingSpace = false
    for scalar in text.unicodeScalars {
      if scalar.properties.isWhitespace {
        pendingSpace = !out.isEmpty
      } else {
        if pendingSpace { out.append(" ") }
        pendingSpace = false
        out.append(scalar)
      }
    }
    return String(out)
  }

  /// A JSON value as field text: strings as they are, numbers in shortest form, arrays of scalars joined
  /// with `; `, objects and nested arrays as compact JSON; nil for `null`.
  static func text(of value: JSONValue) -> String? {
    switch value {
    case .null: return nil
    case .bool(let flag): return flag ? "true" : "false"
    case .number(let number): return JSONWriter.number(number)
    case .string(let string): return string
    case .array(let items):
      if items.allSatisfy(\.isScalar) { return items.compactMap(text(of:)).joined(separator: "; ") }
      return compactJSON(value)
    case .object: return compactJSON(value)
    }
  }

  /// Compact JSON text for a value, keys in source order.
  static func compactJSON(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let flag): return flag ? "true" : "false"
    case .number(let number): return JSONWriter.number(number)
    case .string(let string): return JSONWriter.quoted(string)
    case .array(let items): return "[" + items.map(compactJSON).joined(separator: ",") + "]"
    case .object(let pairs):
      return "{"
        + pairs.map { JSONWriter.quoted($0.key) + ":" + compactJSON($0.value) }.joined(separator: ",")
        + "}"
    }
  }

  /// An id from a JSON string or integral number; nil for anything else.
  static func identifier(_ value: JSONValue) -> String? {
    switch value {
    case .string(let string): return string.isEmpty ? nil : string
    case .number(let number) where number == number.rounded() && abs(number) < 1e15:
      return String(Int64(number))
    default: return nil
    }
  }
}

extension JSONValue {
  /// Whether the value is neither an array nor an object.
  var isScalar: Bool {
    switch self {
    case .array, .object: return false
    default: return true
    }
  }
}
