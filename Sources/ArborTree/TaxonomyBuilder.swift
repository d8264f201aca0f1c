/// Collects nodes and edges from a source and checks them all at once.
///
/// ``build()`` reports every problem it finds in one ``TaxonomyError``: empty
/// ids, duplicate ids, edges to unknown ids, self-loops and cycles (naming the
/// ids on each cycle), each with the location the reader recorded.
public struct TaxonomyBuilder: Sendable {
  private var nodes: [TaxonomyNode] = []
  private var nodeLocations: [SourceLocation?] = []
  private var edges: [(parent: String, child: String, location: SourceLocation?)] = []
  private var explicitRoot: String?

  /// The id for a root added above several top concepts.
  public var syntheticRootID: String = Taxonomy.syntheticRootID
  /// The label for a root added above several top concepts.
  public var syntheticRootLabel: String = "root"
  /// The id of a node the source itself marks as a synthetic root (Arbor JSON and XML do).
  public var declaredSyntheticRootID: String?

  /// Creates an empty builder.
  public init() {}

  /// The number of nodes added so far.
  public var nodeCount: Int { nodes.count }

  /// Adds a node.
  public mutating func addNode(_ node: TaxonomyNode, at location: SourceLocation? = nil) {
    nodes.append(node)
    nodeLocations.append(location)
  }

  /// Adds an edge from a parent id to a child id.
  public mutating func addEdge(parent: String, child: String, at location: SourceLocation? = nil) {
    edges.append((parent, child, location))
  }

  /// Builds the taxonomy; problems without a location of their own are placed in `file`.
  package func build(file: String?) throws(TaxonomyError) -> Taxonomy {
    do {
      return try build()
    } catch {
      var error = error
      for i in error.diagnostics.indices where error.diagnostics[i].location == nil {
        error.diagnostics[i].location = SourceLocation(file: file)
      }
      throw error
    }
  }

  /// Checks everything and builds the taxonomy, or throws every problem found.
  public func build() throws(TaxonomyError) -> Taxonomy {
    var diagnostics: [TaxonomyDiagnostic] = []
    var indexByID: [String: Int32] = [:]
    indexByID.reserveCapacity(nodes.count + 1)
    for (i, node) in nodes.enumerated() {
      if node.id.isEmpty {
        diagnostics.append(.init(.emptyID, "node has an empty id", at: nodeLocations[i]))
        continue
      }
      if let previous = indexByID[node.id] {
        let first = nodeLocations[Int(previous)].map { " (first defined at \($0))" } ?? ""
        diagnostics.append(
          .init(.duplicateID, "duplicate id '\(node.id)'\(first)", at: nodeLocations[i]))
        continue
      }
      indexByID[node.id] = Int32(i)
    }

    // Resolve edges, dropping exact repeats.
    var parentLists = [[Int32]](repeating: [], count: nodes.count)
    for edge in edges {
      let parent = indexByID[edge.parent]
      let child = indexByID[edge.child]
      if parent == nil {
        diagnostics.append(
          .init(.unknownID, "'\(edge.child)' names unknown parent id '\(edge.parent)'", at: edge.location))
      }
      if child == nil {
        diagnostics.append(
          .init(
            .unknownID, "edge from '\(edge.parent)' names unknown child id '\(edge.child)'",
            at: edge.location))
      }
      guard let parent, let child else { continue }
      if parent == child {
        diagnostics.append(.init(.selfLoop, "'\(edge.child)' is its own parent", at: edge.location))
        continue
      }
      if !parentLists[Int(child)].contains(parent) { parentLists[Int(child)].append(parent) }
    }
    guard diagnostics.isEmpty else { throw TaxonomyError(diagnostics) }

    var allNodes = nodes
    let cycles = Self.findCycles(parentLists: parentLists)
    for cycle in cycles {
      let names = cycle.map { nodes[Int($0)].id }
      diagnostics.append(
        .init(
          .cycle, "cycle through \(names.count) nodes: \((names + [names[0]]).joined(separator: " -> "))",
          at: nodeLocations[Int(cycle[0])]))
    }
    guard diagnostics.isEmpty else { throw TaxonomyError(diagnostics) }

    // One root: add a synthetic one above several top concepts.
    let tops = parentLists.indices.filter { parentLists[$0].isEmpty }
    var synthetic = false
    let root: Int
    if tops.count == 1 {
      root = tops[0]
      synthetic = declaredSyntheticRootID == nodes[root].id
    } else if tops.isEmpty {
      throw TaxonomyError(.io, "the taxonomy has no nodes")
    } else {
      if indexByID[syntheticRootID] != nil {
        throw TaxonomyError(
          .duplicateID, "several top concepts, and the synthetic root id '\(syntheticRootID)' is taken")
      }
      root = allNodes.count
      allNodes.append(TaxonomyNode(id: syntheticRootID, label: syntheticRootLabel))
      indexByID[syntheticRootID] = Int32(root)
      parentLists.append([])
      for top in tops { parentLists[top].append(Int32(root)) }
      synthetic = true
    }
    return Taxonomy(
      nodes: allNodes, parentLists: parentLists, indexByID: indexByID, root: root,
      hasSyntheticRoot: synthetic)
  }

  /// Finds cycles with an iterative depth-first search over parent edges; one cycle per back edge.
  static func findCycles(parentLists: [[Int32]]) -> [[Int32]] {
    let n = parentLists.count
    var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on stack, 2 done
    var cycles: [[Int32]] = []
    var stack: [(node: Int32, next: Int)] = []
    var onStackPosition = [Int](repeating: -1, count: n)
    for start in 0..<n where state[start] == 0 {
      stack.append((Int32(start), 0))
      state[start] = 1
      onStackPosition[start] = 0
      while let top = stack.last {
        let node = Int(top.node)
        if top.next < parentLists[node].count {
          stack[stack.count - 1].next += 1
          let parent = Int(parentLists[node][top.next])
          if state[parent] == 0 {
            state[parent] = 1
            onStackPosition[parent] = stack.count
            stack.append((Int32(parent), 0))
          } else if state[parent] == 1 {
            cycles.append(stack[onStackPosition[parent]...].map(\.node))
          }
        } else {
          state[node] = 2
          onStackPosition[node] = -1
          stack.removeLast()
        }
      }
    }
    return cycles
  }
}

extension Taxonomy {
  /// Lays out checked nodes and parent lists in flat storage and computes depths.
  init(
    nodes: [TaxonomyNode], parentLists: [[Int32]], indexByID: [String: Int32], root: Int,
    hasSyntheticRoot: Bool
  ) {
    let n = nodes.count
    ids = nodes.map(\.id)
    preferredLabels = nodes.map(\.label)
    alternativeLabelLists = nodes.map(\.alternativeLabels)
    definitionList = nodes.map(\.definition)
    attributeList = nodes.map(\.attributes)
    self.indexByID = indexByID
    self.root = root
    self.hasSyntheticRoot = hasSyntheticRoot

    var parentOffsets = [Int32](repeating: 0, count: n + 1)
    var childCounts = [Int32](repeating: 0, count: n + 1)
    for (child, parents) in parentLists.enumerated() {
      parentOffsets[child + 1] = parentOffsets[child] + Int32(parents.count)
      for parent in parents { childCounts[Int(parent) + 1] += 1 }
    }
    var parentIndices = [Int32]()
    parentIndices.reserveCapacity(Int(parentOffsets[n]))
    for parents in parentLists { parentIndices.append(contentsOf: parents) }
    var childOffsets = [Int32](repeating: 0, count: n + 1)
    for i in 0..<n { childOffsets[i + 1] = childOffsets[i] + childCounts[i + 1] }
    var cursor = Array(childOffsets.dropLast())
    var childIndices = [Int32](repeating: 0, count: Int(childOffsets[n]))
    // Children in ascending child index, which is source order.
    for (child, parents) in parentLists.enumerated() {
      for parent in parents {
        childIndices[Int(cursor[Int(parent)])] = Int32(child)
        cursor[Int(parent)] += 1
      }
    }
    self.parentOffsets = parentOffsets
    self.parentIndices = parentIndices
    self.childOffsets = childOffsets
    self.childIndices = childIndices

    // Breadth-first search from the root gives shortest-path depths.
    var depths = [Int32](repeating: -1, count: n)
    depths[root] = 0
    var queue = [Int32(root)]
    queue.reserveCapacity(n)
    var head = 0
    while head < queue.count {
      let node = Int(queue[head])
      head += 1
      for c in Int(childOffsets[node])..<Int(childOffsets[node + 1]) {
        let child = Int(childIndices[c])
        if depths[child] < 0 {
          depths[child] = depths[node] + 1
          queue.append(Int32(child))
        }
      }
    }
    self.depths = depths
  }
}
