import ArborTree
import Foundation
import Testing

@Suite struct JSONFormatTests {
  @Test func roundTripIsByteIdentical() throws {
    var builder = TaxonomyBuilder()
    builder.addNode(TaxonomyNode(id: "r", label: "Root \"quoted\" \\ / é 漢字 😀"))
    builder.addNode(
      TaxonomyNode(
        id: "a", label: "A", alternativeLabels: ["alpha", "ä"], definition: "line one\nline\ttwo\u{1}",
        attributes: ["z": "last", "k": "v"]))
    builder.addNode(TaxonomyNode(id: "b"))
    builder.addEdge(parent: "r", child: "a")
    builder.addEdge(parent: "r", child: "b")
    builder.addEdge(parent: "b", child: "a")
    let taxonomy = try builder.build()
    let text = try taxonomy.serialized(as: .json)
    let again = try Taxonomy.parse(Array(text.utf8), format: .json)
    #expect(try again.serialized(as: .json) == text)
    let a = again.index(of: "a")!
    #expect(again.alternativeLabels(a) == ["alpha", "ä"])
    #expect(again.definition(a) == "line one\nline\ttwo\u{1}")
    #expect(again.attributes(a) == ["z": "last", "k": "v"])
    #expect(again.parents(of: a).map(again.id) == ["r", "b"])
    #expect(again.label(again.root) == "Root \"quoted\" \\ / é 漢字 😀")
  }

  @Test func syntheticRootSurvivesARoundTrip() throws {
    let taxonomy = try makeTaxonomy([("a", "a1"), ("b", "b1")])
    let again = try Taxonomy.parse(Array(try taxonomy.serialized(as: .json).utf8), format: .json)
    #expect(again.hasSyntheticRoot)
    #expect(again.count == taxonomy.count)
  }

  @Test func errorsNameTheLineAndField() {
    let text = """
      {"format": "arbor-taxonomy", "version": 1, "nodes": [
        {"id": "r", "label": "Root", "parents": []},
        {"id": "x", "label": 5, "parents": ["r"]},
        {"id": "y", "parents": ["missing"]}
      ]}
      """
    do {
      _ = try Taxonomy.parse(Array(text.utf8), format: .json, file: "bad.json")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics.count == 1)
      #expect(error.diagnostics[0].description == "bad.json:3: node 2: \"label\" must be a string")
    }
    let unknown = text.replacingOccurrences(of: "\"label\": 5, ", with: "")
    do {
      _ = try Taxonomy.parse(Array(unknown.utf8), format: .json, file: "bad.json")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics.map(\.description) == ["bad.json:4: 'y' names unknown parent id 'missing'"])
    }
  }

  @Test func syntaxErrorsCarryTheLine() {
    let text = "{\"format\": \"arbor-taxonomy\",\n \"nodes\": [\n {\"id\": \"r\",,}\n]}"
    do {
      _ = try Taxonomy.parse(Array(text.utf8), format: .json, file: "broken.json")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics[0].location == SourceLocation(file: "broken.json", line: 3))
      #expect(error.diagnostics[0].kind == .syntax)
    }
  }
}

@Suite struct OBOFormatTests {
  @Test func readsTermsSynonymsAndNamespaces() throws {
    let t = try Taxonomy.read(from: fixturePath("obo/mini.obo"))
    #expect(t.hasSyntheticRoot)
    #expect(t.count == 5)  // four live terms and the synthetic root; the obsolete term is skipped
    #expect(t.index(of: "T:0004") == nil)
    let metabolism = t.index(of: "T:0002")!
    #expect(t.label(metabolism) == "metabolism")
    #expect(t.alternativeLabels(metabolism) == ["metabolic process"])
    #expect(t.attributes(metabolism)["namespace"] == "process")
    let process = t.index(of: "T:0001")!
    #expect(t.definition(process) == "Any process of a \"living\" thing.")
    let catabolism = t.index(of: "T:0005")!
    #expect(t.parents(of: catabolism).map(t.id) == ["T:0002", "T:0001"])
    #expect(t.attributes(catabolism)["namespace"] == "test_ontology")
    #expect(Set(t.children(of: t.root).map(t.id)) == ["T:0001", "T:0003"])
  }

  @Test func unknownParentIsReportedWithItsLine() {
    let text = "[Term]\nid: A\nname: a\n\n[Term]\nid: B\nis_a: C ! nothing\n"
    do {
      _ = try Taxonomy.parse(Array(text.utf8), format: .obo, file: "x.obo")
      Issue.record("expected an error")
    } catch {
      #expect(error.diagnostics.map(\.description) == ["x.obo:7: 'B' names unknown parent id 'C'"])
    }
  }
}

@Suite struct EdgeListFormatTests {
  @Test func readsEdgesAndLabels() throws {
    let t = try Taxonomy.read(
      from: fixturePath("tsv/animals.tsv"), options: .init(labelsPath: fixturePath("tsv/animals.labels.tsv")))
    #expect(t.count == 5)
    #expect(t.label(t.index(of: "dog")!) == "Dog")
    #expect(t.label(t.index(of: "bat")!) == "bat")
    #expect(t.parents(of: t.index(of: "bat")!).map(t.id) == ["mammal", "bird"])
  }

  @Test func tsvAndTaxoRoundTrips() throws {
    for (file, format) in [("tsv/animals.tsv", TaxonomyFormat.tsv), ("tsv/animals.taxo", .taxo)] {
      let t = try Taxonomy.read(from: fixturePath(file))
      let text = try t.serialized(as: format)
      let again = try Taxonomy.parse(Array(text.utf8), format: format)
      #expect(try again.serialized(as: format) == text)
      #expect(again.count == t.count)
      #expect(again.edgeCount == t.edgeCount)
      // Through Arbor JSON and back to the format.
      let viaJSON = try Taxonomy.parse(Array(try t.serialized(as: .json).utf8), format: .json)
      #expect(try viaJSON.serialized(as: format) == text)
    }
  }

  @Test func taxoFileHasTheExpectedEdges() throws {
    let t = try Taxonomy.read(from: fixturePath("tsv/animals.taxo"))
    #expect(t.id(t.root) == "animal")
    #expect(t.parents(of: t.index(of: "dog")!).map(t.id) == ["mammal"])
  }

  @Test func badFieldCountNamesTheLine() {
    do {
      _ = try Taxonomy.parse(Array("a\tb\nc\td\te\n".utf8), format: .tsv, file: "e.tsv")
      Issue.record("expected an error")
    } catch {
      #expect(
        error.diagnostics.map(\.description) == ["e.tsv:2: expected 'parent<TAB>child', found 3 fields"])
    }
  }
}

@Suite struct FormatDetectionTests {
  @Test func detectsByNameAndContent() {
    #expect(TaxonomyFormat.detect(path: "/x/data.noun") == .wordnet)
    #expect(TaxonomyFormat.detect(path: "a.JSON") == .json)
    #expect(TaxonomyFormat.detect(path: "a.xml", prefix: Array("<taxonomy>".utf8)) == .xml)
    #expect(TaxonomyFormat.detect(path: "a.xml", prefix: Array("<rdf:RDF xmlns:rdf=".utf8)) == .skos)
    let declared = "<?xml version=\"1.0\"?>\n<!-- a comment -->\n<rdf:RDF xmlns:rdf=\"x\">"
    #expect(TaxonomyFormat.detect(path: "a.xml", prefix: Array(declared.utf8)) == .skos)
    // An Arbor XML file that mentions SKOS in a label is still Arbor XML.
    let arbor =
      "<?xml version=\"1.0\"?><taxonomy xmlns=\"x\"><node id=\"a\"><label>skos:Concept rdf:RDF</label>"
    #expect(TaxonomyFormat.detect(path: "a.xml", prefix: Array(arbor.utf8)) == .xml)
    #expect(TaxonomyFormat.detect(path: "go.obo") == .obo)
    #expect(TaxonomyFormat.detect(path: "noext") == nil)
  }

  @Test func missingFileIsAClearError() {
    do {
      _ = try Taxonomy.read(from: "/nonexistent/t.json")
      Issue.record("expected an error")
    } catch {
      #expect(error.description == "/nonexistent/t.json: no such file")
    }
  }
}
