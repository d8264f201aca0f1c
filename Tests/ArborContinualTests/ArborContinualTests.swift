import ArborClassify
import ArborTree
import Foundation
import Testing

@testable import ArborContinual

/// A small tree: r → A, B; A → A1, A2; B → B1; A1 → A1x, A1y; A2 → A2x; B1 → B1x, B1y.
func smallTaxonomy() throws -> Taxonomy {
  let nodes: [(String, String?)] = [
    ("r", nil), ("A", "r"), ("B", "r"), ("A1", "A"), ("A2", "A"), ("B1", "B"), ("A1x", "A1"), ("A1y", "A1"),
    ("A2x", "A2"), ("B1x", "B1"), ("B1y", "B1"),
  ]
  let body = nodes.map { id, parent in
    "{\"id\": \"\(id)\", \"label\": \"\(id)\", \"parents\": [\(parent.map { "\"\($0)\"" } ?? "")]}"
  }
  let json =
    "{\"format\": \"arbor-taxonomy\", \"version\": 1, \"nodes\": [" + body.joined(separator: ",") + "]}"
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "continual-\(UUID().uuidString).json")
  try json.write(to: url, atomically: true, encoding: .utf8)
  defer { try? FileManager.default.removeItem(at: url) }
  return try Taxonomy.read(from: url.path)
}

let leaves = ["A1x", "A1y", "A2x", "B1x", "B1y"]

/// `count` documents cycling through the leaves, labelled with their whole path.
func documents(_ count: Int, taxonomy: Taxonomy) -> [LabelledDocument] {
  (0..<count).map { i in
    let leaf = leaves[i % leaves.count]
    let node = taxonomy.index(of: leaf) ?? 0
    let path = [leaf] + taxonomy.ancestors(of: node).filter { $0 != taxonomy.root }.map(taxonomy.id)
    return LabelledDocument(id: "d\(i)", text: "text \(i) \(leaf)", labels: path)
  }
}
