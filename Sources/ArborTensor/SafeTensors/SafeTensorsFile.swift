/// The element types that ArborTensor reads from safetensors files (all converted to `Float`).
public enum SafeTensorsDType: String, Sendable {
  /// IEEE 754 single precision.
  case f32 = "F32"
  /// IEEE 754 half precision.
  case f16 = "F16"
  /// bfloat16: the upper 16 bits of an IEEE 754 single.
  case bf16 = "BF16"

  /// Bytes per element.
  public var byteCount: Int {
    switch self {
    case .f32: 4
    case .f16, .bf16: 2
    }
  }
}

/// One tensor described by a safetensors header.
public struct SafeTensorsEntry: Sendable {
  /// The tensor's name (the header key).
  public let name: String
  /// The element type.
  public let dtype: SafeTensorsDType
  /// The dimensions, outermost first (row-major); empty for a scalar.
  public let shape: [Int]
  /// The tensor's bytes, relative to the start of the data buffer (the header's `data_offsets`).
  public let byteRange: Range<Int>

  /// The number of elements: the product of `shape` (1 for a scalar).
  public var elementCount: Int { byteRange.count / dtype.byteCount }
}

/// A problem with a safetensors file: what is wrong and which file it is in.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
  /// The file the problem is in.
  public let path: String
  /// What is wrong, naming the tensor or field where there is one.
  public let message: String

  /// Creates an error for `path`.
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// `PATH: message`.
  public var description: String { "\(path): \(message)" }
}

/// A safetensors file mapped read-only into memory, with its header fully validated on open.
///
/// Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header length `N`,
/// `N` bytes of UTF-8 JSON, then the data buffer. The header maps each tensor name to its dtype,
/// shape and `data_offsets` (begin and end, relative to the data buffer); the optional key
/// `__metadata__` holds a map of strings. Opening checks the header length against the file size
/// and a 100 MB limit, UTF-8 and JSON validity (no duplicate keys), every dtype, that each shape's
/// element count times the element size equals its byte range (with overflow checks), that offsets
/// lie inside the data buffer, and that the tensors cover the buffer without overlaps or gaps.
///
/// Tensors of the dtypes in `SafeTensorsDType` are listed in `entries`. Tensors of other valid
/// safetensors dtypes (for example the I64 `position_ids` in BERT checkpoints) are validated the
/// same way and listed by name in `unsupportedEntries`; reading them as floats is an error.
public struct SafeTensorsFile: Sendable {
  /// The largest header accepted, in bytes.
  public static let maximumHeaderLength = 100_000_000

  /// The path the file was opened from.
  public let path: String
  /// The tensors whose dtype can be read as floats, by name.
  public let entries: [String: SafeTensorsEntry]
  /// Tensors present in the file whose dtype cannot be read as floats: name to dtype (e.g. "I64").
  public let unsupportedEntries: [String: String]
  /// The string map stored under `__metadata__`, empty when absent.
  public let metadata: [String: String]
  /// The offset of the data buffer from the start of the file (8 + header length).
  public let dataOffset: Int

  let mapping: MappedFile

  /// Maps the file at `path` and validates its header and offsets.
  public init(path: String) throws(SafeTensorsError) {
    let mapping = try MappedFile(path: path)
    let bytes = mapping.bytes
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(path: path, message: message) }

    guard bytes.count >= 8 else {
      throw fail("file is \(bytes.count) bytes long, too short for the 8-byte header length")
    }
    let headerLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    guard headerLength <= UInt64(Self.maximumHeaderLength) else {
      throw fail("header length \(headerLength) exceeds the limit of \(Self.maximumHeaderLength) bytes")
    }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw fail("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
    }
    let headerEnd = 8 + Int(headerLength)
    let header = UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd])
    if let offset = Self.firstInvalidUTF8Offset(header) {
      throw fail("header is not valid UTF-8 (at header byte \(offset))")
    }
    let json: HeaderJSON
    do {
      json = try HeaderJSONParser.parse(header)
    } catch {
      throw fail("invalid header JSON at header byte \(error.offset): \(error.message)")
    }
    guard case .object(let members) = json else {
      throw fail("header must be a JSON object, found \(json.kindName)")
    }

    let bufferSize = bytes.count - headerEnd
    var entries: [String: SafeTensorsEntry] = [:]
    var unsupported: [String: String] = [:]
    var metadata: [String: String] = [:]
    var ranges: [(range: Range<Int>, name: String)] = []
    ranges.reserveCapacity(members.count)
    for member in members {
      let (name, value) = (member.key, member.value)
      if name == "__metadata__" {
        metadata = try Self.parseMetadata(value, fail: fail)
        continue
      }
      let parsed = try Self.parseEntry(name: name, value: value, bufferSize: bufferSize, fail: fail)
      ranges.append((parsed.range, name))
      if let dtype = SafeTensorsDType(rawValue: parsed.dtype) {
        entries[name] = SafeTensorsEntry(
          name: name, dtype: dtype, shape: parsed.shape, byteRange: parsed.range)
      } else {
        unsupported[name] = parsed.dtype
      }
    }
    ranges.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
    var covered = 0
    var previous: String?
    for (range, name) in ranges {
      if range.lowerBound < covered, let previous {
        throw fail("tensors '\(previous)' and '\(name)' overlap in the data buffer")
      }
      if range.lowerBound > covered {
        throw fail(
          "data buffer bytes \(covered)..<\(range.lowerBound) (before tensor '\(name)') belong to no tensor")
      }
      covered = range.upperBound
      previous = name
    }
    if covered != bufferSize {
      throw fail("data buffer bytes \(covered)..<\(bufferSize) at the end of the file belong to no tensor")
    }

    self.path = path
    self.entries = entries
    self.unsupportedEntries = unsupported
    self.metadata = metadata
    self.dataOffset = headerEnd
    self.mapping = mapping
  }

  /// The tensor names in file order (by data offset).
  public var names: [String] {
    entries.values.sorted { $0.byteRange.lowerBound < $1.byteRange.lowerBound }.map(\.name)
  }

  /// The elements of tensor `name` in row-major order, converted to `Float`.
  public func floats(_ name: String) throws(SafeTensorsError) -> [Float] {
    let entry = try entry(name)
    let count = entry.elementCount
    guard count > 0 else { return [] }
    let source = UnsafeRawBufferPointer(
      rebasing: mapping.bytes[
        (dataOffset + entry.byteRange.lowerBound)..<(dataOffset + entry.byteRange.upperBound)])
    return [Float](unsafeUninitializedCapacity: count) { destination, initialized in
      Self.convert(source, dtype: entry.dtype, into: destination)
      initialized = count
    }
  }

  /// The entry for `name`, or an error saying why there is none.
  public func entry(_ name: String) throws(SafeTensorsError) -> SafeTensorsEntry {
    if let entry = entries[name] { return entry }
    if let dtype = unsupportedEntries[name] {
      throw SafeTensorsError(
        path: path,
        message: "tensor '\(name)' has dtype \(dtype); only F32, F16 and BF16 can be read as floats")
    }
    throw SafeTensorsError(path: path, message: "no tensor named '\(name)'")
  }

  /// Converts `source` holding little-endian elements of `dtype` into `destination`.
  static func convert(
    _ source: UnsafeRawBufferPointer, dtype: SafeTensorsDType,
    into destination: UnsafeMutableBufferPointer<Float>
  ) {
    let count = destination.count
    guard count > 0, let target = destination.baseAddress else { return }
    switch dtype {
    case .f32:
      #if _endian(little)
        UnsafeMutableRawPointer(target).copyMemory(from: source.baseAddress!, byteCount: count * 4)
      #else
        for index in 0..<count {
          let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
          target[index] = Float(bitPattern: bits)
        }
      #endif
    case .f16:
      for index in 0..<count {
        let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
        target[index] = halfToFloat(bits)
      }
    case .bf16:
      for index in 0..<count {
        let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
        target[index] = Float(bitPattern: UInt32(bits) << 16)
      }
    }
  }
}

/// Converts IEEE 754 binary16 bits to a `Float` exactly (every half value is representable).
@inline(__always)
func halfToFloat(_ bits: UInt16) -> Float {
  let sign = UInt32(bits & 0x8000) << 16
  let exponent = UInt32(bits >> 10) & 0x1F
  let mantissa = UInt32(bits & 0x03FF)
  if exponent == 0 {
    // Zero or subnormal: mantissa × 2^-24.
    let magnitude = Float(mantissa) * 0x1p-24
    return sign != 0 ? -magnitude : magnitude
  }
  if exponent == 0x1F {
    return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
  }
  return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
}
