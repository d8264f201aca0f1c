import Foundation
import Testing

@testable import ArborTree

@Suite("SKOS RDF/XML format")
struct SKOSFormatTests {
  typealias Support = XMLTestSupport
  static let base = "http://example.org/animals/"

  /// Reads `animals.expected-LANG.json`, which make_expected.py computed with rdflib.
  private func expected(_ language: String) throws -> JSONValue {
    let bytes = try ArborFile.readBytes(Support.fixture("skos/animals.expected-\(language).json"))
    return try JSONParser.parse(bytes)
  }

  @Test("the fixture reads as rdflib's reading of it says, in English and German", arguments: ["en", "de"])
  func fixtureMatchesRDFLib(_ language: String) throws {
    let taxonomy = try Taxonomy.read(
      from: Support.fixture("skos/animals.rdf"), options: TaxonomyReadOptions(language: language))
    let reference = try expected(language)
    let nodes = try #require(reference["nodes"]?.objectValue)
    let root = try #require(reference["syntheticRoot"])
    #expect(taxonomy.hasSyntheticRoot)
    #expect(taxonomy.id(taxonomy.root) == root["id"]?.stringValue)
    #expect(taxonomy.label(taxonomy.root) == root["label"]?.stringValue)
    #expect(taxonomy.count == nodes.count + 1)
    for (id, fields) in nodes {
      let node = try #require(taxonomy.index(of: id), "missing \(id)")
      #expect(taxonomy.label(node) == fields["label"]?.stringValue, "\(id)")
      #expect(
        taxonomy.alternativeLabels(node).sorted()
          == fields["altLabels"]?.arrayValue?.compactMap(\.stringValue),
        "\(id)")
      #expect(taxonomy.definition(node) == fields["definition"]?.stringValue, "\(id)")
    }
    var edges: [[String]] = []
    for node in taxonomy.indices {
      for parent in taxonomy.parents(of: node) { edges.append([taxonomy.id(parent), taxonomy.id(node)]) }
    }
    let expectedEdges = try #require(reference["edges"]?.arrayValue).map {
      $0.arrayValue?.compactMap(\.stringValue) ?? []
    }
    #expect(edges.sorted { $0.lexicographicallyPrecedes($1) } == expectedEdges)
  }

  @Test("concepts keep document order and parents keep statement order")
  func documentOrder() throws {
    let taxonomy = try Taxonomy.read(from: Support.fixture("skos/animals.rdf"))
    let b = Self.base
    // Hand-derived from animals.rdf: concepts in the order their first description starts.
    #expect(
      taxonomy.indices.map { taxonomy.id($0) } == [
        b + "vertebrate", b + "invertebrate", b + "mammal", b + "dog", b + "pet", b + "bird", b + "parrot",
        b + "#spider", "http://example.org/animals",
      ])
    func parents(_ id: String) -> [String] {
      guard let node = taxonomy.index(of: id) else { return ["missing"] }
      return taxonomy.parents(of: node).map { taxonomy.id($0) }
    }
    #expect(parents(b + "dog") == [b + "mammal", b + "pet"])
    #expect(parents(b + "parrot") == [b + "pet", b + "bird"])
    #expect(
      taxonomy.children(of: taxonomy.root).map { taxonomy.id($0) } == [
        b + "vertebrate", b + "invertebrate", b + "pet",
      ])
    let dog = try #require(taxonomy.index(of: b + "dog"))
    #expect(taxonomy.alternativeLabels(dog) == ["domestic dog", "Canis familiaris"])
  }

  @Test("a top concept that also has a broader concept goes under the synthetic root as well")
  func topConceptWithBroader() throws {
    let rdf = """
      <?xml version="1.0"?>
      <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
               xmlns:skos="http://www.w3.org/2004/02/skos/core#">
        <skos:ConceptScheme rdf:about="s"><skos:hasTopConcept rdf:resource="b"/></skos:ConceptScheme>
        <skos:Concept rdf:about="a"/>
        <skos:Concept rdf:about="b"><skos:broader rdf:resource="a"/><skos:topConceptOf rdf:resource="s"/></skos:Concept>
      </rdf:RDF>
      """
    let taxonomy = try Taxonomy.parse(Array(rdf.utf8), format: .skos)
    #expect(taxonomy.hasSyntheticRoot && taxonomy.id(taxonomy.root) == "s")
    let b = try #require(taxonomy.index(of: "b"))
    #expect(taxonomy.parents(of: b).map { taxonomy.id($0) } == ["a", "s"])
    let single = rdf.replacingOccurrences(of: "<skos:hasTopConcept rdf:resource=\"b\"/>", with: "")
      .replacingOccurrences(of: "<skos:topConceptOf rdf:resource=\"s\"/>", with: "")
    let tree = try Taxonomy.parse(Array(single.utf8), format: .skos)
    #expect(!tree.hasSyntheticRoot && tree.id(tree.root) == "a" && tree.count == 2)
  }

  /// The fields SKOS carries: everything but attributes.
  private func skosFields(_ taxonomy: Taxonomy) -> [String: Support.NodeSummary] {
    Support.summary(taxonomy).mapValues { node in
      var node = node
      node.attributes = [:]
      return node
    }
  }

  private func expectSKOSRoundTrip(_ taxonomy: Taxonomy, _ comment: Comment) throws {
    let skos = try taxonomy.serialized(as: .skos)
    let back = try Taxonomy.parse(Array(skos.utf8), format: .skos, file: "round-trip.rdf")
    #expect(skosFields(back) == skosFields(taxonomy), comment)
    #expect(back.hasSyntheticRoot == taxonomy.hasSyntheticRoot, comment)
    #expect(back.id(back.root) == taxonomy.id(taxonomy.root), comment)
    #expect(Array(try back.serialized(as: .skos).utf8) == Array(skos.utf8), comment)
  }

  @Test("SKOS write -> read gives the same taxonomy on the fixtures")
  func writeThenRead() throws {
    try expectSKOSRoundTrip(try Taxonomy.read(from: Support.fixture("xml/small.xml")), "small.xml")
    try expectSKOSRoundTrip(try Taxonomy.read(from: Support.fixture("skos/animals.rdf")), "animals.rdf")
    try expectSKOSRoundTrip(
      try Taxonomy.read(from: Support.fixture("skos/animals.rdf"), options: .init(language: "de")),
      "animals.rdf de")
    var builder = TaxonomyBuilder()
    for id in ["x & y", "<z>", "\"quoted\" 'id'", "naïve/ü#frag"] {
      builder.addNode(
        TaxonomyNode(id: id, label: id + " label\r\n", alternativeLabels: ["\\", ""], definition: ""))
    }
    builder.addEdge(parent: "x & y", child: "<z>")
    builder.addEdge(parent: "naïve/ü#frag", child: "<z>")
    let awkward = try builder.build()
    #expect(awkward.hasSyntheticRoot)
    try expectSKOSRoundTrip(awkward, "awkward strings")
  }

  @Test("the SKOS writer emits one concept per node, top concepts both ways, and no synthetic root concept")
  func writerShape() throws {
    let taxonomy = try Taxonomy.read(from: Support.fixture("skos/animals.rdf"))
    let skos = try taxonomy.serialized(as: .skos)
    #expect(skos.components(separatedBy: "<skos:Concept rdf:about=").count - 1 == taxonomy.count - 1)
    #expect(skos.contains("<skos:ConceptScheme rdf:about=\"http://example.org/animals\">"))
    #expect(skos.components(separatedBy: "<skos:hasTopConcept ").count - 1 == 3)
    #expect(skos.components(separatedBy: "<skos:topConceptOf ").count - 1 == 3)
    #expect(!skos.contains("<skos:Concept rdf:about=\"http://example.org/animals\">"))
    #expect(skos.contains("<skos:prefLabel xml:lang=\"en\">vertebrate</skos:prefLabel>"))
  }

  @Test("WordNet nouns survive SKOS write -> read")
  func wordNetRoundTrip() throws {
    guard let wordNet = Support.wordNet else {
      print("skipped: \(Support.wordNetPath) is absent (Debian package wordnet-base)")
      return
    }
    let skos = try wordNet.serialized(as: .skos)
    let back = try Taxonomy.parse(Array(skos.utf8), format: .skos, file: "wordnet.rdf")
    #expect(try back.serialized(as: .json) == wordNet.serialized(as: .json))
  }
}

@Suite("RDF/XML details")
struct RDFXMLDetailTests {
  @Test("xml:base resolution gives RFC 3986 § 5.4's published results")
  func referenceResolution() {
    let base = "http://a/b/c/d;p?q"
    // RFC 3986 § 5.4.1 (normal examples) and a few of § 5.4.2 (abnormal examples).
    let examples: [(String, String)] = [
      ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
      ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
      ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"),
      (";x", "http://a/b/c/;x"), ("g;x", "http://a/b/c/g;x"), ("g;x?y#s", "http://a/b/c/g;x?y#s"),
      ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"),
      ("../", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../", "http://a/"),
      ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("/./g", "http://a/g"),
      ("/../g", "http://a/g"),
      ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("./../g", "http://a/b/g"),
      ("g/../h", "http://a/b/c/h"),
    ]
    for (reference, expected) in examples {
      #expect(SKOSDescriptions.resolve(reference, against: base) == expected, "\(reference)")
    }
    #expect(SKOSDescriptions.resolve("x", against: nil) == "x")
    #expect(
      SKOSDescriptions.resolve("#frag", against: "http://example.org/doc#old")
        == "http://example.org/doc#frag")
  }

  @Test("rdf:type and labels as attributes, rdf:nodeID ids, inherited xml:lang and parseType forms")
  func attributeForms() throws {
    let rdf = """
      <?xml version="1.0"?>
      <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
               xmlns:skos="http://www.w3.org/2004/02/skos/core#" xml:lang="de">
        <rdf:Description rdf:about="a" rdf:type="http://www.w3.org/2004/02/skos/core#Concept"
                         skos:prefLabel="Tier">
          <skos:prefLabel xml:lang="en">animal</skos:prefLabel>
          <skos:note rdf:parseType="Resource"><skos:prefLabel>ignored</skos:prefLabel></skos:note>
        </rdf:Description>
        <skos:Concept rdf:nodeID="b1">
          <skos:prefLabel>Hund</skos:prefLabel>
          <skos:definition rdf:parseType="Literal">ein <b>treues</b> Tier</skos:definition>
          <skos:broader rdf:resource="a"/>
        </skos:Concept>
      </rdf:RDF>
      """
    let english = try Taxonomy.parse(Array(rdf.utf8), format: .skos, file: "forms.rdf")
    #expect(english.count == 2 && !english.hasSyntheticRoot)
    #expect(english.label(english.root) == "animal")
    let dog = try #require(english.index(of: "_:b1"))
    #expect(english.label(dog) == "Hund" && english.definition(dog) == "ein treues Tier")
    #expect(english.parents(of: dog).map { english.id($0) } == ["a"])
    let german = try Taxonomy.parse(Array(rdf.utf8), format: .skos, options: .init(language: "de"))
    #expect(german.label(german.root) == "Tier")
  }
}
