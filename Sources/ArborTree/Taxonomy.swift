/// A label hierarchy: a rooted tree or directed acyclic graph of concepts.
///
/// Nodes are addressed by a dense integer index (`0..<count`) and by a stable
/// string id. Adjacency is stored in flat compressed-sparse-row arrays of
/// `Int32`, so a taxonomy of a hundred thousand nodes takes a few megabytes and
/// every query walks contiguous memory.
///
/// A `Taxonomy` always has exactly one root. When a source has several top
/// concepts, ``TaxonomyBuilder`` adds a synthetic root above them and
/// ``hasSyntheticRoot`` is `true`.
///
/// Depth convention: ``depth(of:)`` is the length of the *shortest* path from
/// the root, so the root has depth 0 and its children depth 1. In a DAG a node
/// reachable along paths of different lengths takes the shortest.
public struct Taxonomy: Sendable {
  package var ids: [String]
  package var preferredLabels: [String]
  package var alternativeLabelLists: [[String]]
  package var definitionList: [String?]
  package var attributeList: [[String: String]]
  package var parentOffsets: [Int32]
  package var parentIndices: [Int32]
  package var childOffsets: [Int32]
  package var childIndices: [Int32]
  package var depths: [Int32]
  package var indexByID: [String: Int32]

  /// The index of the single root node.
  public let root: Int
  /// Whether the root was added by Arbor above several top concepts.
  public let hasSyntheticRoot: Bool

  /// The id given to a synthetic root when the source has none of its own.
  public static let syntheticRootID = "arbor:root"

  /// The number of nodes, the root included.
  public var count: Int { ids.count }

  /// The number of parent–child edges.
  public var edgeCount: Int { parentIndices.count }

  /// All node indices, `0..<count`.
  public var indices: Range<Int> { 0..<ids.count }

  /// The index of the node with this id, or `nil` when there is none.
  public func index(of id: String) -> Int? {
    indexByID[id].map(Int.init)
  }

  /// The node's stable string id.
  public func id(_ node: Int) -> String { ids[node] }

  /// The node's preferred label.
  public func label(_ node: Int) -> String { preferredLabels[node] }

  /// The node's alternative labels (synonyms), in source order.
  public func alternativeLabels(_ node: Int) -> [String] { alternativeLabelLists[node] }

  /// The node's definition (gloss, scope note), if the source gave one.
  public func definition(_ node: Int) -> String? { definitionList[node] }

  /// Extra fields of the node that no other property holds, kept for round trips.
  public func attributes(_ node: Int) -> [String: String] { attributeList[node] }

  /// The node's parents in source order; empty for the root.
  public func parents(of node: Int) -> NodeList {
    NodeList(storage: parentIndices, range: Int(parentOffsets[node])..<Int(parentOffsets[node + 1]))
  }

  /// The node's children in source order.
  public func children(of node: Int) -> NodeList {
    NodeList(storage: childIndices, range: Int(childOffsets[node])..<Int(childOffsets[node + 1]))
  }

  /// Length of the shortest path from the root (the root has depth 0).
  public func depth(of node: Int) -> Int { Int(depths[node]) }

  /// Whether the node has no children.
  public func isLeaf(_ node: Int) -> Bool { childOffsets[node] == childOffsets[node + 1] }

  /// A snapshot of one node's fields, as readers and writers exchange them.
  public func node(_ index: Int) -> TaxonomyNode {
    TaxonomyNode(
      id: ids[index], label: preferredLabels[index],
      alternativeLabels: alternativeLabelLists[index], definition: definitionList[index],
      attributes: attributeList[index])
  }
}

/// A view of node indices in a taxonomy's flat adjacency storage.
public struct NodeList: RandomAccessCollection, Sendable {
  let storage: [Int32]
  let range: Range<Int>

  /// The first position.
  public var startIndex: Int { 0 }
  /// One past the last position.
  public var endIndex: Int { range.count }
  /// The node index at a position.
  public subscript(position: Int) -> Int { Int(storage[range.lowerBound + position]) }
}

/// The fields of one taxonomy node, without its edges.
public struct TaxonomyNode: Sendable, Hashable {
  /// Stable, non-empty identifier.
  public var id: String
  /// Preferred label; defaults to the id when a source has none.
  public var label: String
  /// Alternative labels (synonyms).
  public var alternativeLabels: [String]
  /// Definition or scope note.
  public var definition: String?
  /// Extra fields kept for round trips (for example an XML attribute or OBO namespace).
  public var attributes: [String: String]

  /// Creates a node description.
  public init(
    id: String, label: String? = nil, alternativeLabels: [String] = [], definition: String? = nil,
    attributes: [String: String] = [:]
  ) {
    self.id = id
    self.label = label ?? id
    self.alternativeLabels = alternativeLabels
    self.definition = definition
    self.attributes = attributes
  }
}
