import ArborTree
import Foundation
import Testing

/// `arbor expand` end to end on the kitchen SKOS example (docs/examples/expand), and its errors.
@Suite struct ExpandCLITests {
  static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("docs/examples/expand")

  @Test func placesTermsWritesSKOSAndAReport() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let taxonomyPath = Self.example.appendingPathComponent("kitchen.rdf").path
    let output = directory.appendingPathComponent("expanded.rdf").path
    let report = directory.appendingPathComponent("report.jsonl").path
    let result = try runArbor([
      "expand", "--taxonomy", taxonomyPath, "--terms",
      Self.example.appendingPathComponent("new-terms.jsonl").path,
      "--out", output, "--report", report, "--top-k", "3",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let before = try Taxonomy.read(from: taxonomyPath)
    let after = try Taxonomy.read(from: output)
    #expect(after.count == before.count + 6)
    for node in before.indices {
      let id = before.id(node)
      let same = try #require(after.index(of: id))
      #expect(after.label(same) == before.label(node))
      #expect(Set(after.parents(of: same).map(after.id)) == Set(before.parents(of: node).map(before.id)))
    }
    // The intended parents (by hand); a sibling-vote scorer should get most of them.
    let intended = [
      "mango": "fruit", "kale": "vegetable", "cappuccino": "coffee", "brie": "cheese", "sourdough": "bread",
      "minttea": "tea",
    ]
    var right = 0
    for (term, parent) in intended {
      let node = try #require(after.index(of: "http://example.org/kitchen/" + term))
      #expect(after.parents(of: node).count == 1)
      if after.parents(of: node).map(after.id) == ["http://example.org/kitchen/" + parent] { right += 1 }
    }
    let reportText = try String(contentsOfFile: report, encoding: .utf8)
    #expect(right >= 4, "\(reportText)")
    let lines = reportText.split(separator: "\n")
    #expect(lines.count == 6)
    for line in lines {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let positions = try #require(object["positions"] as? [[String: Any]])
      #expect(positions.count == 3)
      let scores = positions.compactMap { $0["score"] as? Double }
      #expect(scores == scores.sorted(by: >))
      #expect((object["ranking"] as? [String])?.count == 3)
    }
  }

  @Test func badTermsFailWithoutWritingAnything() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let taxonomyPath = Self.example.appendingPathComponent("kitchen.rdf").path
    let cases: [(String, String)] = [
      (
        "{\"id\": \"n1\", \"label\": \"a\"}\n{\"id\": \"n1\", \"label\": \"b\"}\n",
        "terms.jsonl:2: term id \"n1\" repeats line 1"
      ),
      ("{\"id\": \"http://example.org/kitchen/apple\", \"label\": \"apple\"}\n", "already names a node"),
      ("{\"id\": \"n1\", \"label\": \"\"}\n", "terms.jsonl:1: empty \"label\""),
    ]
    for (text, message) in cases {
      let terms = directory.appendingPathComponent("terms.jsonl")
      try Data(text.utf8).write(to: terms)
      let output = directory.appendingPathComponent("out.rdf")
      let result = try runArbor([
        "expand", "--taxonomy", taxonomyPath, "--terms", terms.path, "--out", output.path,
      ])
      #expect(result.status == 1)
      #expect(result.stderr.contains(message), "\(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: output.path))
    }
    let usage = try runArbor(["expand", "--taxonomy", taxonomyPath, "--terms", "x.jsonl"])
    #expect(usage.status == 2)
  }

  @Test func readOnlyInputFormatNeedsTo() throws {
    guard let nouns = installedWordNetNouns else {
      print("skipped: WordNet data.noun is not installed")
      return
    }
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let terms = directory.appendingPathComponent("terms.tsv")
    try Data("t1\tterrier\ta small dog\n".utf8).write(to: terms)
    let result = try runArbor([
      "expand", "--taxonomy", nouns, "--terms", terms.path, "--out",
      directory.appendingPathComponent("out").path,
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("--to"), "\(result.stderr)")
  }
}
