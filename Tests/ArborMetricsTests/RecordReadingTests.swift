import ArborTree
import Testing

@testable import ArborMetrics

/// JSONL reading: the fast and general paths agree, and bad input fails with file:line messages.
@Suite struct RecordReadingTests {
  static func hierarchy() throws -> LabelHierarchy {
    var builder = TaxonomyBuilder()
    for id in ["r", "a", "b", "a1", "q\"uote"] { builder.addNode(TaxonomyNode(id: id)) }
    for (p, c) in [("r", "a"), ("r", "b"), ("a", "a1"), ("b", "q\"uote")] {
      builder.addEdge(parent: p, child: c)
    }
    return LabelHierarchy(try builder.build())
  }

  static func parse(_ text: String, ignoringUnknown: Bool = false) throws(TaxonomyError) -> EvaluationRecords
  {
    // swift-format-ignore
    let h = (try? hierarchy())!
    return try EvaluationRecords.parse(
      Array(text.utf8), file: "f.jsonl", hierarchy: h, ignoringUnknown: ignoringUnknown)
  }

  static func message(_ text: String, ignoringUnknown: Bool = false) -> String {
    do {
      _ = try parse(text, ignoringUnknown: ignoringUnknown)
      return ""
    } catch {
      return error.description
    }
  }

  @Test func fastAndGeneralPathsAgree() throws {
    // The second line has an escape and an extra field, so it takes the general parser.
    let r = try Self.parse(
      "{\"id\": \"x\", \"labels\": [\"a1\", \"a\", \"a1\", \"r\"]}\n"
        + "{\"id\":\"y\",\"note\":1,\"labels\":[\"q\\\"uote\",\"\\u0061\"]}\n\n"
        + "{\"id\": 7, \"scores\": {\"b\": 0.5, \"a\": 2e-1, \"a1\": 0.5}}\n")
    #expect(r.count == 3)
    let h = try Self.hierarchy()
    func ids(_ s: ArraySlice<Int32>) -> [String] { s.map { h.taxonomy.id(Int($0)) } }
    #expect(ids(r.labels(0)) == ["a1", "a"])  // distinct, deepest first, root dropped
    #expect(ids(r.labels(1)) == ["q\"uote", "a"])
    #expect(r.id(2) == "7")
    #expect(ids(r.ranking(2)) == ["b", "a1", "a"])  // by score, ties in written order
    #expect(Array(r.rankingScores(2)) == [0.5, 0.5, 0.2])
    #expect(r.rankingScores(0).isEmpty)  // a ranking from labels has no scores
    #expect(ids(r.ranking(0)) == ["a1", "a"])  // labels as written, repeats and root dropped
    #expect(r.hasRankings)
    #expect(r.lines == [1, 2, 4])
  }

  @Test func extraFieldsAreSkippedOrParsed() throws {
    // ASCII text with escapes is skipped by the fast path; non-ASCII text and nested values go to
    // the full parser; both give the same records.
    let r = try Self.parse(
      "{\"id\": \"1\", \"text\": \"say \\\"hi\\\"\\n\\u00e9\", \"n\": -1.5e3, \"ok\": true, \"labels\": [\"a1\"]}\n"
        + "{\"id\": \"2\", \"text\": \"caf\u{e9}\", \"meta\": {\"x\": [1]}, \"labels\": [\"a1\"]}\n")
    #expect(r.count == 2)
    #expect(Array(r.labels(0)) == Array(r.labels(1)))
    // arbor classify's extra fields: nested arrays of strings and numbers.
    let c = try Self.parse(
      "{\"id\": \"1\", \"labels\": [\"a\", \"a1\"], \"paths\": [[\"a\", \"a1\"], []], \"path_scores\": [0.5, 1e-3]}\n"
    )
    let h = try Self.hierarchy()
    #expect(c.labels(0).map { h.taxonomy.id(Int($0)) } == ["a1", "a"])
    #expect(Self.message("{\"id\":\"1\",\"paths\":[[\"a\",]],\"labels\":[]}\n").contains("invalid JSON"))
    // Numbers JSON does not allow fail, whichever path reads them.
    #expect(Self.message("{\"id\":\"1\",\"scores\":{\"a\":01}}\n").contains("invalid JSON"))
    #expect(Self.message("{\"id\":\"1\",\"n\":+1,\"labels\":[]}\n").contains("invalid JSON"))
    #expect(Self.message("{\"id\":\"1\",\"text\":\"bad \\x\",\"labels\":[]}\n").contains("invalid JSON"))
  }

  @Test func unknownIdsAreListedAndCounted() throws {
    let text = "{\"id\":\"1\",\"labels\":[\"zz\",\"a\"]}\n{\"id\":\"2\",\"labels\":[\"yy\",\"zz\"]}\n"
    let m = Self.message(text)
    #expect(m.contains("3 label(s)"))
    #expect(m.contains("'zz' (line 1)") && m.contains("'yy' (line 2)"))
    #expect(m.contains("--ignore-unknown"))
    let r = try Self.parse(text, ignoringUnknown: true)
    #expect(r.droppedUnknownCount == 3)
    #expect(r.droppedUnknownExamples == ["zz", "yy"])
    #expect(r.labels(1).isEmpty)
  }

  @Test func duplicateIdsNameBothLines() {
    let m = Self.message(
      "{\"id\":\"1\",\"labels\":[]}\n{\"id\":\"2\",\"labels\":[]}\n{\"id\":\"1\",\"labels\":[]}\n")
    #expect(m == "f.jsonl:3: duplicate record id '1' (first at line 1)")
  }

  @Test func everyRepeatIsReportedInLineOrder() {
    let lines = ["1", "2", "1", "3", "2", "1"].map { "{\"id\":\"\($0)\",\"labels\":[]}\n" }
    #expect(
      Self.message(lines.joined())
        == """
        f.jsonl:3: duplicate record id '1' (first at line 1)
        f.jsonl:5: duplicate record id '2' (first at line 2)
        f.jsonl:6: duplicate record id '1' (first at line 1)
        """)
  }

  @Test func recordsAreFoundById() throws {
    let r = try Self.parse("{\"id\":\"x\",\"labels\":[]}\n{\"id\":\"y\",\"labels\":[]}\n")
    #expect(r.index(of: "y") == 1)
    #expect(r.index(of: "z") == nil)
    #expect(r.id(0) == "x")
  }

  @Test func emptyAndMalformedFilesFailClearly() {
    #expect(Self.message("") == "f.jsonl:1: no records: expected one JSON object per line")
    #expect(Self.message("\n  \n") == "f.jsonl:1: no records: expected one JSON object per line")
    #expect(
      Self.message("{\"id\":\"1\",\"labels\":[]}\n{\"id\":\"2\",\"labels\":[\"a\"}\n").hasPrefix(
        "f.jsonl:2: invalid JSON"))
    #expect(Self.message("[1]\n") == "f.jsonl:1: expected a JSON object per line, found an array")
    #expect(Self.message("{\"labels\":[\"a\"]}\n") == "f.jsonl:1: missing field \"id\"")
    #expect(
      Self.message("{\"id\":\"1\",\"labels\":\"a\"}\n").contains("\"labels\" must be an array of strings"))
    #expect(
      Self.message("{\"id\":\"1\",\"scores\":{\"a\":\"x\"}}\n").contains("score of 'a' must be a number"))
    #expect(Self.message("{\"id\":\"1\",\"ranking\":[\"a\"],\"scores\":{\"a\":1}}\n").contains("either"))
  }

  @Test func alignmentCountsMissingAndExtra() throws {
    let gold = try Self.parse("{\"id\":\"1\",\"labels\":[\"a\"]}\n{\"id\":\"2\",\"labels\":[\"b\"]}\n")
    let pred = try Self.parse("{\"id\":\"2\",\"labels\":[\"b\"]}\n{\"id\":\"3\",\"labels\":[\"a\"]}\n")
    let (indices, missing, extra) = pred.aligned(to: gold)
    #expect(indices == [-1, 0])
    #expect(missing == 1 && extra == 1)
  }
}
