import ArborTree
import Foundation
import Testing

@testable import ArborOrganize

/// The HTML view: its markup in Swift, and what headless Chromium renders from it.
@Suite(.serialized) struct TopicTreeViewTests {
  typealias Support = OrganizeTestSupport

  static let hostileTitle = "<script>alert(1)</script> & \"quotes\" </SCRIPT"
  static let imageTitle = "<img src=x onerror=alert(2)> ideas"

  /// Physics (size 3; keyphrases quantum, particles) > Quantum, Optics; Biology > Cells.
  static func smallTree() throws -> Taxonomy {
    var builder = TaxonomyBuilder()
    builder.addNode(
      TaxonomyNode(id: "t1", label: "Physics", attributes: ["size": "3", "keyphrases": "quantum; particles"]))
    builder.addNode(TaxonomyNode(id: "t1.1", label: "Quantum", attributes: ["size": "2"]))
    builder.addNode(TaxonomyNode(id: "t1.2", label: "Optics & <Lasers>", attributes: ["size": "1"]))
    builder.addNode(TaxonomyNode(id: "t2", label: "Biology", attributes: ["keyphrases": "cells"]))
    builder.addNode(TaxonomyNode(id: "t2.1", label: "Cells"))
    for (parent, child) in [("t1", "t1.1"), ("t1", "t1.2"), ("t2", "t2.1")] {
      builder.addEdge(parent: parent, child: child)
    }
    return try builder.build()
  }

  static let smallDocuments = [
    ViewDocument(id: "d1", title: "Quantum tunnelling in wells", path: ["t1", "t1.1"]),
    ViewDocument(id: "d2", title: hostileTitle, path: ["t1", "t1.1"]),
    ViewDocument(id: "d3", title: "Laser cooling", path: ["t1", "t1.2"]),
    ViewDocument(id: "d4", title: imageTitle, path: ["t2", "t2.1"]),
    ViewDocument(id: "d5", title: "Lost paper", path: ["nowhere"]),
  ]

  @Test func markupIsSelfContainedAndEscaped() throws {
    let page = TopicTreeView.html(
      tree: try Self.smallTree(), documents: Self.smallDocuments, title: "Topics <&> \"x\"")
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(page.contains("<title>Topics &lt;&amp;&gt; &quot;x&quot;</title>"))
    // Only the two script elements close; no title can end the data block early.
    #expect(page.components(separatedBy: "</script>").count == 3)
    #expect(!page.lowercased().contains("</script>\n<script>\n</script"))
    #expect(!page.contains("<img"))
    #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("@import"))
    let start = try #require(page.range(of: "<script type=\"application/json\" id=\"arbor-data\">"))
    let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
    let json = String(page[start.upperBound..<end.lowerBound])
    #expect(!json.contains("<") && !json.contains(">") && !json.contains("&"))
    // Outside the data, nothing loads anything.
    let markup = String(page[..<start.upperBound]) + String(page[end.lowerBound...])
    #expect(!markup.contains(" src=") && !markup.contains(" href=") && !markup.contains("url("))
    let data = try JSONParser.parse(json)
    let docs = try #require(data["docs"]?.arrayValue)
    #expect(docs.count == 5)
    #expect(docs[1].arrayValue?.last?.stringValue == Self.hostileTitle)
    let nodes = try #require(data["nodes"]?.arrayValue)
    let physics = try #require(nodes.first { $0["id"]?.stringValue == "t1" })
    #expect(physics["size"]?.stringValue == "3")
    #expect(physics["keys"] == .array([.string("quantum"), .string("particles")]))
    #expect(data["unplaced"] == .array([.number(4)]))
  }

  // MARK: Headless Chromium

  @Test(.enabled(if: Chromium.path != nil, Chromium.skipMessage))
  func chromiumShowsTheCollapsedTree() throws {
    let main = try Chromium.renderedTree(
      TopicTreeView.html(tree: try Self.smallTree(), documents: Self.smallDocuments, title: "T"), suffix: "")
    #expect(main.contains("<span class=\"label\">Physics</span><span class=\"size\">3</span>"))
    #expect(main.contains("<span class=\"keyphrases\">quantum; particles</span>"))
    // Biology has no size attribute: its size is its document count.
    #expect(main.contains("<span class=\"label\">Biology</span><span class=\"size\">1</span>"))
    #expect(main.contains("Unplaced documents"))
    // Collapsed: children and documents are not built yet.
    #expect(!main.contains("Quantum tunnelling"))
    #expect(!main.contains("class=\"doc\""))
    #expect(main.contains("5 documents in 5 topics"))
    // A small collection opens down to its documents with expand=all.
    let expanded = try Chromium.renderedTree(
      TopicTreeView.html(tree: try Self.smallTree(), documents: Self.smallDocuments, title: "T"),
      suffix: "#expand=all")
    #expect(expanded.components(separatedBy: "class=\"doc\"").count - 1 == 5)
    #expect(expanded.contains("Quantum tunnelling in wells"))
  }

  @Test(.enabled(if: Chromium.path != nil, Chromium.skipMessage))
  func chromiumFiltersByTheQueryInTheFragment() throws {
    let page = TopicTreeView.html(tree: try Self.smallTree(), documents: Self.smallDocuments, title: "T")
    let main = try Chromium.renderedTree(page, suffix: "#q=TUNNEL")
    #expect(main.contains("<li class=\"doc\" data-id=\"d1\">Quantum <mark>tunnel</mark>ling in wells</li>"))
    #expect(main.contains("<span class=\"label\">Physics</span><span class=\"size\">1 of 3</span>"))
    #expect(main.contains("<span class=\"label\">Quantum</span>"))
    #expect(!main.contains("Biology") && !main.contains("Laser cooling") && !main.contains("Optics"))
    #expect(main.contains("1 of 5 documents match “tunnel”"))
  }

  @Test(.enabled(if: Chromium.path != nil, Chromium.skipMessage))
  func chromiumShowsHostileTitlesAsText() throws {
    let page = TopicTreeView.html(tree: try Self.smallTree(), documents: Self.smallDocuments, title: "T")
    let scripted = try Chromium.renderedTree(page, suffix: "?q=alert")
    #expect(
      scripted.contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; &amp; \"quotes\" &lt;/SCRIPT"))
    #expect(scripted.contains("&lt;img src=x onerror=<mark>alert</mark>(2)&gt; ideas"))
    #expect(!scripted.contains("<img") && !scripted.contains("<script"))
    #expect(scripted.contains("2 of 5 documents match"))
    let labels = try Chromium.renderedTree(page, suffix: "#q=laser")
    #expect(labels.contains("<span class=\"label\">Optics &amp; &lt;<mark>Laser</mark>s&gt;</span>"))
  }

  /// 15,000 documents under 100 leaves: nothing is built for collapsed nodes; a search that matches every
  /// document builds a short page (10) per leaf, a narrower one (150 matches) pages of 50.
  @Test(.enabled(if: Chromium.path != nil, Chromium.skipMessage))
  func chromiumStaysLazyAtFifteenThousandDocuments() throws {
    var builder = TaxonomyBuilder()
    var documents: [ViewDocument] = []
    for top in 0..<10 {
      builder.addNode(TaxonomyNode(id: "n\(top)", label: "Area \(top)"))
      for leaf in 0..<10 {
        let id = "n\(top).\(leaf)"
        builder.addNode(TaxonomyNode(id: id, label: "Topic \(top).\(leaf)"))
        builder.addEdge(parent: "n\(top)", child: id)
        for k in 0..<150 {
          documents.append(
            ViewDocument(id: "\(id)-\(k)", title: "Paper \(k) on topic \(top).\(leaf)", path: [id]))
        }
      }
    }
    let page = TopicTreeView.html(tree: try builder.build(), documents: documents, title: "Big")
    #expect(documents.count == 15_000)
    #expect(page.utf8.count < 3_000_000)
    let collapsed = try Chromium.renderedTree(page, suffix: "")
    #expect(collapsed.components(separatedBy: "class=\"node\"").count - 1 == 10)
    #expect(!collapsed.contains("class=\"doc\""))
    #expect(collapsed.contains("<span class=\"label\">Area 3</span><span class=\"size\">1500</span>"))
    let searched = try Chromium.renderedTree(page, suffix: "#q=paper")
    #expect(searched.components(separatedBy: "class=\"doc\"").count - 1 == 100 * 10)
    #expect(searched.contains("15000 of 15000 documents match"))
    #expect(searched.contains("Show 10 more (140 left)"))
    let narrow = try Chromium.renderedTree(page, suffix: "#q=on%20topic%203.4")
    #expect(narrow.components(separatedBy: "class=\"doc\"").count - 1 == 50)
    #expect(narrow.contains("150 of 15000 documents match “on topic 3.4”"))
    #expect(narrow.contains("Show 50 more (100 left)"))
    #expect(!narrow.contains("Area 2"))
    // Expand all opens every topic but, in a collection this large, no document list.
    let expanded = try Chromium.renderedTree(page, suffix: "#expand=all")
    #expect(expanded.components(separatedBy: "class=\"node open\"").count - 1 == 10)
    #expect(expanded.components(separatedBy: "class=\"node\"").count - 1 == 100)
    #expect(!expanded.contains("class=\"doc\""))
  }
}

/// Runs headless Chromium on a page and returns the rendered tree.
enum Chromium {
  /// The browser: `$ARBOR_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on the PATH.
  static let path: String? = {
    let environment = ProcessInfo.processInfo.environment
    if let explicit = environment["ARBOR_CHROMIUM"], FileManager.default.isExecutableFile(atPath: explicit) {
      return explicit
    }
    let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)")
      {
        return "\(directory)/\(name)"
      }
    }
    return nil
  }()

  /// Why the browser tests are skipped.
  static let skipMessage = Comment(
    rawValue: "SKIPPED: chromium not found (apt-get install chromium, or set ARBOR_CHROMIUM); "
      + "the HTML view was not rendered")

  /// Writes `page`, opens it with `suffix` (a fragment or query) and returns the `<main id="tree">` element
  /// and the status line of the DOM once the page's script has run.
  static func renderedTree(_ page: String, suffix: String) throws -> String {
    let directory = OrganizeTestSupport.temporaryDirectory("view")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/view.html"
    try ArborFile.writeAtomically(page, to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(path))
    process.arguments = [
      "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
      "--user-data-dir=\(directory)/profile", "--virtual-time-budget=10000", "--dump-dom",
      "file://\(file)\(suffix)",
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let dom = String(decoding: data, as: UTF8.self)
    #expect(dom.contains("data-ready=\"true\""), "the page's script did not finish")
    let start = try #require(dom.range(of: "<p id=\"status\""))
    let end = try #require(dom.range(of: "</main>"))
    return String(dom[start.lowerBound..<end.upperBound])
  }
}
