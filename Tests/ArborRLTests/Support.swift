import ArborRL
import ArborTensor
import ArborTree

/// r → {A, B}; A → {A1, A2}; B → {B1, B2}.
func twoLevelTaxonomy() throws -> Taxonomy {
  var builder = TaxonomyBuilder()
  for id in ["r", "A", "B", "A1", "A2", "B1", "B2"] { builder.addNode(TaxonomyNode(id: id)) }
  for (parent, child) in [("r", "A"), ("r", "B"), ("A", "A1"), ("A", "A2"), ("B", "B1"), ("B", "B2")] {
    builder.addEdge(parent: parent, child: child)
  }
  return try builder.build()
}

/// A path from node ids, root first implied.
func path(_ ids: [String], in space: TreeActionSpace, stopped: Bool = false) -> SampledPath {
  let taxonomy = space.taxonomy
  let nodes = [taxonomy.root] + ids.map { taxonomy.index(of: $0)! }
  return SampledPath(nodes: nodes, stopped: stopped, in: space)!
}

func isClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
  abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}

/// A reward that looks the terminal node up in a table (leaf or stop node id → reward).
struct TableReward: PathRewardFunction {
  var taxonomy: Taxonomy
  var values: [String: Double]
  mutating func reward(predicted: [Int], gold: [Int]) -> Double {
    guard let last = predicted.last else { return 0 }
    return values[taxonomy.id(last)] ?? 0
  }
}
