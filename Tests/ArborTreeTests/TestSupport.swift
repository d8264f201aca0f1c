import ArborTree
import Foundation

/// The path of a bundled fixture file.
func fixturePath(_ relative: String) -> String {
  Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
}

/// Builds a taxonomy from `(parent, child)` id pairs; nodes take the order in which they first appear.
func makeTaxonomy(_ edges: [(String, String)], extraNodes: [String] = []) throws -> Taxonomy {
  var builder = TaxonomyBuilder()
  var seen: Set<String> = []
  for id in extraNodes + edges.flatMap({ [$0.0, $0.1] }) where seen.insert(id).inserted {
    builder.addNode(TaxonomyNode(id: id))
  }
  for (parent, child) in edges { builder.addEdge(parent: parent, child: child) }
  return try builder.build()
}

/// The path of WordNet's noun data file when installed, or nil.
var wordNetNounsPath: String? {
  let path =
    ProcessInfo.processInfo.environment["WNSEARCHDIR"].map { $0 + "/data.noun" }
    ?? "/usr/share/wordnet/data.noun"
  return FileManager.default.fileExists(atPath: path) ? path : nil
}
