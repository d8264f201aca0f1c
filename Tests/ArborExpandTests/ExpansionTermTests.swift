import ArborTree
import Foundation
import Testing

@testable import ArborExpand

@Suite struct ExpansionTermTests {
  func write(_ text: String, name: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "arbor-expand-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name).path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func nodeTextMatchesTheCorpusForm() {
    // wn-noun-expand's text field: lemmas joined by ", ", then ": " and the gloss.
    #expect(
      ExpansionText.compose(
        label: "Friedman", alternativeLabels: ["Milton Friedman"], definition: "economist")
        == "Friedman, Milton Friedman: economist")
    #expect(ExpansionText.compose(label: "dog", alternativeLabels: [], definition: nil) == "dog")
    #expect(ExpansionText.compose(label: "dog", alternativeLabels: [], definition: "") == "dog")
  }

  @Test func readsJSONLAndTSV() throws {
    let jsonl = try write(
      """
      {"id": "t1", "label": "terrier", "altLabels": ["earthdog"], "definition": "a small dog"}

      {"id": 7, "label": "ketch"}
      """, name: "terms.jsonl")
    let terms = try ExpansionTerm.read(from: jsonl)
    #expect(
      terms == [
        ExpansionTerm(id: "t1", label: "terrier", alternativeLabels: ["earthdog"], definition: "a small dog"),
        ExpansionTerm(id: "7", label: "ketch"),
      ])
    let tsv = try write("# id\tlabel\tdefinition\nt1\tterrier\ta small dog\nt2\tketch\n", name: "terms.tsv")
    #expect(try ExpansionTerm.read(from: tsv).map(\.definition) == ["a small dog", nil])
  }

  @Test func badTermsFailWithFileAndLine() throws {
    let cases: [(String, String)] = [
      (
        "{\"id\": \"a\", \"label\": \"x\"}\n{\"id\": \"a\", \"label\": \"y\"}\n",
        "terms.jsonl:2: term id \"a\" repeats line 1"
      ),
      ("{\"id\": \"a\", \"label\": \"  \"}\n", "terms.jsonl:1: empty \"label\""),
      ("{\"id\": \"\", \"label\": \"x\"}\n", "terms.jsonl:1: empty term id"),
      ("{\"label\": \"x\"}\n", "terms.jsonl:1: missing field \"id\""),
      ("{\"id\": \"a\", \"label\": 3}\n", "terms.jsonl:1: field \"label\" must be a string"),
      ("{\"id\": \"a\", \"label\": \"x\"\n", "terms.jsonl:1: invalid JSON"),
      ("\n\n", "terms.jsonl: no terms"),
    ]
    for (text, expected) in cases {
      let path = try write(text, name: "terms.jsonl")
      do {
        _ = try ExpansionTerm.read(from: path)
        Issue.record("expected an error for \(text)")
      } catch {
        #expect(error.description.contains(expected), "\(error.description) should contain \(expected)")
      }
    }
  }

  @Test func termIDsMustBeNew() throws {
    let taxonomy = try ToyTaxonomy.make()
    let path = try write("{\"id\": \"dog\", \"label\": \"hound\"}\n", name: "terms.jsonl")
    #expect(throws: TaxonomyError.self) { try ExpansionTerm.read(from: path, checkingAgainst: taxonomy) }
  }

  @Test func bulkAddingKeepsExistingNodesAndAddsEveryEdge() throws {
    let taxonomy = try ToyTaxonomy.make()
    let node = { (id: String) in
      TaxonomyNode(id: id, label: id, alternativeLabels: [], definition: nil, attributes: [:])
    }
    let expanded = try taxonomy.adding([(node("x"), ["dog", "boat"]), (node("y"), ["fruit"])])
    #expect(expanded.count == taxonomy.count + 2)
    for index in taxonomy.indices {
      #expect(expanded.id(index) == taxonomy.id(index))
      #expect(expanded.attributes(index) == taxonomy.attributes(index))
    }
    let x = try #require(expanded.index(of: "x"))
    #expect(Set(expanded.parents(of: x).map(expanded.id)) == ["dog", "boat"])
    let y = try #require(expanded.index(of: "y"))
    #expect(expanded.parents(of: y).map(expanded.id) == ["fruit"])
    #expect(throws: TaxonomyError.self) {
      try taxonomy.adding([(node("x"), ["dog"]), (node("x"), ["boat"])])
    }
    #expect(throws: TaxonomyError.self) { try taxonomy.adding([(node("x"), ["nowhere"])]) }
    #expect(throws: TaxonomyError.self) { try taxonomy.adding([(node("dog"), ["boat"])]) }
  }
}
