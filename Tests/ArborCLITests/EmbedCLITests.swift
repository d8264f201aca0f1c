import Foundation
import Testing

/// `arbor embed` end to end: output layout, errors without partial output.
@Suite struct EmbedCLITests {
  /// The header JSON and the float data of a safetensors file, read independently of ArborTensor.
  static func readSafeTensors(_ url: URL) throws -> (header: [String: Any], floats: [Float]) {
    let data = try Data(contentsOf: url)
    let length = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    let header = try #require(
      try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
    let body = data.subdata(in: (8 + length)..<data.count)
    let floats = body.withUnsafeBytes { raw in
      (0..<(body.count / 4)).map {
        Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
      }
    }
    return (header, floats)
  }

  @Test func builtinEncoderWritesOneUnitVectorPerRecord() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.jsonl")
    try Data(
      """
      {"id": "dog", "text": "A domesticated carnivorous mammal."}

      {"title": "Bank", "abstract": "A financial institution."}
      {"id": 42, "text": ""}

      """.utf8
    ).write(to: input)
    let output = directory.appendingPathComponent("out.safetensors")
    let result = try runArbor(["embed", input.path, "--out", output.path, "--dimension", "64"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    let (header, floats) = try Self.readSafeTensors(output)
    let tensor = try #require(header["embeddings"] as? [String: Any])
    #expect(tensor["shape"] as? [Int] == [3, 64])
    #expect(tensor["dtype"] as? String == "F32")
    let metadata = try #require(header["__metadata__"] as? [String: String])
    #expect(metadata["ids"] == #"["dog","3","42"]"#)
    #expect(metadata["dimension"] == "64")
    #expect(floats.count == 3 * 64)
    for row in 0..<2 {
      let norm = floats[(row * 64)..<((row + 1) * 64)].reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(abs(norm - 1) < 1e-5)
    }
    #expect(floats[128..<192].allSatisfy { $0 == 0 })  // an empty text has no features
  }

  @Test func badRecordNamesLineAndWritesNothing() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("bad.jsonl")
    try Data("{\"text\": \"fine\"}\n{\"text\": 3}\n".utf8).write(to: input)
    let output = directory.appendingPathComponent("out.safetensors")
    let result = try runArbor(["embed", input.path, "--out", output.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("bad.jsonl:2: field \"text\" must be a string"))
    #expect(!FileManager.default.fileExists(atPath: output.path))
    try Data("{\"text\": \"fine\"}\n{oops\n".utf8).write(to: input)
    let syntax = try runArbor(["embed", input.path, "--out", output.path])
    #expect(syntax.status == 1)
    #expect(syntax.stderr.contains("bad.jsonl:2: invalid JSON"))
  }

  @Test func missingModelDirectorySaysWhatIsExpected() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.jsonl")
    try Data("{\"text\": \"x\"}\n".utf8).write(to: input)
    let result = try runArbor([
      "embed", input.path, "--out", directory.appendingPathComponent("o.safetensors").path, "--encoder",
      directory.path,
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("expected config.json, vocab.txt and model.safetensors"))
  }
}
