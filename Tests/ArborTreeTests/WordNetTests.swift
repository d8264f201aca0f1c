import ArborTree
import Testing

@Suite struct WordNetFormatTests {
  @Test func parsesADataLine() throws {
    // A synset line in WordNet 3.0's data.noun layout (w_cnt is hexadecimal: 0b = 11 words would be
    // too long here, so this line uses 02), with one hypernym and one instance hypernym pointer.
    let line =
      "00000042 03 n 02 big_cat 0 Felis_major 1 003 @ 00000007 n 0000 @i 00000009 n 0000 ~ 00000011 n 0000 | a large cat; \"lions\"  \n"
    var text = "  1 This is a license header line\n"
    text += "00000007 03 n 01 cat 0 000 | feline\n"
    text += "00000009 03 n 01 predator 0 000 | hunter\n"
    text += line
    text += "00000011 03 n 01 lion 0 001 @ 00000042 n 0000 | king\n"
    let t = try Taxonomy.parse(Array(text.utf8), format: .wordnet)
    // Two top concepts (cat, predator) get a synthetic root.
    #expect(t.hasSyntheticRoot)
    let node = t.index(of: "wn:00000042")!
    #expect(t.label(node) == "big cat")
    #expect(t.alternativeLabels(node) == ["Felis major"])
    #expect(t.definition(node) == "a large cat; \"lions\"")
    #expect(t.parents(of: node).map(t.id) == ["wn:00000007", "wn:00000009"])
    #expect(t.children(of: node).map(t.id) == ["wn:00000011"])
  }

  @Test func hexadecimalWordCount() throws {
    // w_cnt "0a" is ten words.
    let words = (0..<10).map { "w\($0) 0" }.joined(separator: " ")
    let text = "00000001 03 n 0a \(words) 000 | ten words\n"
    let t = try Taxonomy.parse(Array(text.utf8), format: .wordnet)
    #expect(t.alternativeLabels(0).count == 9)
  }

  @Test func badLineIsReported() {
    do {
      _ = try Taxonomy.parse(Array("  header\nnot a synset line\n".utf8), format: .wordnet, file: "data.noun")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics.first?.location == SourceLocation(file: "data.noun", line: 2))
    }
  }

  /// Negative counts made `0..<count` trap; they are reported on their line like any bad field.
  @Test(arguments: [
    ("00000001 03 n -1 cat 0 000 | a cat\n", "w_cnt must be a hexadecimal count"),
    ("00000001 03 n 01 cat 0 -2 @ 00000002 n 0000 | a cat\n", "missing or invalid p_cnt"),
  ])
  func negativeCountsAreReported(line: String, message: String) {
    do {
      _ = try Taxonomy.parse(Array(("  header\n" + line).utf8), format: .wordnet, file: "data.noun")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics.first?.location == SourceLocation(file: "data.noun", line: 2))
      #expect(error.diagnostics.first?.message.contains(message) == true, "\(error)")
    }
  }

  /// The counts the foundation issue states for WordNet 3.0 nouns.
  @Test func wordNetNounStatistics() throws {
    guard let path = wordNetNounsPath else {
      print("SKIP wordNetNounStatistics: WordNet data.noun not installed (apt-get install wordnet-base)")
      return
    }
    let t = try Taxonomy.read(from: path)
    let stats = TaxonomyStatistics(t)
    #expect(stats.nodes == 82_115)
    #expect(stats.roots == 1)
    #expect(!stats.syntheticRoot)
    #expect(stats.multiParentNodes == 2_213)
    #expect(stats.leaves == 64_958)
    #expect(stats.maximumDepth == 18)
    #expect(t.label(t.root) == "entity")
    #expect(t.id(t.root) == "wn:00001740")
  }

  @Test func finderAgreesWithSetBasedLCAOnWordNet() throws {
    guard let path = wordNetNounsPath else {
      print("SKIP finderAgreesWithSetBasedLCAOnWordNet: WordNet data.noun not installed")
      return
    }
    let t = try Taxonomy.read(from: path)
    var finder = LowestCommonAncestorFinder(t)
    var state: UInt64 = 12345
    func next() -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(t.count))
    }
    for _ in 0..<2000 {
      let a = next()
      let b = next()
      let expected = t.lowestCommonAncestors(a, b)
      #expect(expected.contains(finder(a, b)))
      #expect(finder(a, b) == expected.first)
    }
    // dog and cat meet at carnivore.
    let dog = t.index(of: "wn:02084071")!
    let cat = t.index(of: "wn:02121620")!
    #expect(t.label(finder(dog, cat)) == "carnivore")
  }
}
