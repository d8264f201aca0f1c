import Foundation

/// The path of a bundled fixture file.
func fixturePath(_ relative: String) -> String {
  Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
}

/// A fresh empty directory for one test's files.
func makeTemporaryDirectory() -> String {
  let path = NSTemporaryDirectory() + "arbor-tensor-tests-\(getpid())-\(UUID().uuidString)"
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Writes `bytes` to a new temporary file and returns its path.
func writeTemporaryFile(_ bytes: [UInt8], name: String = "test.safetensors") -> String {
  let path = makeTemporaryDirectory() + "/" + name
  _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
  return path
}

/// The bytes of a safetensors file with the given header text and data buffer; `headerLength`
/// overrides the length prefix (to build hostile files).
func safetensorsBytes(header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> [UInt8] {
  let headerBytes = Array(header.utf8)
  let length = headerLength ?? UInt64(headerBytes.count)
  var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
  bytes += headerBytes
  bytes += data
  return bytes
}
