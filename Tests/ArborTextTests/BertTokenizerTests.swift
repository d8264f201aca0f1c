import ArborText
import Foundation
import Testing

/// Token-for-token agreement with the Hugging Face `tokenizers` package (fixtures made by
/// Fixtures/make_tokenizer_fixture.py).
@Suite struct BertTokenizerTests {
  struct Case: Decodable {
    let text: String
    let ids: [Int]
    let max_length: Int?
  }
  struct Cases: Decodable {
    let cases: [Case]
    let truncated: [Case]
  }

  static func tokenizer() throws -> BertTokenizer {
    let directory = try #require(TestSupport.miniLMDirectory)
    return try BertTokenizer(vocabularyPath: directory + "/vocab.txt")
  }

  @Test(.enabled(if: TestSupport.miniLMDirectory != nil, TestSupport.skipMessage))
  func matchesReferenceOnRealAndTrickyStrings() throws {
    let tokenizer = try Self.tokenizer()
    let fixture = try TestSupport.jsonFixture("tokenizer_cases.json", as: Cases.self)
    #expect(fixture.cases.count >= 2000)
    var mismatches = 0
    for item in fixture.cases {
      let ids = tokenizer.encode(item.text)
      if ids != item.ids {
        mismatches += 1
        if mismatches <= 10 {
          let expected = item.ids.map { tokenizer.vocabulary.tokens[$0] }
          let message =
            "\(item.text.debugDescription): got \(tokenizer.tokenize(item.text)) expected \(expected)"
          Issue.record(Comment(rawValue: message))
        }
      }
    }
    #expect(mismatches == 0)
  }

  @Test(.enabled(if: TestSupport.miniLMDirectory != nil, TestSupport.skipMessage))
  func truncatesLikeReference() throws {
    let tokenizer = try Self.tokenizer()
    let fixture = try TestSupport.jsonFixture("tokenizer_cases.json", as: Cases.self)
    #expect(!fixture.truncated.isEmpty)
    for item in fixture.truncated {
      #expect(
        tokenizer.encode(item.text, maxLength: item.max_length) == item.ids, "\(item.text.debugDescription)")
    }
  }

  @Test(.enabled(if: TestSupport.miniLMDirectory != nil, TestSupport.skipMessage))
  func handWorkedExamples() throws {
    let tokenizer = try Self.tokenizer()
    // Worked by hand from vocab.txt: accents stripped, specials kept, and "unaffable" split greedily:
    // the longest vocabulary prefix is "una", then "##ffa" (no "##ffable", "##ffabl", "##ffab"), then "##ble".
    #expect(
      tokenizer.tokenize("Héllo, [MASK] unaffable!") == [
        "hello", ",", "[MASK]", "una", "##ffa", "##ble", "!",
      ])
    #expect(tokenizer.encode("") == [101, 102])
    #expect(tokenizer.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
    #expect(tokenizer.tokenize("中文") == ["中", "文"])
  }
}

/// Every Unicode code point's character classes against the reference's (tokenizer_classes.json).
@Suite struct BertCharacterClassTests {
  struct Classes: Decodable {
    let removed: [[UInt32]]
    let whitespace: [[UInt32]]
    let chinese: [[UInt32]]
    let punctuation: [[UInt32]]
    let nonspacing_marks: [[UInt32]]
    let lowercase: [String: [UInt32]]
  }

  static func member(_ ranges: [[UInt32]]) -> Set<UInt32> {
    var set = Set<UInt32>()
    for range in ranges { for value in range[0]...range[1] { set.insert(value) } }
    return set
  }

  @Test func everyCodePointMatchesReference() throws {
    let classes = try TestSupport.jsonFixture("tokenizer_classes.json", as: Classes.self)
    let removed = Self.member(classes.removed)
    let whitespace = Self.member(classes.whitespace)
    let chinese = Self.member(classes.chinese)
    let punctuation = Self.member(classes.punctuation)
    let marks = Self.member(classes.nonspacing_marks)
    var wrong: [String: [String]] = [:]
    func check(_ name: String, _ value: UInt32, _ got: Bool, _ expected: Bool) {
      if got != expected { wrong[name, default: []].append(String(value, radix: 16)) }
    }
    for value in UInt32(0)...0x10FFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let isRemoved = BertCharacterClassProbe.isRemovedByCleaning(scalar)
      check("removed", value, isRemoved, removed.contains(value))
      if removed.contains(value) { continue }
      check("whitespace", value, BertCharacterClassProbe.isWhitespace(scalar), whitespace.contains(value))
      if whitespace.contains(value) { continue }
      check("chinese", value, BertCharacterClassProbe.isChineseCharacter(scalar), chinese.contains(value))
      check("punctuation", value, BertCharacterClassProbe.isPunctuation(scalar), punctuation.contains(value))
      let selfDecomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual([
        scalar
      ])
      if selfDecomposed {
        check("marks", value, BertCharacterClassProbe.isNonspacingMark(scalar), marks.contains(value))
      }
      let expectedLower = classes.lowercase[String(value)] ?? [value]
      let gotLower = BertCharacterClassProbe.lowercased(scalar).map(\.value)
      if gotLower != expectedLower { wrong["lowercase", default: []].append(String(value, radix: 16)) }
    }
    for (name, values) in wrong.sorted(by: { $0.key < $1.key }) {
      Issue.record("\(name): \(values.count) code points differ, first: \(values.prefix(40))")
    }
  }
}
