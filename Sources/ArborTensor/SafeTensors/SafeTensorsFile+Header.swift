extension SafeTensorsFile {
  /// Bytes per element of every dtype the safetensors format defines with whole-byte elements.
  static let dtypeSizes: [String: Int] = [
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
    "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4,
    "I64": 8, "U64": 8, "F64": 8, "C64": 8,
  ]

  /// A header entry after validation, before it is sorted into supported and unsupported.
  struct ParsedEntry {
    let dtype: String
    let shape: [Int]
    let range: Range<Int>
  }

  /// Validates one tensor's header entry against the format and the data buffer's size.
  static func parseEntry(
    name: String, value: HeaderJSON, bufferSize: Int, fail: (String) -> SafeTensorsError
  ) throws(SafeTensorsError) -> ParsedEntry {
    guard case .object(let fields) = value else {
      throw fail(
        "tensor '\(name)': expected an object with dtype, shape and data_offsets, found \(value.kindName)")
    }
    var dtypeValue: HeaderJSON?
    var shapeValue: HeaderJSON?
    var offsetsValue: HeaderJSON?
    for member in fields {
      let (key, field) = (member.key, member.value)
      switch key {
      case "dtype": dtypeValue = field
      case "shape": shapeValue = field
      case "data_offsets": offsetsValue = field
      default: throw fail("tensor '\(name)': unexpected field '\(key)'")
      }
    }
    guard let dtypeValue else { throw fail("tensor '\(name)': missing field 'dtype'") }
    guard let shapeValue else { throw fail("tensor '\(name)': missing field 'shape'") }
    guard let offsetsValue else { throw fail("tensor '\(name)': missing field 'data_offsets'") }

    guard case .string(let dtype) = dtypeValue else {
      throw fail("tensor '\(name)': 'dtype' must be a string, found \(dtypeValue.kindName)")
    }
    guard let elementSize = dtypeSizes[dtype] else {
      throw fail(
        "tensor '\(name)': unknown or unsupported dtype '\(dtype)' (known: "
          + dtypeSizes.keys.sorted().joined(separator: ", ") + ")")
    }

    guard case .array(let dimensions) = shapeValue else {
      throw fail("tensor '\(name)': 'shape' must be an array of integers, found \(shapeValue.kindName)")
    }
    var shape: [Int] = []
    shape.reserveCapacity(dimensions.count)
    // Every partial product must fit, even when a later dimension is 0, so that shape products
    // computed anywhere else (e.g. `Tensor.elementCount`) cannot overflow.
    var elementCount = 1
    for (axis, dimension) in dimensions.enumerated() {
      guard let size = nonNegativeInteger(dimension) else {
        throw fail("tensor '\(name)': shape[\(axis)] must be a non-negative integer that fits in 64 bits")
      }
      let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
      guard !overflow else {
        throw fail("tensor '\(name)': shape \(describe(dimensions)) overflows the element count")
      }
      elementCount = product
      shape.append(size)
    }
    let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: elementSize)
    guard !overflow else {
      throw fail("tensor '\(name)': shape \(shape) times \(elementSize) bytes overflows")
    }

    guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
      throw fail("tensor '\(name)': 'data_offsets' must be an array of two integers [begin, end]")
    }
    guard let begin = nonNegativeInteger(offsets[0]), let end = nonNegativeInteger(offsets[1]) else {
      throw fail("tensor '\(name)': 'data_offsets' must hold non-negative integers that fit in 64 bits")
    }
    guard begin <= end else {
      throw fail("tensor '\(name)': data_offsets end \(end) is before begin \(begin)")
    }
    guard end <= bufferSize else {
      throw fail(
        "tensor '\(name)': data_offsets end \(end) is past the end of the data buffer (\(bufferSize) bytes)")
    }
    guard end - begin == byteCount else {
      throw fail(
        "tensor '\(name)': shape \(shape) of \(dtype) needs \(byteCount) bytes but data_offsets "
          + "[\(begin), \(end)] span \(end - begin)")
    }
    return ParsedEntry(dtype: dtype, shape: shape, range: begin..<end)
  }

  /// Reads the `__metadata__` map, which must hold only strings.
  static func parseMetadata(
    _ value: HeaderJSON, fail: (String) -> SafeTensorsError
  ) throws(SafeTensorsError) -> [String: String] {
    guard case .object(let members) = value else {
      throw fail("'__metadata__' must be an object of strings, found \(value.kindName)")
    }
    var metadata: [String: String] = [:]
    for entry in members {
      let (key, member) = (entry.key, entry.value)
      guard case .string(let text) = member else {
        throw fail("'__metadata__' value for '\(key)' must be a string, found \(member.kindName)")
      }
      metadata[key] = text
    }
    return metadata
  }

  /// The value as an `Int` if it is a JSON integer literal in 0...Int.max.
  static func nonNegativeInteger(_ value: HeaderJSON) -> Int? {
    guard case .number(let text) = value, let integer = Int(text), integer >= 0 else { return nil }
    return integer
  }

  private static func describe(_ values: [HeaderJSON]) -> String {
    "[" + values.map { if case .number(let text) = $0 { text } else { $0.kindName } }.joined(separator: ", ")
      + "]"
  }

  /// The offset of the first byte that breaks UTF-8, or nil when all of `bytes` is valid UTF-8.
  static func firstInvalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar): offset += UTF8.width(scalar)
      case .emptyInput: return nil
      case .error: return offset
      }
    }
  }
}
