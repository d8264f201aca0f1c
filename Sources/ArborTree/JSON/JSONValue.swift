/// A parsed JSON value that keeps object keys in source order.
package enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// The value for a key of an object; `nil` for other values or a missing key.
  package subscript(key: String) -> JSONValue? {
    guard case .object(let pairs) = self else { return nil }
    return pairs.first { $0.key == key }?.value
  }

  package var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  package var numberValue: Double? {
    if case .number(let n) = self { return n }
    return nil
  }

  /// The number when it is a whole number that fits an `Int` (never a trap on 1e300, NaN or 2.5).
  package var integerValue: Int? { wholeNumber(as: Int.self) }

  /// The number when it is a whole number that fits `Whole` (never a trap on 1e300, NaN or 2.5).
  package func wholeNumber<Whole: BinaryInteger>(as _: Whole.Type) -> Whole? {
    numberValue.flatMap { Whole(exactly: $0) }
  }

  package var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  package var objectValue: [(key: String, value: JSONValue)]? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// A short name of the value's type for error messages.
  package var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}

/// A JSON syntax error with the 1-based line and column where it was found.
package struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
  package var message: String
  package var line: Int
  package var column: Int
  package var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
  /// How many objects this value holds, itself included, counted in pre-order.
  package var objectCount: Int {
    switch self {
    case .object(let pairs): return 1 + pairs.reduce(0) { $0 + $1.value.objectCount }
    case .array(let items): return items.reduce(0) { $0 + $1.objectCount }
    default: return 0
    }
  }
}
