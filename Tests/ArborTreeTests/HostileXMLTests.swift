import Foundation
import Testing

@testable import ArborTree

/// Inputs meant to hurt an XML reader: each must end in a clear error, fast, with nothing leaked.
@Suite("Hostile XML input")
struct HostileXMLTests {
  typealias Support = XMLTestSupport

  /// What a hostile fixture must produce: the kind of error and a phrase of its message, with a line.
  struct Case: CustomTestStringConvertible, Sendable {
    var fixture: String
    var format: TaxonomyFormat
    var line: Int
    var phrase: String
    var testDescription: String { fixture }
  }

  static let cases: [Case] = [
    Case(fixture: "xml/hostile/xxe.xml", format: .xml, line: 2, phrase: "<!DOCTYPE> is not accepted"),
    Case(
      fixture: "xml/hostile/xxe-parameter.xml", format: .xml, line: 2, phrase: "<!DOCTYPE> is not accepted"),
    Case(
      fixture: "xml/hostile/external-dtd.xml", format: .xml, line: 2, phrase: "<!DOCTYPE> is not accepted"),
    Case(
      fixture: "xml/hostile/billion-laughs.xml", format: .xml, line: 2, phrase: "<!DOCTYPE> is not accepted"),
    Case(fixture: "xml/hostile/truncated.xml", format: .xml, line: 8, phrase: "Premature end of data"),
    Case(fixture: "xml/hostile/invalid-utf8.xml", format: .xml, line: 4, phrase: "not proper UTF-8"),
    Case(
      fixture: "xml/hostile/schema-invalid.xml", format: .xml, line: 8,
      phrase: "does not match Schemas/taxonomy.xsd: Element '{https://arbor.dev/ns/taxonomy/1}label': "
        + "This element is not expected"),
    Case(
      fixture: "xml/hostile/unknown-parent.xml", format: .xml, line: 8, phrase: "unknown parent id 'canine'"),
    Case(
      fixture: "xml/hostile/cycle.xml", format: .xml, line: 6, phrase: "cycle through 2 nodes: a -> b -> a"),
    Case(
      fixture: "skos/hostile/xxe.rdf", format: .skos, line: 3, phrase: "entity declarations are not accepted"),
    Case(
      fixture: "skos/hostile/billion-laughs.rdf", format: .skos, line: 3,
      phrase: "entity declarations are not accepted"),
    Case(
      fixture: "skos/hostile/external-dtd.rdf", format: .skos, line: 6, phrase: "&secret; is not accepted"),
  ]

  @Test("each hostile file ends in an error naming the file and line, in under a second", arguments: cases)
  func hostileFixture(_ example: Case) throws {
    let path = Support.fixture(example.fixture)
    let bytes = try ArborFile.readBytes(path)
    let result = Support.expectFailure(bytes, format: example.format, file: path)
    let error = try #require(result.error, "\(example.fixture) was accepted")
    #expect(result.seconds < 1, "took \(result.seconds) s")
    let matching = error.diagnostics.filter { $0.message.contains(example.phrase) }
    #expect(!matching.isEmpty, "\(error)")
    #expect(matching.first?.location == SourceLocation(file: path, line: example.line), "\(error)")
    #expect(error.diagnostics.allSatisfy { $0.description.hasPrefix(path) }, "\(error)")
  }

  @Test("external entities never bring a local file's content into the result or the error")
  func externalEntitiesNeverLoad() throws {
    let passwd = (try? ArborFile.readBytes("/etc/passwd")).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let firstLine = passwd.split(separator: "\n").first.map(String.init) ?? "root:x:0:0"
    for (fixture, format) in [
      ("xml/hostile/xxe.xml", TaxonomyFormat.xml), ("xml/hostile/xxe-parameter.xml", .xml),
      ("xml/hostile/external-dtd.xml", .xml), ("skos/hostile/xxe.rdf", .skos),
      ("skos/hostile/external-dtd.rdf", .skos),
    ] {
      let bytes = try ArborFile.readBytes(Support.fixture(fixture))
      let error = try #require(Support.expectFailure(bytes, format: format, file: fixture).error)
      #expect(!error.description.contains(firstLine), "\(fixture): \(error)")
      #expect(!error.description.contains("root:"), "\(fixture): \(error)")
    }
  }

  @Test("schema-location hints and external DTDs are never loaded (loading /etc/passwd would fail the parse)")
  func hintsAreNotFollowed() throws {
    let xml = """
      <?xml version="1.0"?>
      <taxonomy xmlns="https://arbor.dev/ns/taxonomy/1" version="1"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:schemaLocation="https://arbor.dev/ns/taxonomy/1 file:///etc/passwd">
        <node id="a"><label>A</label></node>
      </taxonomy>
      """
    let taxonomy = try Taxonomy.parse(Array(xml.utf8), format: .xml, file: "hint.xml")
    #expect(taxonomy.count == 1 && taxonomy.label(0) == "A")
    let rdf = """
      <?xml version="1.0"?>
      <!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd">
      <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
               xmlns:skos="http://www.w3.org/2004/02/skos/core#">
        <skos:Concept rdf:about="a"><skos:prefLabel>A</skos:prefLabel></skos:Concept>
      </rdf:RDF>
      """
    let skos = try Taxonomy.parse(Array(rdf.utf8), format: .skos, file: "dtd.rdf")
    #expect(skos.count == 1 && skos.label(0) == "A")
  }

  @Test("the SKOS reader reports structural problems with their lines")
  func skosProblems() throws {
    let path = Support.fixture("skos/hostile/problems.rdf")
    let error = try #require(
      Support.expectFailure(try ArborFile.readBytes(path), format: .skos, file: "problems.rdf").error)
    #expect(
      error.diagnostics.map(\.description) == [
        "problems.rdf:8: <skos:broader> has no rdf:resource; expected rdf:resource=\"...\" or a nested "
          + "description of the concept",
        "problems.rdf:11: a skos:Concept without rdf:about or rdf:ID; Arbor needs an IRI to use as the node id",
        "problems.rdf:9: skos:broader names <canine> as a broader concept, which is not described in this file",
      ])
  }

  @Test("empty input and a document that is only a prolog are errors")
  func emptyInput() throws {
    for format in [TaxonomyFormat.xml, .skos] {
      let empty = try #require(Support.expectFailure([], format: format, file: "empty.xml").error)
      #expect(empty.description.hasPrefix("empty.xml"), "\(empty)")
      let prolog = Array("<?xml version=\"1.0\"?>\n".utf8)
      let error = try #require(Support.expectFailure(prolog, format: format, file: "prolog.xml").error)
      #expect(error.description.hasPrefix("prolog.xml"), "\(error)")
    }
  }

  /// Writes `size` bytes made by `fill` to a temporary file, reads it back and parses it as `format`.
  private func parseLargeFile(
    _ name: String, size: Int, format: TaxonomyFormat, fill: (inout [UInt8]) -> Void
  ) throws -> (error: TaxonomyError?, seconds: Double, path: String) {
    let directory = try Support.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/" + name
    do {
      var bytes: [UInt8] = []
      bytes.reserveCapacity(size)
      fill(&bytes)
      #expect(bytes.count == size)
      try ArborFile.writeAtomically(bytes, to: path)
    }
    let bytes = try ArborFile.readBytes(path)
    #expect(bytes.count == size)
    let result = Support.expectFailure(bytes, format: format, file: path)
    return (result.error, result.seconds, path)
  }

  @Test("100 MB of junk ends in an error in under a second", arguments: [TaxonomyFormat.xml, .skos])
  func hundredMegabytesOfJunk(_ format: TaxonomyFormat) throws {
    let result = try parseLargeFile("junk.xml", size: 100 << 20, format: format) { bytes in
      // A fixed-seed xorshift generator: the same junk every run.
      var state: UInt64 = 0x9E37_79B9_7F4A_7C15
      bytes = [UInt8](repeating: 0, count: 100 << 20)
      bytes.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for i in words.indices {
          state ^= state << 13
          state ^= state >> 7
          state ^= state << 17
          words[i] = state
        }
      }
    }
    let error = try #require(result.error)
    #expect(result.seconds < 1, "took \(result.seconds) s")
    #expect(error.description.hasPrefix(result.path), "\(error)")
    #expect(error.diagnostics.count <= 20)
  }

  @Test(
    "100 MB of well-formed-looking junk (one huge text node, deep nesting) ends in an error in under a second"
  )
  func hundredMegabytesOfStructuredJunk() throws {
    let prefix = Array(
      "<?xml version=\"1.0\"?>\n<taxonomy xmlns=\"https://arbor.dev/ns/taxonomy/1\" version=\"1\">\n".utf8)
    let text = try parseLargeFile("text.xml", size: 100 << 20, format: .xml) { bytes in
      bytes = prefix + [UInt8](repeating: UInt8(ascii: "x"), count: (100 << 20) - prefix.count)
    }
    let textError = try #require(text.error)
    #expect(text.seconds < 1, "took \(text.seconds) s")
    #expect(textError.description.hasPrefix(text.path), "\(textError)")

    let chunk = Array(String(repeating: "<a>", count: 1 << 18).utf8)  // 768 KiB; 134 of them make 100 MiB
    let deep = try parseLargeFile("deep.xml", size: 134 * chunk.count, format: .xml) { bytes in
      for _ in 0..<134 { bytes.append(contentsOf: chunk) }
    }
    let deepError = try #require(deep.error)
    #expect(deep.seconds < 1, "took \(deep.seconds) s")
    #expect(deepError.description.hasPrefix(deep.path + ":1: "), "\(deepError)")
  }
}
