import Foundation
import Testing

/// `arbor taxonomy convert` on hostile XML: non-zero exit, the file named on stderr, no output file.
@Suite("arbor CLI on hostile XML")
struct HostileInputCLITests {
  static let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static let hostileFixtures = [
    "xml/hostile/xxe.xml", "xml/hostile/billion-laughs.xml", "xml/hostile/truncated.xml",
    "xml/hostile/invalid-utf8.xml", "xml/hostile/schema-invalid.xml", "xml/hostile/unknown-parent.xml",
    "skos/hostile/xxe.rdf", "skos/hostile/billion-laughs.rdf",
  ]

  @Test("convert fails cleanly on each hostile fixture", arguments: hostileFixtures)
  func convertRefuses(_ fixture: String) throws {
    #expect(
      FileManager.default.isExecutableFile(atPath: arborExecutable().path), "build the arbor product first")
    let directory = try makeTemporaryDirectory().path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let input = directory + "/" + URL(fileURLWithPath: fixture).lastPathComponent
    try FileManager.default.copyItem(
      atPath: Self.repositoryRoot + "/Tests/ArborTreeTests/Fixtures/" + fixture, toPath: input)
    let output = directory + "/OUT.json"
    let start = ContinuousClock.now
    let result = try runArbor(["taxonomy", "convert", input, output])
    let elapsed = ContinuousClock.now - start
    #expect(result.status != 0)
    #expect(result.stderr.contains("arbor: " + input + ":"), "\(result.stderr)")
    #expect(!result.stderr.contains("root:x:"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 1, "left files behind")
    #expect(elapsed < .seconds(5), "took \(elapsed)")
  }

  @Test("convert turns 100 MB of junk into an error without output")
  func convertRefusesJunk() throws {
    let directory = try makeTemporaryDirectory().path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let input = directory + "/junk.xml"
    var bytes = [UInt8](repeating: 0, count: 100 << 20)
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    bytes.withUnsafeMutableBytes { raw in
      let words = raw.bindMemory(to: UInt64.self)
      for i in words.indices {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        words[i] = state
      }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: input))
    let output = directory + "/OUT.json"
    let result = try runArbor(["taxonomy", "convert", input, output])
    #expect(result.status != 0)
    #expect(result.stderr.contains("arbor: " + input), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
  }
}
