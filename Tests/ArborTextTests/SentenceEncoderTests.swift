import ArborText
import Foundation
import Testing

/// all-MiniLM-L6-v2 against sentence-transformers and transformers (fixtures made by
/// Fixtures/make_encoder_fixture.py).
@Suite(.enabled(if: TestSupport.miniLMDirectory != nil, TestSupport.skipMessage))
struct SentenceEncoderTests {
  struct Cases: Decodable {
    let dimension: Int
    let texts: [String]
    let token_texts: [String]
    let token_lengths: [Int]
  }

  static func floats(_ name: String) throws -> [Float] {
    let data = try TestSupport.fixture(name)
    return data.withUnsafeBytes { raw in
      (0..<(data.count / 4)).map {
        Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
      }
    }
  }

  static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var dot = 0.0, normA = 0.0, normB = 0.0
    for (x, y) in zip(a, b) {
      dot += Double(x) * Double(y)
      normA += Double(x) * Double(x)
      normB += Double(y) * Double(y)
    }
    return dot / max((normA * normB).squareRoot(), 1e-30)
  }

  @Test func sentenceEmbeddingsMatchSentenceTransformers() throws {
    let cases = try TestSupport.jsonFixture("encoder_cases.json", as: Cases.self)
    let expected = try Self.floats("encoder_embeddings.f32")
    #expect(cases.texts.count >= 300)
    #expect(expected.count == cases.texts.count * cases.dimension)
    var encoder = try SentenceEncoder(directory: try #require(TestSupport.miniLMDirectory))
    #expect(encoder.dimension == cases.dimension)
    #expect(encoder.maxLength == 256)
    encoder.batchSize = 7  // batches that mix lengths and a last partial batch
    let vectors = encoder.encode(cases.texts)
    var worst = 1.0
    for index in cases.texts.indices {
      let range = (index * cases.dimension)..<((index + 1) * cases.dimension)
      let similarity = Self.cosine(vectors[range], expected[range])
      worst = min(worst, similarity)
      #expect(similarity >= 0.9999, "\(cases.texts[index].debugDescription): cosine \(similarity)")
      let norm = vectors[range].reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
      #expect(abs(norm - 1) < 1e-4)
    }
    print("SentenceEncoderTests: \(cases.texts.count) strings, lowest cosine \(worst)")
  }

  @Test func tokenStatesMatchTransformers() throws {
    let cases = try TestSupport.jsonFixture("encoder_cases.json", as: Cases.self)
    let expected = try Self.floats("encoder_token_states.f32")
    let encoder = try SentenceEncoder(directory: try #require(TestSupport.miniLMDirectory))
    let states = try encoder.model.hiddenStates(cases.token_texts.map { encoder.tokenizer.encode($0) })
    #expect(states.offsets.count == cases.token_lengths.count + 1)
    #expect(states.values.count == expected.count)
    var offset = 0
    for (index, length) in cases.token_lengths.enumerated() {
      let got = states.states(ofSequence: index)
      #expect(got.count == length * cases.dimension)
      for token in 0..<length {
        let start = (offset + token) * cases.dimension
        let range = start..<(start + cases.dimension)
        let similarity = Self.cosine(
          got[got.startIndex + token * cases.dimension..<got.startIndex + (token + 1) * cases.dimension],
          expected[range])
        #expect(similarity >= 0.9999, "text \(index) token \(token): cosine \(similarity)")
        let maxError =
          zip(got[(got.startIndex + token * cases.dimension)...].prefix(cases.dimension), expected[range])
          .map { abs($0 - $1) }.max() ?? 0
        #expect(maxError < 2e-3, "text \(index) token \(token): max abs error \(maxError)")
      }
      offset += length
    }
  }

  @Test func parallelBatchesGiveTheSameVectors() throws {
    let cases = try TestSupport.jsonFixture("encoder_cases.json", as: Cases.self)
    var encoder = try SentenceEncoder(directory: try #require(TestSupport.miniLMDirectory), threadCount: 2)
    encoder.batchSize = 5
    let texts = Array(cases.texts.prefix(40))
    encoder.parallelism = .batches
    let across = encoder.encode(texts)
    encoder.parallelism = .withinBatch
    let within = encoder.encode(texts)
    #expect(across.count == within.count)
    #expect(zip(across, within).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func rejectsBadSequences() throws {
    let encoder = try SentenceEncoder(directory: try #require(TestSupport.miniLMDirectory))
    #expect(throws: TextError.self) { try encoder.model.hiddenStates([[101, 999_999, 102]]) }
    #expect(throws: TextError.self) { try encoder.model.hiddenStates([Array(repeating: 1000, count: 513)]) }
  }
}
