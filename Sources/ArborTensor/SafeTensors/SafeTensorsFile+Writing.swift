extension SafeTensorsFile {
  /// Writes tensors as a safetensors file of F32 little-endian data, atomically, in the given order.
  /// The header is padded with spaces to a multiple of 8 bytes so that the data buffer is aligned.
  public static func write(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String
  ) throws(SafeTensorsError) {
    var seen = Set<String>()
    for (name, _) in tensors where !seen.insert(name).inserted || name == "__metadata__" {
      throw SafeTensorsError(path: path, message: "tensor name '\(name)' is repeated or reserved")
    }
    var header = "{"
    if !metadata.isEmpty {
      header += JSONText.quoted("__metadata__") + ":{"
      header += metadata.keys.sorted().map { JSONText.quoted($0) + ":" + JSONText.quoted(metadata[$0]!) }
        .joined(separator: ",")
      header += "},"
    }
    var offset = 0
    var parts: [String] = []
    for (name, tensor) in tensors {
      let end = offset + tensor.count * 4
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      parts.append(
        JSONText.quoted(name)
          + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    header += parts.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + headerBytes.count + offset)
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: headerBytes)
    for (_, tensor) in tensors {
      #if _endian(little)
        tensor.storage.withUnsafeBytes { bytes.append(contentsOf: $0) }
      #else
        for value in tensor.storage {
          withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
      #endif
    }
    try AtomicFile.write(bytes, to: path)
  }

  /// Tensor `name` as a `Tensor` of its shape, converted to `Float`.
  public func tensor(_ name: String) throws(SafeTensorsError) -> Tensor {
    let entry = try entry(name)
    return Tensor(shape: entry.shape, storage: try floats(name))
  }

  /// The 64-bit FNV-1a hash of the whole file (Fowler, Noll & Vo), to tie a manifest to its weights.
  public var checksum: UInt64 {
    fnv1a64(mapping.bytes)
  }
}

/// 64-bit FNV-1a over `bytes`.
func fnv1a64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in bytes {
    hash ^= UInt64(byte)
    hash &*= 0x0000_0100_0000_01B3
  }
  return hash
}

/// Minimal JSON text output for headers and manifests.
enum JSONText {
  /// `text` as a JSON string literal, escaping quotes, backslashes and control characters.
  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
