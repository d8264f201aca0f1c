import ArborTensor
import ArborTree

/// HierVerb's path-based K-shot sampler (Ji et al., ACL 2023, Algorithm 1).
///
/// A document's *paths* are the root-to-node paths ending at its deepest labels
/// (the labels none of whose children it also carries). The documents are
/// shuffled with the seed and taken greedily: a document is kept when every one
/// of its paths still has fewer than K documents, and then counts toward each.
/// Single-path corpora thus get exactly K documents per label path (all of them
/// where fewer exist); a multi-path document never pushes a path past K.
public struct FewShotSampler: Sendable {
  /// Documents per label path.
  public var shots: Int
  /// Seed of the shuffle.
  public var seed: UInt64

  /// Creates a sampler.
  public init(shots: Int, seed: UInt64) {
    self.shots = shots
    self.seed = seed
  }

  /// The indices of the sampled documents, in the input order.
  public func sample(_ documents: [LabelledDocument], taxonomy: Taxonomy) -> [Int] {
    var counts: [Int: Int] = [:]
    var keep: [Int] = []
    var generator = RandomGenerator(seed: seed)
    var order = Array(documents.indices)
    generator.shuffle(&order)
    for index in order {
      let ends = Self.pathEnds(documents[index].labels.compactMap(taxonomy.index(of:)), taxonomy: taxonomy)
      guard !ends.isEmpty, ends.allSatisfy({ counts[$0, default: 0] < shots }) else { continue }
      for end in ends { counts[end, default: 0] += 1 }
      keep.append(index)
    }
    return keep.sorted()
  }

  /// The labels that end a path: those with no child among the labels' ancestor closure.
  static func pathEnds(_ labels: [Int], taxonomy: Taxonomy) -> [Int] {
    var closure = Set(labels)
    for label in labels { closure.formUnion(taxonomy.ancestors(of: label)) }
    closure.remove(taxonomy.root)
    return closure.filter { node in !taxonomy.children(of: node).contains(where: closure.contains) }.sorted()
  }
}
