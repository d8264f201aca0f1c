import Foundation
import Testing

@testable import ArborTree

@Suite("Arbor XML format")
struct XMLFormatTests {
  typealias Support = XMLTestSupport

  @Test("the embedded schema equals Schemas/taxonomy.xsd byte for byte")
  func embeddedSchemaMatchesFile() throws {
    let file = try ArborFile.readBytes(Support.repositoryRoot + "/Schemas/taxonomy.xsd")
    #expect(Array(ArborXMLSchema.text.utf8) == file, "run scripts/embed-xsd.sh after editing the schema")
  }

  @Test("the hand-written fixture reads as its hand-written JSON twin")
  func fixtureMatchesJSON() throws {
    let fromXML = try Taxonomy.read(from: Support.fixture("xml/small.xml"))
    let fromJSON = try Taxonomy.read(from: Support.fixture("xml/small.json"))
    #expect(fromXML.count == 8)
    #expect(Support.summary(fromXML) == Support.summary(fromJSON))
    let dog = try #require(fromXML.index(of: "dog"))
    #expect(fromXML.parents(of: dog).map { fromXML.id($0) } == ["mammal", "pet"])
    #expect(fromXML.alternativeLabels(dog) == ["Hund", "chien"])
    let animal = try #require(fromXML.index(of: "animal"))
    #expect(
      fromXML.definition(animal)
        == "A living organism that feeds on organic matter & moves: \"fauna\" <kingdom> 'Metazoa'.")
    #expect(fromXML.attributes(animal) == ["rank": "kingdom", "source": "hand-written"])
    let cat = try #require(fromXML.index(of: "cat"))
    #expect(fromXML.label(cat) == "Katze \u{2013} chat \u{2013} \u{30CD}\u{30B3} \u{1F408}")
    #expect(!fromXML.hasSyntheticRoot)
  }

  @Test("XML -> taxonomy -> XML is byte-identical on the fixture")
  func xmlRoundTripIsByteIdentical() throws {
    let bytes = try ArborFile.readBytes(Support.fixture("xml/small.xml"))
    let taxonomy = try Taxonomy.parse(bytes, format: .xml, file: "small.xml")
    #expect(Array(try taxonomy.serialized(as: .xml).utf8) == bytes)
  }

  @Test("JSON -> XML -> JSON is byte-identical on the fixture, and the XML is the hand-written file")
  func jsonRoundTripIsByteIdentical() throws {
    let json = try ArborFile.readBytes(Support.fixture("xml/small.json"))
    let xml = try Taxonomy.parse(json, format: .json).serialized(as: .xml)
    #expect(Array(xml.utf8) == (try ArborFile.readBytes(Support.fixture("xml/small.xml"))))
    let back = try Taxonomy.parse(Array(xml.utf8), format: .xml).serialized(as: .json)
    #expect(Array(back.utf8) == json)
  }

  @Test("a differently written document (prefix, CDATA, character references, comments) reads the same")
  func variantReadsTheSame() throws {
    let variant = try Taxonomy.read(from: Support.fixture("xml/small-variant.xml"))
    let canonical = try Taxonomy.read(from: Support.fixture("xml/small.xml"))
    #expect(Support.summary(variant) == Support.summary(canonical))
    #expect(variant.indices.map { variant.id($0) } == canonical.indices.map { canonical.id($0) })
  }

  @Test("special and control characters, backslashes and a synthetic root survive a round trip")
  func awkwardStringsRoundTrip() throws {
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "a&<>\"'b", label: "quote \" apostrophe ' amp & lt < gt > ]]>"))
    builder.addNode(
      TaxonomyNode(
        id: "ctrl\u{1}id", label: "bell\u{7} nul\u{0} esc\u{1B}",
        alternativeLabels: ["back\\slash \\u0041", "\u{FFFE}"],
        definition: "tab\tnewline\ncarriage\rreturn\r\n", attributes: ["k\u{2}": "v\u{1F}", "plain": "\\"]))
    builder.addNode(
      TaxonomyNode(
        id: "plain\\id", label: "  leading and trailing spaces  ", alternativeLabels: [""], definition: "",
        attributes: ["": "empty key", "tab\tkey": "line\nvalue"]))
    builder.addEdge(parent: "ctrl\u{1}id", child: "plain\\id")
    let taxonomy = try builder.build()
    #expect(taxonomy.hasSyntheticRoot)
    let xml = try taxonomy.serialized(as: .xml)
    // XML 1.0 cannot carry these at all, not even as character references.
    for forbidden: Unicode.Scalar in ["\u{0}", "\u{1}", "\u{7}", "\u{1B}", "\u{FFFE}"] {
      #expect(!xml.unicodeScalars.contains(forbidden))
    }
    #expect(xml.contains("escaped=\"true\""))
    let back = try Taxonomy.parse(Array(xml.utf8), format: .xml, file: "awkward.xml")
    #expect(Support.summary(back) == Support.summary(taxonomy))
    #expect(back.hasSyntheticRoot && back.id(back.root) == Taxonomy.syntheticRootID)
    #expect(Array(try back.serialized(as: .xml).utf8) == Array(xml.utf8))
    #expect(try back.serialized(as: .json) == taxonomy.serialized(as: .json))
  }

  @Test("a malformed backslash escape in an escaped node is an error with its line")
  func malformedEscape() throws {
    let xml = """
      <?xml version="1.0"?>
      <taxonomy xmlns="https://arbor.dev/ns/taxonomy/1" version="1">
        <node id="a" escaped="true">
          <label>bad \\q escape</label>
        </node>
      </taxonomy>
      """
    let result = Support.expectFailure(Array(xml.utf8), format: .xml, file: "escape.xml")
    let error = try #require(result.error)
    #expect(error.description.hasPrefix("escape.xml:4: malformed escape in <label>"))
  }

  @Test("builder problems carry the element's line, also past line 65535")
  func lineNumbersPastLibxml2Limit() throws {
    var xml = "<?xml version=\"1.0\"?>\n<taxonomy xmlns=\"https://arbor.dev/ns/taxonomy/1\" version=\"1\">\n"
    xml += "  <node id=\"root\"/>\n"
    for i in 0..<25_000 {
      xml += "  <node id=\"n\(i)\">\n    <parent ref=\"root\"/>\n  </node>\n"
    }
    // Lines so far: 3 + 3 * 25,000 = 75,003; the next node starts on line 75,004.
    xml += "  <node id=\"late\">\n    <label>Late</label>\n    <parent ref=\"missing\"/>\n  </node>\n"
    xml += "  <node id=\"n7\"/>\n</taxonomy>\n"
    let result = Support.expectFailure(Array(xml.utf8), format: .xml, file: "big.xml")
    let error = try #require(result.error)
    let lines = Set(error.diagnostics.map(\.description))
    #expect(lines.contains("big.xml:75006: 'late' names unknown parent id 'missing'"))
    #expect(lines.contains("big.xml:75008: duplicate id 'n7' (first defined at big.xml:25)"))
  }

  @Test("a wrong root element names what was expected")
  func wrongRoot() throws {
    let xml = "<?xml version=\"1.0\"?>\n<nodes>\n  <node id=\"a\"/>\n</nodes>\n"
    let error = try #require(Support.expectFailure(Array(xml.utf8), format: .xml, file: "root.xml").error)
    #expect(
      error.description
        == "root.xml:2: expected the root element <taxonomy xmlns=\"https://arbor.dev/ns/taxonomy/1\">, "
        + "found <nodes> without a namespace")
  }

  @Test("xmllint validates the writer's output against Schemas/taxonomy.xsd")
  func xmllintValidatesWriterOutput() throws {
    guard
      let xmllint = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first(
        where: FileManager.default.fileExists)
    else {
      print("skipped: xmllint is not installed (Debian package libxml2-utils)")
      return
    }
    let directory = try Support.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "x\u{1}", label: "control \u{2}", attributes: ["k": "v"]))
    builder.addNode(TaxonomyNode(id: "y", label: "plain"))
    let awkward = try builder.build()
    var files: [String] = []
    for (name, taxonomy) in [
      ("small", try Taxonomy.read(from: Support.fixture("xml/small.xml"))), ("awkward", awkward),
    ] {
      let path = directory + "/\(name).xml"
      try taxonomy.write(to: path, format: .xml)
      files.append(path)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: xmllint)
    process.arguments = ["--noout", "--schema", Support.repositoryRoot + "/Schemas/taxonomy.xsd"] + files
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(output)")
    #expect(output.components(separatedBy: " validates").count == files.count + 1, "\(output)")
  }

  @Test("WordNet nouns -> JSON -> XML -> JSON is byte-identical, and XML -> JSON -> XML too")
  func wordNetRoundTrip() throws {
    guard let wordNet = Support.wordNet else {
      print("skipped: \(Support.wordNetPath) is absent (Debian package wordnet-base)")
      return
    }
    let json = try wordNet.serialized(as: .json)
    let xml = try Taxonomy.parse(Array(json.utf8), format: .json).serialized(as: .xml)
    let fromXML = try Taxonomy.parse(Array(xml.utf8), format: .xml, file: "wordnet.xml")
    #expect(fromXML.count == 82_115)
    #expect(try fromXML.serialized(as: .json) == json)
    let jsonFromXML = try fromXML.serialized(as: .json)
    let xmlAgain = try Taxonomy.parse(Array(jsonFromXML.utf8), format: .json).serialized(as: .xml)
    #expect(xmlAgain == xml)
  }
}
