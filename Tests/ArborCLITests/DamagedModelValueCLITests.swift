import Foundation
import Testing

/// Model files whose index and count tensors hold NaN, 1e30 or 1e10: a clear error naming the file,
/// never a trap (found by fuzzing: each of these stopped on a Float-to-Int conversion).
@Suite struct DamagedModelValueCLITests {
  /// Overwrites element `index` of the F32 tensor `name` in a safetensors file with `value`.
  static func patch(_ path: String, tensor name: String, index: Int = 0, value: Float) throws {
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any]
    let entry = try #require(header?[name] as? [String: Any], "no tensor \(name)")
    let offsets = try #require(entry["data_offsets"] as? [Int])
    let at = 8 + headerLength + offsets[0] + 4 * index
    withUnsafeBytes(of: value.bitPattern.littleEndian) { for k in 0..<4 { bytes[at + k] = $0[k] } }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// Sets metadata `key` of a safetensors file to `value`, rewriting the header (offsets are relative
  /// to the data, so the tensors stay valid).
  static func patchMetadata(_ path: String, key: String, value: String) throws {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    var header = try #require(
      try JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any])
    var metadata = header["__metadata__"] as? [String: String] ?? [:]
    metadata[key] = value
    header["__metadata__"] = metadata
    var json = [UInt8](try JSONSerialization.data(withJSONObject: header))
    while json.count % 8 != 0 { json.append(0x20) }
    var out = withUnsafeBytes(of: UInt64(json.count).littleEndian) { [UInt8]($0) }
    out += json
    out += bytes[(8 + headerLength)...]
    try Data(out).write(to: URL(fileURLWithPath: path))
  }

  /// Eight one-word fruit records, a topic tree built from them (`--levels 2,4`) and its model file.
  static func topicTree(in dir: URL) throws -> (collection: URL, model: String) {
    let collection = try writeFruitCollection(in: dir)
    let model = dir.appendingPathComponent("tree.safetensors").path
    let built = try runArbor([
      "organize", "build", collection.path, "--encoder", "builtin", "--levels", "2,4", "--out",
      dir.appendingPathComponent("tree.json").path, "--tree-model", model,
    ])
    #expect(built.status == 0, "\(built.stderr)")
    return (collection, model)
  }

  @Test(arguments: [
    ("flat", "memory.columns", Float(1e30), "rehearsal memory"),
    ("flat", "memory.paths", Float.nan, "rehearsal memory"),
    ("verbalizer", "encoder.document_frequencies", Float.nan, "bad encoder tables"),
    ("verbalizer", "encoder.document_frequencies", Float(1e10), "bad encoder tables"),
  ])
  func classifierRefusesDamagedValues(method: String, tensor: String, value: Float, message: String) throws {
    let dir = try FinetuneClassifierCLITests.setUp()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m.arbor").path
    let trained = try runArbor([
      "train", "--taxonomy", dir.appendingPathComponent("tree.tsv").path, "--train",
      dir.appendingPathComponent("train.jsonl").path, "--method", method, "--epochs", "2", "--out", model,
    ])
    #expect(trained.status == 0, "\(trained.stderr)")
    try Self.patch(model, tensor: tensor, value: value)
    let result = try runArbor(
      ["classify", "--model", model], stdin: "{\"id\": \"x\", \"text\": \"beet bean soup\"}\n")
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("arbor: \(model): "), "\(result.stderr)")
    #expect(result.stderr.contains(message), "\(result.stderr)")
  }

  @Test(arguments: [
    ("builtinDocumentCount", "-1", "metadata 'builtinDocumentCount' must be a whole number"),
    ("encoderName", "abc", "the model's encoder 'abc' (metadata 'encoderName') cannot be loaded"),
  ])
  func topicTreeRefusesDamagedMetadata(key: String, value: String, message: String) throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (_, model) = try Self.topicTree(in: dir)
    try Self.patchMetadata(model, key: key, value: value)
    let new = dir.appendingPathComponent("new.jsonl")
    try "{\"id\": \"n1\", \"text\": \"kiwi fruit\"}\n".write(to: new, atomically: true, encoding: .utf8)
    let result = try runArbor(["organize", "add", "--tree", model, new.path, "--out", dir.path + "/g.json"])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("arbor: \(model): \(message)"), "\(result.stderr)")
  }

  @Test func finetuneNamesTheModelItCannotRead() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let garbage = dir.appendingPathComponent("garbage.safetensors").path
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: garbage))
    let arguments = ["finetune", "--train", garbage, "--out", dir.path + "/o.safetensors", "--model"]
    let unreadable = try runArbor(arguments + [garbage])
    #expect(unreadable.status == 1)
    #expect(
      unreadable.stderr.contains("arbor: \(garbage): not a model arbor finetune can read"),
      "\(unreadable.stderr)")
    // A damaged .arbor file with an .arbor output: the damage is named before any output check.
    let damaged = dir.appendingPathComponent("damaged.arbor").path
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: damaged))
    let named = try runArbor([
      "finetune", "--train", garbage, "--out", dir.path + "/o.arbor", "--model", damaged,
    ])
    #expect(named.status == 1)
    #expect(
      named.stderr.contains(
        "arbor: \(damaged): not a model arbor finetune can read: not a classifier, "
          + "expansion or topic-tree model file (header length"), "\(named.stderr)")
    let missing = try runArbor(arguments + [dir.path + "/missing.arbor"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("arbor: \(dir.path)/missing.arbor: cannot open"), "\(missing.stderr)")
  }

  @Test(arguments: [Float.nan, Float.infinity, Float(1e10), Float(-3)])
  func topicTreeRefusesDamagedDocumentFrequencies(_ value: Float) throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (collection, model) = try Self.topicTree(in: dir)
    try Self.patch(model, tensor: "builtinDocumentFrequencies", value: value)
    let out = dir.appendingPathComponent("grown.json").path
    let result = try runArbor(["organize", "add", "--tree", model, collection.path, "--out", out])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("arbor: \(model): "), "\(result.stderr)")
    #expect(result.stderr.contains("builtinDocumentFrequencies"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
