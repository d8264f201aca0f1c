import ArborText
import Foundation
import Testing

@Suite struct StableHashTests {
  @Test func matchesPublishedFNV1aVectors() {
    // Test vectors of the FNV-1a 64-bit specification (Fowler, Noll & Vo).
    #expect(StableHash.of("") == 0xcbf2_9ce4_8422_2325)
    #expect(StableHash.of("a") == 0xaf63_dc4c_8601_ec8c)
    #expect(StableHash.of("foobar") == 0x8594_4171_f739_67e8)
  }
}

@Suite struct HashedFeatureExtractorTests {
  @Test func asciiScalarsSplitWordsExactlyWhenUnicodeSaysTheyAreNotLettersOrDigits() {
    let extractor = HashedFeatureExtractor()
    for value in UInt32(0)..<128 {
      let scalar = Unicode.Scalar(value)!
      let properties = scalar.properties
      let isWordCharacter = properties.isAlphabetic || properties.numericType != nil
      let text = "ab" + String(Character(scalar)) + "cd"
      let lowered = String(Character(scalar)).lowercased()
      let expected = isWordCharacter ? ["ab" + lowered + "cd"] : ["ab", "cd"]
      #expect(extractor.words(text) == expected, "U+\(String(value, radix: 16))")
    }
  }

  @Test func splitsAndNormalizesWords() {
    let extractor = HashedFeatureExtractor()
    #expect(
      extractor.words("Café-au-LAIT, 北京! naïve3 don't")
        == ["cafe", "au", "lait", "北", "京", "naive3", "don", "t"])
    #expect(extractor.words("  ...  ").isEmpty)
  }

  @Test func countsFeaturesByHand() {
    let extractor = HashedFeatureExtractor()
    // "ab": the word, and n-grams of "<ab>": 2 of length 3, 1 of length 4, none of length 5.
    #expect(extractor.buckets("ab").count == 4)
    // "ab cd": 4 + 4 + one bigram.
    #expect(extractor.buckets("ab cd").count == 9)
    #expect(
      HashedFeatureExtractor(characterNGramLengths: nil, usesWordBigrams: false).buckets("ab cd ab").count
        == 3)
  }

  @Test func bucketsAreFNV1aOfTaggedFeatures() {
    // Expected values from an independent FNV-1a in Python: fnv(b"\x01cat") % 2**20 and so on.
    let buckets = HashedFeatureExtractor().buckets("cat sat")
    #expect(buckets[0] == 610_912)  // unigram "cat"
    #expect(buckets[1] == 130_007)  // bigram "cat sat"
    #expect(buckets[2] == 904_862)  // n-gram "<ca"
    #expect(HashedFeatureExtractor(seed: 7).buckets("cat sat")[0] != 610_912)
  }

  @Test func bagsHaveOneOffsetPerText() {
    let extractor = HashedFeatureExtractor()
    let bags = HashedBags(["ab", "", "ab cd"], extractor: extractor)
    #expect(bags.offsets == [0, 4, 4])
    #expect(bags.ids.count == 13)
    #expect(bags.ids.allSatisfy { $0 >= 0 && $0 < extractor.bucketCount })
  }
}

@Suite struct TFIDFModelTests {
  struct Cases: Decodable {
    let fit: [String]
    let queries: [String]
    let weights: [[String: Float]]
  }

  @Test func matchesScikitLearnOnUnigrams() throws {
    let cases = try TestSupport.jsonFixture("tfidf_cases.json", as: Cases.self)
    let extractor = HashedFeatureExtractor(characterNGramLengths: nil, usesWordBigrams: false)
    let model = TFIDFModel(fitting: cases.fit, extractor: extractor)
    for (query, expected) in zip(cases.queries, cases.weights) {
      let row = model.transform(query)
      var byBucket: [Int: Float] = [:]
      for (index, value) in zip(row.indices, row.values) { byBucket[index] = value }
      // Words unseen in the fitted texts are dropped by scikit-learn but kept (with the highest idf) here,
      // so compare the seen words' weights after renormalizing over them.
      let seen = expected.keys.map { extractor.buckets($0)[0] }
      let seenNorm = seen.reduce(Float(0)) { $0 + (byBucket[$1] ?? 0) * (byBucket[$1] ?? 0) }.squareRoot()
      for (word, weight) in expected {
        let got = (byBucket[extractor.buckets(word)[0]] ?? 0) / max(seenNorm, 1e-12)
        #expect(abs(got - weight) < 1e-5, "\(query): \(word) got \(got) expected \(weight)")
      }
    }
  }

  @Test func handComputedWeights() {
    let extractor = HashedFeatureExtractor(characterNGramLengths: nil, usesWordBigrams: false)
    let model = TFIDFModel(fitting: ["apple banana", "apple cherry"], extractor: extractor)
    let row = model.transform("apple apple banana")
    // apple: (1 + ln 2)·(ln(3/3) + 1) = 1.693147; banana: 1·(ln(3/2) + 1) = 1.405465; norm 2.200473.
    let apple = extractor.buckets("apple")[0]
    let banana = extractor.buckets("banana")[0]
    let weights = Dictionary(uniqueKeysWithValues: zip(row.indices, row.values))
    #expect(abs((weights[apple] ?? 0) - 0.769447) < 1e-5)
    #expect(abs((weights[banana] ?? 0) - 0.638711) < 1e-5)
    #expect(row.indices == row.indices.sorted())
    #expect(abs(row.dot(row) - 1) < 1e-5)
    #expect(model.transform("").indices.isEmpty)
  }

  @Test func perKindNormalizationScalesWordsAndCharactersSeparately() {
    let texts = ["apple banana cherry", "apple cherry pie", "banana split"]
    var model = TFIDFModel(fitting: texts, extractor: HashedFeatureExtractor())
    model.normalization = .perKind
    // The word part alone, as a words-only model with the same word hashes and document frequencies
    // would give it: unit length on its own.
    let words = TFIDFModel(
      fitting: texts, extractor: HashedFeatureExtractor(characterNGramLengths: nil)
    ).transform("apple banana pie")
    let row = model.transform("apple banana pie")
    let byBucket = Dictionary(uniqueKeysWithValues: zip(row.indices, row.values))
    for (bucket, value) in zip(words.indices, words.values) {
      #expect(abs((byBucket[bucket] ?? 0) - value) < 1e-5)
    }
    // Words and characters each have unit norm (no bucket collides in 2^20 here): the row's is √2.
    #expect(abs(row.dot(row) - 2) < 1e-4)
    #expect(row.indices == row.indices.sorted())
    #expect(Set(row.indices).count == row.indices.count)
    model.normalization = .joint
    let joint = model.transform("apple banana pie")
    #expect(abs(joint.dot(joint) - 1) < 1e-5)
  }
}

@Suite struct BuiltinEncoderTests {
  static func cosine(_ vectors: [Float], _ a: Int, _ b: Int, _ width: Int) -> Float {
    (0..<width).reduce(0) { $0 + vectors[a * width + $1] * vectors[b * width + $1] }
  }

  @Test func unitVectorsThatReflectOverlap() {
    let encoder = BuiltinEncoder(dimension: 256)
    let texts = [
      "a domesticated carnivorous mammal", "domesticated carnivorous mammals", "a financial institution", "",
    ]
    let vectors = encoder.encode(texts)
    #expect(vectors.count == 4 * 256)
    for row in 0..<3 { #expect(abs(Self.cosine(vectors, row, row, 256) - 1) < 1e-5) }
    #expect(Self.cosine(vectors, 3, 3, 256) == 0)
    #expect(Self.cosine(vectors, 0, 1, 256) > 0.5)
    #expect(Self.cosine(vectors, 0, 1, 256) > Self.cosine(vectors, 0, 2, 256) + 0.3)
    #expect(encoder.encode(texts) == vectors)
  }

  @Test func identityNamesSettings() {
    let plain = BuiltinEncoder()
    let weighted = BuiltinEncoder(
      weighting: TFIDFModel(fitting: ["x y"], extractor: HashedFeatureExtractor()))
    #expect(plain.identity != BuiltinEncoder(dimension: 128).identity)
    #expect(plain.identity != weighted.identity)
    #expect(plain.identity == BuiltinEncoder().identity)
  }
}
