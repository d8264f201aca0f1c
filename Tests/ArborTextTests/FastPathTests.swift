import ArborTensor
import Foundation
import Testing

@testable import ArborText

@Suite struct FeatureFastPathTests {
  /// Texts over every printable ASCII character, seeded.
  static func asciiTexts(count: Int, seed: UInt64) -> [String] {
    var generator = RandomGenerator(seed: seed)
    let alphabet = (0x20..<0x7F).map { Character(Unicode.Scalar($0)!) } + ["\t", "\n"]
    let common = Array("aaaeeeiiooouuu    nnrrsstt".map { $0 })
    return (0..<count).map { _ in
      let length = Int(generator.next() % 120)
      return String(
        (0..<length).map { _ in
          generator.next() % 3 == 0
            ? alphabet[Int(generator.next() % UInt64(alphabet.count))]
            : common[Int(generator.next() % UInt64(common.count))]
        })
    }
  }

  @Test func asciiBucketsEqualTheUnicodePathsBuckets() {
    let texts =
      Self.asciiTexts(count: 400, seed: 11) + ["", " ", "a", "A1 b2", "<ab>", "x--y", "Hello, World!"]
    for extractor in [
      HashedFeatureExtractor(),
      HashedFeatureExtractor(
        bucketCount: 1000, characterNGramLengths: 1...2, usesWordBigrams: false, seed: 3),
      HashedFeatureExtractor(characterNGramLengths: nil),
    ] {
      for text in texts {
        for mark in [0, 1 << 62] {
          var fast: [Int] = []
          var general: [Int] = []
          extractor.appendBuckets(text, to: &fast, characterMark: mark)
          extractor.appendUnicodeBuckets(text, to: &general, characterMark: mark)
          #expect(fast == general, "\(text.debugDescription)")
        }
      }
    }
  }

  @Test func radixSortOrdersBucketsByBucketThenKind() {
    var generator = RandomGenerator(seed: 5)
    for bucketCount in [1 << 10, 1 << 20, 1 << 23] {
      for mark in [0, 1 << 62] {
        for n in [0, 1, 2, 63, 64, 65, 500, 3000] {
          var buffers = TransformBuffers()
          buffers.buckets = (0..<n).map { _ in
            Int(generator.next() % UInt64(bucketCount)) | (generator.next() % 2 == 0 ? mark : 0)
          }
          // Repeats, as real texts have, and one bucket that is both kinds.
          if n > 10 { buffers.buckets += buffers.buckets.prefix(10) + [buffers.buckets[0] ^ mark] }
          let expected = buffers.buckets.map { ($0 & ~mark, mark != 0 && $0 & mark != 0) }.sorted {
            $0.0 != $1.0 ? $0.0 < $1.0 : !$0.1 && $1.1
          }
          buffers.sortByBucketAndKind(mark: mark, bucketCount: bucketCount)
          let decoded = buffers.buckets.map { ($0 >> 1, $0 & 1 == 1) }
          #expect(decoded.map(\.0) == expected.map(\.0), "n \(n), buckets \(bucketCount), mark \(mark)")
          #expect(decoded.map(\.1) == expected.map(\.1), "n \(n), buckets \(bucketCount), mark \(mark)")
        }
      }
    }
  }

  @Test func reusedBuffersGiveTheSameRowsAsFreshOnes() {
    let texts = Self.asciiTexts(count: 200, seed: 2) + ["Café au lait, naïve", "北京 ab"]
    for normalization in [TFIDFModel.Normalization.joint, .perKind] {
      var model = TFIDFModel(fitting: Array(texts.prefix(120)))
      model.normalization = normalization
      var buffers = TransformBuffers()
      for text in texts {
        model.transform(text, minimumDocumentFrequency: 2, into: &buffers)
        let fresh = model.transform(text, minimumDocumentFrequency: 2)
        #expect(buffers.indices == fresh.indices)
        #expect(buffers.values == fresh.values)
      }
    }
  }

  @Test func perKindRowsEqualTwoSeparatelyNormalizedPartsSummed() {
    // 64 buckets: word and character features collide often. The reference builds each part from the
    // extractor's buckets by hand, scales it to unit length and adds the two.
    let extractor = HashedFeatureExtractor(bucketCount: 64)
    let texts = Self.asciiTexts(count: 60, seed: 8)
    var model = TFIDFModel(fitting: texts, extractor: extractor)
    model.normalization = .perKind
    for text in texts.prefix(30) + ["Café naïve", "zz"] {
      var marked: [Int] = []
      extractor.appendBuckets(text, to: &marked, characterMark: 1 << 62)
      var parts: [[Int: Float]] = [[:], [:]]
      for key in marked {
        let kind = key & (1 << 62) != 0 ? 1 : 0
        parts[kind][key & ~(1 << 62), default: 0] += 1
      }
      var expected: [Int: Float] = [:]
      for part in parts {
        var weights: [Int: Float] = [:]
        for (bucket, count) in part {
          weights[bucket] = (1 + logf(Float(count))) * model.inverseDocumentFrequency(bucket)
        }
        let norm = weights.sorted { $0.key < $1.key }.reduce(Float(0)) { $0 + $1.value * $1.value }
          .squareRoot()
        for (bucket, weight) in weights { expected[bucket, default: 0] += norm > 0 ? weight / norm : 0 }
      }
      let row = model.transform(text)
      #expect(row.indices == expected.keys.sorted(), "\(text)")
      for (bucket, value) in zip(row.indices, row.values) {
        #expect(abs(value - (expected[bucket] ?? .nan)) < 1e-6, "\(text) bucket \(bucket)")
      }
    }
  }
}
