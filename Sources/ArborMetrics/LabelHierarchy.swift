import ArborTree

/// A taxonomy prepared for evaluation: every node's ancestor closure, depth and leaf flag in flat arrays.
///
/// The closure of a node is the node with all its ancestors, the root excluded, as a sorted list of
/// indices; it is the node's "ancestor-augmented" label set of Kiritchenko et al. (2006). The root is
/// never a label: every metric leaves it out.
public struct LabelHierarchy: Sendable {
  /// The taxonomy this was built from.
  public let taxonomy: Taxonomy
  /// Node ids to indices, for reading records without building strings.
  let nodeIDs: ByteStringTable
  /// `closureNodes[closureOffsets[n]..<closureOffsets[n+1]]` is the sorted closure of node `n`.
  let closureOffsets: [Int32]
  let closureNodes: [Int32]
  /// Shortest-path depth of each node (root 0).
  let depths: [Int32]
  /// Whether each node has no children.
  let leafFlags: [Bool]
  /// The greatest depth.
  public let maximumDepth: Int
  /// Whether every node's closure was built. Closures are stored in one array of at most
  /// ``closureEntryLimit`` entries; a taxonomy whose closures need more (a chain 100,000 deep, or a DAG
  /// whose every node descends from all earlier ones) keeps only the nodes themselves past that point,
  /// and commands refuse it (``checkClosureSize(file:)``).
  public let closureIsComplete: Bool
  /// The most closure entries stored: 2²⁸ (1 GiB of indices; WordNet's 82,115 nouns need 0.7 million).
  public static let closureEntryLimit = 1 << 28

  /// Prepares a taxonomy; costs one pass over its nodes in topological order.
  public init(_ taxonomy: Taxonomy) {
    self.init(taxonomy, closureEntryLimit: Self.closureEntryLimit)
  }

  /// Prepares a taxonomy, storing at most `closureEntryLimit` closure entries (tests use small limits).
  package init(_ taxonomy: Taxonomy, closureEntryLimit: Int) {
    self.taxonomy = taxonomy
    let n = taxonomy.count
    var table = ByteStringTable(capacity: n)
    for node in 0..<n { table.insert(taxonomy.id(node)) }
    nodeIDs = table
    depths = taxonomy.depths
    maximumDepth = Int(taxonomy.depths.max() ?? 0)
    leafFlags = (0..<n).map { taxonomy.isLeaf($0) }
    // Kahn's order from the root, so every parent's closure exists before its children's.
    var pending = [Int32](repeating: 0, count: n)
    for node in 0..<n { pending[node] = taxonomy.parentOffsets[node + 1] - taxonomy.parentOffsets[node] }
    var order: [Int32] = []
    order.reserveCapacity(n)
    for node in 0..<n where pending[node] == 0 { order.append(Int32(node)) }
    var head = 0
    while head < order.count {
      let node = Int(order[head])
      head += 1
      for child in taxonomy.children(of: node) {
        pending[child] -= 1
        if pending[child] == 0 { order.append(Int32(child)) }
      }
    }
    var starts = [Int32](repeating: 0, count: n)
    var lengths = [Int32](repeating: 0, count: n)
    var storage: [Int32] = []
    var marks = [Int32](repeating: -1, count: n)
    var scratch: [Int32] = []
    var complete = true
    for node32 in order {
      let node = Int(node32)
      scratch.removeAll(keepingCapacity: true)
      if node != taxonomy.root {
        scratch.append(node32)
        marks[node] = node32
      }
      for parent in taxonomy.parents(of: node) {
        let s = Int(starts[parent])
        for k in s..<s + Int(lengths[parent]) {
          let a = storage[k]
          if marks[Int(a)] != node32 {
            marks[Int(a)] = node32
            scratch.append(a)
          }
        }
      }
      scratch.sort()
      if storage.count + scratch.count > closureEntryLimit - n {
        // Past the limit: the node alone (the root has no entry), so the arrays stay within Int32.
        complete = false
        scratch = node == taxonomy.root ? [] : [node32]
      }
      starts[node] = Int32(storage.count)
      lengths[node] = Int32(scratch.count)
      storage.append(contentsOf: scratch)
    }
    // Re-pack in index order so offsets are monotone.
    var offsets = [Int32](repeating: 0, count: n + 1)
    var packed: [Int32] = []
    packed.reserveCapacity(storage.count)
    for node in 0..<n {
      let s = Int(starts[node])
      packed.append(contentsOf: storage[s..<s + Int(lengths[node])])
      offsets[node + 1] = Int32(packed.count)
    }
    closureOffsets = offsets
    closureNodes = packed
    closureIsComplete = complete
  }

  /// Throws when the taxonomy's ancestor closures do not fit (``closureIsComplete`` is false).
  public func checkClosureSize(file: String? = nil) throws(TaxonomyError) {
    guard !closureIsComplete else { return }
    throw TaxonomyError(
      .schema,
      "the taxonomy's ancestor sets need more than \(Self.closureEntryLimit) entries (its deepest node is "
        + "\(maximumDepth) levels down); hierarchical metrics cannot be computed on it",
      at: file.map { SourceLocation(file: $0) })
  }

  /// The number of nodes, the root included.
  public var count: Int { depths.count }

  /// The root's index.
  public var root: Int { taxonomy.root }

  /// The index of a node id, or `nil`.
  public func index(of id: String) -> Int? { nodeIDs.find(id).map(Int.init) }

  /// The node with its ancestors, the root excluded, sorted by index.
  public func closure(of node: Int) -> ArraySlice<Int32> {
    closureNodes[Int(closureOffsets[node])..<Int(closureOffsets[node + 1])]
  }

  /// The node's shortest-path depth (root 0).
  public func depth(of node: Int) -> Int { Int(depths[node]) }

  /// Whether the node has no children.
  public func isLeaf(_ node: Int) -> Bool { leafFlags[node] }
}
