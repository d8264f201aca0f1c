import Foundation
import Testing

@Suite struct TaxonomyCLITests {
  let sample = """
    {"format": "arbor-taxonomy", "version": 1, "nodes": [
      {"id": "r", "label": "Root", "parents": []},
      {"id": "a", "label": "A", "parents": ["r"]},
      {"id": "b", "label": "B", "parents": ["r"]},
      {"id": "c", "label": "C", "parents": ["a", "b"]}
    ]}
    """

  @Test func statsAsJSON() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("t.json").path
    try sample.write(toFile: file, atomically: true, encoding: .utf8)
    let result = try runArbor(["taxonomy", "stats", file, "--json"])
    #expect(result.status == 0)
    let stats = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(stats?["nodes"] as? Int == 4)
    #expect(stats?["edges"] as? Int == 4)
    #expect(stats?["leaves"] as? Int == 1)
    #expect(stats?["multi_parent_nodes"] as? Int == 1)
    #expect(stats?["max_depth"] as? Int == 2)
    #expect(stats?["nodes_per_level"] as? [Int] == [1, 2, 1])
  }

  @Test func wordNetNounStatsThroughTheCLI() throws {
    guard let nouns = installedWordNetNouns else {
      print("SKIP wordNetNounStatsThroughTheCLI: WordNet not installed (apt-get install wordnet-base)")
      return
    }
    let result = try runArbor(["taxonomy", "stats", nouns, "--json"])
    #expect(result.status == 0)
    let stats = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(stats?["nodes"] as? Int == 82_115)
    #expect(stats?["roots"] as? Int == 1)
    #expect(stats?["multi_parent_nodes"] as? Int == 2_213)
    #expect(stats?["leaves"] as? Int == 64_958)
    #expect(stats?["max_depth"] as? Int == 18)
  }

  @Test func validateReportsEveryProblemWithLines() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("bad.json").path
    let bad = """
      {"nodes": [
        {"id": "r", "parents": []},
        {"id": "a", "parents": ["r", "ghost"]},
        {"id": "a", "parents": ["r"]}
      ]}
      """
    try bad.write(toFile: file, atomically: true, encoding: .utf8)
    let result = try runArbor(["taxonomy", "validate", file])
    #expect(result.status == 1)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains("\(file):4: duplicate id 'a' (first defined at \(file):3)"))
    #expect(lines.contains("\(file):3: 'a' names unknown parent id 'ghost'"))
    #expect(lines.count == 2)

    try sample.write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try runArbor(["taxonomy", "validate", file]).status == 0)
  }

  @Test func usageErrorsExitTwo() throws {
    #expect(try runArbor(["taxonomy", "validate"]).status == 2)
    #expect(try runArbor(["taxonomy", "show", "x.json", "--depth", "-1"]).status == 2)
    #expect(try runArbor(["taxonomy", "convert", "a.json", "b.obo"]).status != 0)
  }

  @Test func convertIsAtomicAndLeavesNothingOnFailure() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("cyclic.tsv").path
    try "x\ty\ny\tz\nz\tx\n".write(toFile: input, atomically: true, encoding: .utf8)
    let output = dir.appendingPathComponent("out.json").path
    let result = try runArbor(["taxonomy", "convert", input, output])
    #expect(result.status == 1)
    #expect(result.stderr.contains(input))
    #expect(result.stderr.contains("cycle"))
    #expect(!FileManager.default.fileExists(atPath: output))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["cyclic.tsv"])
  }

  @Test func wordNetToJSONToTSVAndBack() throws {
    guard let nouns = installedWordNetNouns else {
      print("SKIP wordNetToJSONToTSVAndBack: WordNet not installed (apt-get install wordnet-base)")
      return
    }
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let json = dir.appendingPathComponent("n.json").path
    let tsv = dir.appendingPathComponent("n.tsv").path
    let json2 = dir.appendingPathComponent("n2.json").path
    #expect(try runArbor(["taxonomy", "convert", nouns, json]).status == 0)
    #expect(try runArbor(["taxonomy", "convert", json, tsv]).status == 0)
    #expect(try runArbor(["taxonomy", "convert", tsv, json2]).status == 0)
    // TSV keeps the structure but not the labels; compare the edge lists.
    let tsv2 = dir.appendingPathComponent("n2.tsv").path
    #expect(try runArbor(["taxonomy", "convert", json2, tsv2]).status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: tsv)) == Data(contentsOf: URL(fileURLWithPath: tsv2)))
  }

  @Test func showPrintsAnIndentedTree() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("t.json").path
    try sample.write(toFile: file, atomically: true, encoding: .utf8)
    let result = try runArbor(["taxonomy", "show", file])
    #expect(result.stdout == "Root [r]\n  A [a]\n    C [c]\n  B [b]\n    C [c]\n")
    let limited = try runArbor(["taxonomy", "show", file, "--node", "a", "--depth", "0"])
    #expect(limited.stdout == "A [a]\n")
    let missing = try runArbor(["taxonomy", "show", file, "--node", "zz"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("zz"))
  }

  @Test func showListsSharedChildrenOnceAndCapsIndentation() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // A diamond whose shared node has a child: its children appear under its first occurrence only.
    let diamond = dir.appendingPathComponent("d.json").path
    try """
    {"format": "arbor-taxonomy", "version": 1, "nodes": [
      {"id": "r", "label": "Root", "parents": []},
      {"id": "a", "label": "A", "parents": ["r"]},
      {"id": "b", "label": "B", "parents": ["r"]},
      {"id": "c", "label": "C", "parents": ["a", "b"]},
      {"id": "d", "label": "D", "parents": ["c"]}
    ]}
    """.write(toFile: diamond, atomically: true, encoding: .utf8)
    let shown = try runArbor(["taxonomy", "show", diamond])
    #expect(shown.status == 0)
    let expected = "Root [r]\n  A [a]\n    C [c]\n      D [d]\n  B [b]\n    C [c] (children shown above)\n"
    #expect(shown.stdout == expected)
    // A chain 40 deep: lines below level 32 keep level 32's indentation and name their level.
    let chain = dir.appendingPathComponent("chain.tsv").path
    let edges = (1...40).map { "n\($0 - 1)\tn\($0)\n" }.joined()
    try edges.write(toFile: chain, atomically: true, encoding: .utf8)
    let deep = try runArbor(["taxonomy", "show", chain])
    #expect(deep.status == 0)
    let lines = deep.stdout.split(separator: "\n")
    #expect(lines.count == 41)
    #expect(lines[32] == String(repeating: "  ", count: 32) + "n32 [n32]")
    #expect(lines[40] == String(repeating: "  ", count: 32) + "[level 40] n40 [n40]")
  }

  @Test func versionAndHelp() throws {
    let version = try runArbor(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    for command in [["taxonomy"], ["taxonomy", "stats"], ["taxonomy", "convert"], ["taxonomy", "show"]] {
      let help = try runArbor(command + ["--help"])
      #expect(help.status == 0)
      #expect(help.stdout.contains("USAGE"))
    }
  }
}
