import ArborTree
import Foundation
import Testing

@testable import ArborOrganize

/// Hand-written collections with hand-derived expectations for every reader.
@Suite struct CollectionReaderTests {
  typealias Support = OrganizeTestSupport

  // MARK: JSONL

  @Test func jsonLinesMapsFieldsWithBOMAndCRLF() throws {
    let text =
      "\u{FEFF}{\"id\":\"a1\",\"title\":\"Deep trees\",\"abstract\":\"We grow trees.\","
      + "\"keywords\":[\"trees\",\" forests \"],\"year\":2019,\"venue\":\"ACL\",\"pages\":12,"
      + "\"tags\":[\"x\",\"y\"],\"meta\":{\"k\":1},\"open\":true,\"none\":null}\r\n"
      + "\r\n"
      + "{\"id\":7,\"title\":\"Only title\",\"keywords\":\"a; b ;;c\",\"year\":\"2020-05-01\"}\r\n"
      + "{\"id\":\"t\",\"text\":\"gloss text\"}\n"
      + "{\"id\":\"both\",\"abstract\":\"A\",\"text\":\"B\"}"
    let path = Support.write(text, named: "c.jsonl")
    let reading = try CollectionReader.read(path)
    #expect(reading.records.map(\.id) == ["a1", "7", "t", "both"])
    #expect(reading.skippedWithoutText == 0)
    let first = reading.records[0]
    #expect(first.title == "Deep trees")
    #expect(first.text == "We grow trees.")
    #expect(first.keywords == ["trees", "forests"])
    #expect(first.year == 2019)
    #expect(
      first.fields == ["venue": "ACL", "pages": "12", "tags": "x; y", "meta": "{\"k\":1}", "open": "true"])
    #expect(first.location == SourceLocation(file: path, line: 1))
    #expect(reading.records[1].keywords == ["a", "b", "c"])
    #expect(reading.records[1].year == 2020)
    #expect(reading.records[1].location?.line == 3)
    #expect(reading.records[2].title == "" && reading.records[2].text == "gloss text")
    #expect(reading.records[2].fullText == "gloss text")
    #expect(first.fullText == "Deep trees. We grow trees.")
    #expect(reading.records[3].text == "A" && reading.records[3].fields["text"] == "B")
  }

  @Test func jsonLinesSkipsEntriesWithoutTextOrRejectsThemWhenStrict() throws {
    let text = "{\"id\":\"ok\",\"title\":\"T\"}\n{\"id\":\"e\",\"title\":\"  \",\"abstract\":\"\"}\n"
    let path = Support.write(text, named: "c.ndjson")
    let reading = try CollectionReader.read(path)
    #expect(reading.records.map(\.id) == ["ok"])
    #expect(reading.skippedWithoutText == 1)
    let error = try #require(Support.readingError(path, strict: true))
    #expect(error.diagnostics.count == 1)
    #expect(error.diagnostics[0].description.hasPrefix("\(path):2: entry 'e' has no text"))
  }

  @Test func jsonLinesReportsEveryMalformedLine() throws {
    let text = """
      {"id":"a","title":"fine"}
      {"id": "x", }
      [1, 2]
      {"title": "no id"}
      {"id": "d", "title": "t", "year": true}
      {"id": "a", "title": "again"}
      {"id": "k", "title": "t", "keywords": [1]}
      """
    let path = Support.write(text, named: "bad.jsonl")
    let error = try #require(Support.readingError(path))
    let lines = error.diagnostics.map { $0.location?.line }
    #expect(lines == [2, 3, 4, 5, 7, 6])
    let messages = error.diagnostics.map(\.message)
    #expect(messages[0].hasPrefix("invalid JSON"))
    #expect(messages[1] == "expected a JSON object per line, found an array")
    #expect(messages[2].contains("missing \"id\""))
    #expect(messages[3].contains("\"year\""))
    #expect(messages[4].contains("\"keywords\" to hold strings"))
    #expect(messages[5] == "duplicate id 'a' (first at line 1); ids must be unique")
    #expect(error.diagnostics.allSatisfy { $0.location?.file == path })
  }

  @Test func emptyFilesGiveEmptyCollections() throws {
    for (name, text) in [("e.jsonl", ""), ("e.bib", "% nothing here\n"), ("e.ris", "\n\n"), ("e.json", "[]")]
    {
      let reading = try CollectionReader.read(Support.write(text, named: name))
      #expect(reading.records.isEmpty, "\(name)")
      #expect(reading.skippedWithoutText == 0)
    }
  }

  @Test func formatComesFromTheExtension() throws {
    #expect(CollectionFormat(path: "/a/b.JSONL") == .jsonl)
    #expect(CollectionFormat(path: "x.ndjson") == .jsonl)
    #expect(CollectionFormat(path: "refs.bib") == .bibtex)
    #expect(CollectionFormat(path: "export.ris") == .ris)
    #expect(CollectionFormat(path: "zotero.json") == .cslJSON)
    #expect(CollectionFormat(path: "notes.txt") == nil)
    #expect(CollectionFormat(path: "dir.bib/file") == nil)
    let error = try #require(Support.readingError(Support.write("{}", named: "c.txt")))
    #expect(error.description.contains(".jsonl"))
    let missing = try #require(Support.readingError("/nonexistent/arbor/c.jsonl"))
    #expect(missing.description.hasPrefix("/nonexistent/arbor/c.jsonl"))
  }

  // MARK: BibTeX

  static let trickyBib = """
    % A comment line mentioning me@example.org
    @string{ acl = "Proc. of ACL" }
    @STRING(jn = {J. } # "Tr{\\"e}es")
    @comment{ this @article{not, title={ignored}} is ignored }
    @preamble{ "\\newcommand{\\noop}[1]{}" }

    @Article{knuth84,
      title = {The {\\TeX}book: {T}yping {\\"o}ver --- and {\\'{e}}t{\\'e} \\& more},
      author = "Sch{\\"u}tze, Hinrich and Gro{\\ss}, M. and Fran\\c{c}ois, J.",
      journal = jn # " 12",
      year = 1984,
      abstract = {Nested {braces {inside {deep}}} stay~together, pages 1--2.},
      keywords = {trees, forests; bushes},
      month = jan,
      url = {http://x.org/a~b_c},
    }
    @inproceedings{noTitle, booktitle = acl, abstract = {Has text but no title}}
    @misc(paren, title = "Quoted {"}inner{"} value",
      note = {\\v{S}koda \\k{a} \\H{o} {\\o}re \\aa{} \\L{}\\'{\\i}}, year = {2001},)
    @book{empty, author = {Nobody}}
    """

  @Test(arguments: ["lf", "crlf", "bom"])
  func bibTeXDecodesEntries(variant: String) throws {
    var text = Self.trickyBib + "\n"
    if variant == "crlf" { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
    if variant == "bom" { text = "\u{FEFF}" + text }
    let path = Support.write(text, named: "tricky.bib")
    let reading = try CollectionReader.read(path)
    #expect(reading.records.map(\.id) == ["knuth84", "noTitle", "paren"])
    #expect(reading.skippedWithoutText == 1)
    let knuth = reading.records[0]
    #expect(knuth.title == "The TeXbook: Typing över — and été & more")
    #expect(knuth.fields["author"] == "Schütze, Hinrich and Groß, M. and François, J.")
    #expect(knuth.fields["journal"] == "J. Trëes 12")
    #expect(knuth.year == 1984)
    #expect(knuth.text == "Nested braces inside deep stay together, pages 1–2.")
    #expect(knuth.keywords == ["trees", "forests", "bushes"])
    #expect(knuth.fields["month"] == "January")
    #expect(knuth.fields["url"] == "http://x.org/a~b_c")
    #expect(knuth.fields["entrytype"] == "article")
    #expect(knuth.location == SourceLocation(file: path, line: 7))
    let noTitle = reading.records[1]
    #expect(noTitle.title == "" && noTitle.text == "Has text but no title")
    #expect(noTitle.fields["booktitle"] == "Proc. of ACL")
    let paren = reading.records[2]
    #expect(paren.title == "Quoted \"inner\" value")
    #expect(paren.fields["note"] == "Škoda ą ő øre å Łí")
    #expect(paren.year == 2001)
    #expect(paren.location?.line == 18)
    #expect(reading.warnings.map { $0.location?.line } == [17, 20])
    #expect(reading.warnings[0].message == "entry 'noTitle' (@inproceedings) has no title")
    let strict = try #require(Support.readingError(path, strict: true))
    #expect(
      strict.diagnostics.map(\.description) == [
        "\(path):20: entry 'empty' has no text: expected a title, "
          + "an abstract or a text"
      ])
  }

  @Test func bibTeXReportsMalformedEntriesWithTheirLines() throws {
    let text = """
      @article{good1, title = {Fine}}
      @article{bad1, title = {Unclosed brace, year = 2000,

      @article{good2, title = {Also fine}}
      @article{bad2, title {Missing equals}}
      @article{, title = {No key}}
      @article{bad3, title = "x" year = 1999}
      @article{good1, title = {Dup}}
      @article{bad4, title = {x}
      """
    let path = Support.write(text, named: "bad.bib")
    let error = try #require(Support.readingError(path))
    let found = error.diagnostics.map { "\($0.location?.line ?? 0): \($0.message)" }
    #expect(
      found == [
        "2: the value of field 'title' opened here with '{' is never closed: expected a matching '}'",
        "5: expected '=' after the field name 'title' in entry 'bad2'",
        "6: expected a citation key after '@article{'",
        "7: expected ',' or '}' after the value of field 'title' in entry 'bad3'",
        "9: entry 'bad4' is never closed: expected '}'",
        "8: duplicate id 'good1' (first at line 1); ids must be unique",
      ])
    #expect(error.description.hasPrefix("\(path):2: "))
  }

  @Test func bibTeXWarnsAboutUndefinedMacrosAndReadsLatin1() throws {
    var bytes = Array("@article{a, title = {Caf".utf8)
    bytes.append(0xE9)  // é in Latin-1, invalid as UTF-8
    bytes += Array("}, journal = nowhere}\n".utf8)
    let reading = try CollectionReader.read(Support.write(bytes, named: "latin1.bib"))
    #expect(reading.records.first?.title == "Café")
    #expect(reading.records.first?.fields["journal"] == "")
    #expect(reading.warnings.count == 2)
    #expect(reading.warnings.contains { $0.message.contains("Latin-1") && $0.location?.line == 1 })
    #expect(reading.warnings.contains { $0.message.contains("'nowhere'") })
  }

  @Test func latexDecodingRules() {
    let cases: [(String, String)] = [
      ("Fran\\c cois", "François"), ("{\\ss}e", "ße"), ("``quoted''", "“quoted”"),
      ("\\emph{Big} data", "Big data"),
      ("$\\alpha$-helix", "α-helix"), ("?`Qu\\'e?", "¿Qué?"), ("\\^{\\i}le", "île"),
      ("\\~n \\=a \\.z", "ñ ā ż"),
      ("\\r{a} \\d{s} \\b{k}", "å ṣ ḵ"), ("\\u{g} \\v c", "ğ č"), ("50\\,\\% off", "50 % off"),
      ("a\\\\b", "a b"), ("{\\AE}sop \\OE uvre", "Æsop Œuvre"), ("x \\noopsort{zzz}y", "x y"),
      ("\\textendash\\ \\textemdash{}", "– —"), ("plain  text\n  wraps", "plain text wraps"),
    ]
    for (input, expected) in cases {
      #expect(LaTeXDecoder.decode(input) == expected, "\(input)")
    }
  }

  @Test func hostileNestingDoesNotExhaustTheStack() throws {
    let depth = 100_000
    let accents = String(repeating: "\\'{", count: depth) + "e" + String(repeating: "}", count: depth)
    let braces = String(repeating: "{", count: depth) + "x" + String(repeating: "}", count: depth)
    let text = "@misc{deep, title = {\(accents)}, note = {\(braces)}}\n"
    let reading = try CollectionReader.read(Support.write(text, named: "deep.bib"))
    #expect(reading.records.count == 1)
    #expect(reading.records.first?.fields["note"] == "x")
    #expect(LaTeXDecoder.decode("\\'{\\'{e}}") == "é\u{301}")
  }

  // MARK: RIS

  @Test func risMapsTagsAndContinuationLines() throws {
    let text = """
      TY  - JOUR
      TI  - Trees of life
      AU  - Doe, Jane
      AU  - Roe, R.
      AB  - First line of abstract
        continues here.
      KW  - phylogeny
      KW  - trees; forests
      PY  - 2019///
      DO  - 10.1000/xyz
      ER  - 

      TY  - BOOK
      T1  - Second
      N2  - Abstract two
      Y1  - 1999/05/01
      ID  - my-id
      ER  -
      TY  - GEN
      AU  - Nobody
      ER  - 
      TY  - GEN
      AB  - Only abstract
      ER  - 
      """
    for crlf in [false, true] {
      let body = crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text
      let path = Support.write(body, named: "refs.ris")
      let reading = try CollectionReader.read(path)
      #expect(reading.records.map(\.id) == ["10.1000/xyz", "my-id", "record-4"])
      #expect(reading.skippedWithoutText == 1)
      let first = reading.records[0]
      #expect(first.title == "Trees of life")
      #expect(first.text == "First line of abstract continues here.")
      #expect(first.keywords == ["phylogeny", "trees", "forests"])
      #expect(first.year == 2019)
      #expect(first.fields["AU"] == "Doe, Jane; Roe, R.")
      #expect(first.fields["TY"] == "JOUR")
      #expect(first.location == SourceLocation(file: path, line: 1))
      let second = reading.records[1]
      #expect(second.title == "Second" && second.text == "Abstract two" && second.year == 1999)
      #expect(second.location?.line == 13)
      #expect(reading.records[2].title == "" && reading.records[2].text == "Only abstract")
      #expect(reading.warnings.map { $0.location?.line } == [22])
    }
  }

  @Test func risReportsBrokenRecordStructure() throws {
    let text = """
      TI  - Outside
      TY  - JOUR
      TI  - A
      TY  - JOUR
      TI  - B
      ER  - 
      ER  - 
      TY  - JOUR
      TI  - C
      """
    let path = Support.write(text, named: "bad.ris")
    let error = try #require(Support.readingError(path))
    let found = error.diagnostics.map { "\($0.location?.line ?? 0): \($0.message)" }
    #expect(
      found == [
        "1: tag 'TI' outside a record: expected 'TY  - ' to start one",
        "4: a new record starts before the record from line 2 ended: expected 'ER  - ' first",
        "7: 'ER  - ' without a record: expected 'TY  - ' first",
        "8: the record starting here never ends: expected an 'ER  - ' line",
      ])
  }

  // MARK: CSL-JSON

  @Test func cslJSONMapsZoteroItems() throws {
    let text = """
      [
        {
          "id": "item1",
          "type": "article-journal",
          "title": "Graph trees",
          "abstract": "About trees.",
          "author": [{"family": "Doe", "given": "Jane"}, {"literal": "ACME Lab"}],
          "issued": {"date-parts": [[2021, 3]]},
          "keyword": "graphs, trees; forests",
          "DOI": "10.1/abc",
          "container-title": "J. Trees"
        },
        {"id": 42, "title": "Raw date", "issued": {"raw": "1987-02"}},
        {"id": "nothing", "type": "book"},
        {"id": "str", "title": "String year", "issued": {"date-parts": [["1999"]]}},
        {"id": "edtf", "title": "EDTF", "issued": "2004-06~", "author": [{"family": "Gogh",
          "non-dropping-particle": "van", "given": "Vincent"}, {"family": "King", "given": "Martin Luther",
          "suffix": "Jr."}]},
        {"id": "season", "title": "No year", "issued": {"season": 2, "literal": "Spring"}}
      ]
      """
    let path = Support.write("\u{FEFF}" + text, named: "zotero.json")
    let reading = try CollectionReader.read(path)
    #expect(reading.records.map(\.id) == ["item1", "42", "str", "edtf", "season"])
    #expect(reading.skippedWithoutText == 1)
    let item = reading.records[0]
    #expect(item.title == "Graph trees" && item.text == "About trees.")
    #expect(item.fields["author"] == "Doe, Jane; ACME Lab")
    #expect(item.year == 2021)
    #expect(item.keywords == ["graphs", "trees", "forests"])
    #expect(item.fields["DOI"] == "10.1/abc")
    #expect(item.fields["container-title"] == "J. Trees")
    #expect(item.fields["type"] == "article-journal")
    #expect(item.location == SourceLocation(file: path, line: 2))
    #expect(reading.records[1].year == 1987 && reading.records[1].location?.line == 13)
    #expect(reading.records[2].year == 1999 && reading.records[2].location?.line == 15)
    #expect(reading.records[3].year == 2004)
    #expect(reading.records[3].fields["author"] == "van Gogh, Vincent; King, Martin Luther, Jr.")
    #expect(reading.records[4].year == nil)
    #expect(reading.warnings.map { $0.location?.line } == [19])
    #expect(reading.warnings.first?.message.hasPrefix("item 6: no year in \"issued\"") == true)
  }

  @Test func cslJSONReportsBadItems() throws {
    let notArray = Support.write("{\"id\": 1}", named: "one.json")
    let error1 = try #require(Support.readingError(notArray))
    #expect(error1.description == "\(notArray):1: expected a JSON array of CSL items, found an object")
    let syntax = Support.write("[\n{\"id\": \"a\",}\n]", named: "syntax.json")
    let error2 = try #require(Support.readingError(syntax))
    #expect(error2.diagnostics.map { $0.location?.line } == [2])
    #expect(error2.diagnostics[0].message.hasPrefix("invalid JSON"))
    let items = Support.write(
      "[\n  {\"title\": \"x\"},\n  5,\n  {\"id\": \"a\", \"title\": 3}\n]", named: "items.json")
    let error3 = try #require(Support.readingError(items))
    let found = error3.diagnostics.map { "\($0.location?.line ?? 0): \($0.message)" }
    #expect(
      found == [
        "2: item 1: missing \"id\": every item needs a string or integer id",
        "0: item 2: expected a CSL item object, found a number",
        "4: item 3: expected \"title\" to be a string, found a number",
      ])
  }

  // MARK: biblatex-examples.bib

  /// Expected values read off the file by hand (92 entries after 8 @string macros; the two @set entries have
  /// neither title nor abstract).
  @Test(.enabled(if: Support.biblatexExamples != nil, Support.biblatexSkipMessage))
  func biblatexExamples() throws {
    let path = try #require(Support.biblatexExamples)
    let reading = try CollectionReader.read(path)
    #expect(reading.records.count == 90)
    #expect(reading.skippedWithoutText == 2)
    #expect(
      Set(reading.warnings.map(\.message)) == [
        "entry 'set' (@set) has no title", "entry 'stdmodel' (@set) has no title",
      ])
    let byID = Dictionary(uniqueKeysWithValues: reading.records.map { ($0.id, $0) })
    #expect(byID["cicero"]?.title == "De natura deorum. Über das Wesen der Götter")
    #expect(byID["moraux"]?.title == "Le De Anima dans la tradition grècque")
    #expect(byID["knuth:ct:b"]?.title == "TeX: The Program")
    #expect(
      byID["aksin"]?.fields["author"]
        == "Aksın, Özge and Türkmen, Hayati and Artok, Levent and Çetinkaya, Bekir and Ni, Chaoying and "
        + "Büyükgüngör, Orhan and Özkal, Erhan")
    #expect(byID["aksin"]?.fields["journaltitle"] == "J. Organomet. Chem.")
    #expect(byID["aksin"]?.year == 2006)
    #expect(byID["angenendt"]?.title == "In Honore Salvatoris – Vom Sinn und Unsinn der Patrozinienkunde")
    #expect(
      byID["kastenholz"]?.title
        == "Computation of methodology-independent ionic solvation free energies from molecular simulations")
    #expect(
      byID["sigfridsson"]?.fields["doi"] == "10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P")
    #expect(byID["sigfridsson"]?.text.hasPrefix("Four methods for deriving partial atomic charges") == true)
    #expect(reading.records.filter { !$0.text.isEmpty }.count == 6)
    for record in reading.records {
      #expect(!record.title.contains("\\") && !record.title.contains("{"), "\(record.id): \(record.title)")
    }
  }
  /// Every entry against bibtexparser + pylatexenc (Fixtures/make_biblatex_reference.py).
  @Test(.enabled(if: Support.biblatexExamples != nil, Support.biblatexSkipMessage))
  func biblatexExamplesMatchTheReferenceLibraries() throws {
    let path = try #require(Support.biblatexExamples)
    let reading = try CollectionReader.read(path)
    let referencePath = Support.fixture("biblatex-examples.reference.json")
    let reference = try JSONParser.parse(ArborFile.readBytes(referencePath))
    let entries = try #require(reference["records"]?.arrayValue)
    #expect(entries.count == 92)
    let byID = Dictionary(uniqueKeysWithValues: reading.records.map { ($0.id, $0) })
    var compared = 0
    for entry in entries {
      let id = try #require(entry["id"]?.stringValue)
      let title = entry["title"]?.stringValue ?? ""
      let text = entry["text"]?.stringValue ?? ""
      guard let record = byID[id] else {
        #expect(title.isEmpty && text.isEmpty, "\(id) is missing")
        continue
      }
      compared += 1
      #expect(record.title == title, "\(id)")
      #expect(record.text == text, "\(id)")
      #expect(record.keywords == (entry["keywords"]?.arrayValue ?? []).compactMap(\.stringValue), "\(id)")
      #expect(record.year == entry["year"]?.numberValue.map { Int($0) }, "\(id)")
      #expect(record.fields["entrytype"] == entry["entrytype"]?.stringValue, "\(id)")
    }
    #expect(compared == 90)
  }
}
