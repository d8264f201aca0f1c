import Foundation
import Testing

@testable import ArborTree

/// Paths and helpers shared by the XML and SKOS tests.
enum XMLTestSupport {
  /// The repository root, found from this file's path (Tests/ArborTreeTests/XMLTestSupport.swift).
  static let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// A fixture under Tests/ArborTreeTests/Fixtures.
  static func fixture(_ relativePath: String) -> String {
    repositoryRoot + "/Tests/ArborTreeTests/Fixtures/" + relativePath
  }

  /// Where the WordNet noun database is looked for (`$WNSEARCHDIR/data.noun` or Debian's path).
  static let wordNetPath = wordNetNounsPath ?? "/usr/share/wordnet/data.noun"

  /// WordNet nouns, loaded once per test process; `nil` when the file is absent.
  static let wordNet: Taxonomy? = {
    guard let path = wordNetNounsPath else { return nil }
    return try? Taxonomy.read(from: path)
  }()

  /// A fresh temporary directory; the caller removes it.
  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "arbor-xml-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Parses bytes in a format and returns the error it throws with the time the call took.
  static func expectFailure(
    _ bytes: [UInt8], format: TaxonomyFormat, file: String
  ) -> (error: TaxonomyError?, seconds: Double) {
    var caught: TaxonomyError?
    let clock = ContinuousClock()
    let start = clock.now
    do {
      _ = try Taxonomy.parse(bytes, format: format, file: file)
    } catch {
      caught = error
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return (caught, seconds)
  }

  /// Every field of every node, with parents as ids, for comparing taxonomies from different sources.
  static func summary(_ taxonomy: Taxonomy) -> [String: NodeSummary] {
    var nodes: [String: NodeSummary] = [:]
    for node in taxonomy.indices {
      nodes[taxonomy.id(node)] = NodeSummary(
        label: taxonomy.label(node), alternativeLabels: taxonomy.alternativeLabels(node),
        definition: taxonomy.definition(node), attributes: taxonomy.attributes(node),
        parents: taxonomy.parents(of: node).map { taxonomy.id($0) })
    }
    return nodes
  }

  struct NodeSummary: Equatable, CustomStringConvertible {
    var label: String
    var alternativeLabels: [String]
    var definition: String?
    var attributes: [String: String]
    var parents: [String]

    var description: String {
      "label=\(label) alt=\(alternativeLabels) def=\(definition ?? "nil") attrs=\(attributes) parents=\(parents)"
    }
  }
}
