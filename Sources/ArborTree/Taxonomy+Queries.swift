extension Taxonomy {
  /// All ancestors of a node (the root included, the node excluded), nearest first, each once.
  public func ancestors(of node: Int) -> [Int] {
    var seen: Set<Int> = [node]
    var result: [Int] = []
    var head = 0
    var frontier = [node]
    while head < frontier.count {
      let current = frontier[head]
      head += 1
      for parent in parents(of: current) where seen.insert(parent).inserted {
        result.append(parent)
        frontier.append(parent)
      }
    }
    return result
  }

  /// All descendants of a node (the node excluded), breadth-first, each once.
  public func descendants(of node: Int) -> [Int] {
    var seen = [Bool](repeating: false, count: count)
    seen[node] = true
    var result: [Int] = []
    var head = 0
    var frontier = [node]
    while head < frontier.count {
      let current = frontier[head]
      head += 1
      for child in children(of: current) where !seen[child] {
        seen[child] = true
        result.append(child)
        frontier.append(child)
      }
    }
    return result
  }

  /// Every path from the root down to the node, each a list of indices starting at the root.
  ///
  /// In a tree there is one; in a DAG there is one per way up. `limit` caps how many are returned.
  public func paths(to node: Int, limit: Int = .max) -> [[Int]] {
    var result: [[Int]] = []
    var suffix: [Int] = [node]
    func climb(_ current: Int) {
      if result.count >= limit { return }
      let ups = parents(of: current)
      if ups.isEmpty {
        result.append(suffix.reversed())
        return
      }
      for parent in ups {
        suffix.append(parent)
        climb(parent)
        suffix.removeLast()
      }
    }
    climb(node)
    return result
  }

  /// The nodes without children, in index order.
  public var leaves: [Int] { indices.filter(isLeaf) }

  /// The greatest depth of any node.
  public var maximumDepth: Int { Int(depths.max() ?? 0) }

  /// How many nodes sit at each depth: element `d` counts the nodes at depth `d`.
  public var nodesPerLevel: [Int] {
    var counts = [Int](repeating: 0, count: maximumDepth + 1)
    for d in depths { counts[Int(d)] += 1 }
    return counts
  }

  /// The nodes at a given depth, in index order.
  public func nodes(atDepth depth: Int) -> [Int] {
    indices.filter { depths[$0] == depth }
  }

  /// The nodes with more than one parent.
  public var multiParentNodes: [Int] {
    indices.filter { parentOffsets[$0 + 1] - parentOffsets[$0] > 1 }
  }

  /// The common ancestors (each node counts as its own ancestor) of greatest depth.
  ///
  /// In a tree this is the single lowest common ancestor. In a DAG with
  /// shortest-path depths it can lie above a node that is itself a common
  /// ancestor (see ``LowestCommonAncestorFinder``). In a DAG several
  /// common ancestors can share the greatest depth; all are returned in index
  /// order. For many queries use ``LowestCommonAncestorFinder``, which allocates once.
  public func lowestCommonAncestors(_ a: Int, _ b: Int) -> [Int] {
    var above: Set<Int> = [a]
    above.formUnion(ancestors(of: a))
    var best = -1
    var result: [Int] = []
    for node in [b] + ancestors(of: b) where above.contains(node) {
      let d = depth(of: node)
      if d > best {
        best = d
        result = [node]
      } else if d == best {
        result.append(node)
      }
    }
    return result.sorted()
  }

  /// The deepest common ancestor of two nodes; ties in a DAG go to the smallest index.
  public func lowestCommonAncestor(_ a: Int, _ b: Int) -> Int {
    lowestCommonAncestors(a, b).first ?? root
  }
}

/// Answers many lowest-common-ancestor queries on one taxonomy without allocating per query.
///
/// The LCA of `a` and `b` is the common ancestor (each node its own ancestor) of
/// greatest ``Taxonomy/depth(of:)``; ties go to the smallest index. Each query
/// costs O(|ancestors(a)| + |ancestors(b)|).
///
/// With shortest-path depths, an ancestor can be deeper than its descendant in a
/// DAG (WordNet's *creator* has depth 4 and its ancestor *organism* depth 5), so
/// even when `b` is an ancestor of `a`, or `a == b`, the LCA can lie above `b`.
public struct LowestCommonAncestorFinder {
  /// The taxonomy queried.
  public let taxonomy: Taxonomy
  private var stamps: [UInt32]
  private var generation: UInt32 = 0
  private var stack: [Int32] = []

  /// Prepares a finder for a taxonomy.
  public init(_ taxonomy: Taxonomy) {
    self.taxonomy = taxonomy
    stamps = [UInt32](repeating: 0, count: taxonomy.count)
    stack.reserveCapacity(64)
  }

  /// The deepest common ancestor of `a` and `b`.
  public mutating func callAsFunction(_ a: Int, _ b: Int) -> Int {
    generation &+= 2
    if generation < 2 {
      for i in stamps.indices { stamps[i] = 0 }
      generation = 2
    }
    let markA = generation
    let markB = generation &+ 1
    let parentOffsets = taxonomy.parentOffsets
    let parentIndices = taxonomy.parentIndices
    let depths = taxonomy.depths
    // Mark a and its ancestors.
    stack.removeAll(keepingCapacity: true)
    stack.append(Int32(a))
    stamps[a] = markA
    while let node = stack.popLast() {
      for p in Int(parentOffsets[Int(node)])..<Int(parentOffsets[Int(node) + 1]) {
        let parent = Int(parentIndices[p])
        if stamps[parent] != markA {
          stamps[parent] = markA
          stack.append(Int32(parent))
        }
      }
    }
    // Walk b and its ancestors; keep the deepest one marked by a.
    var best = taxonomy.root
    var bestDepth: Int32 = -1
    if stamps[b] == markA {
      best = b
      bestDepth = depths[b]
    }
    stack.append(Int32(b))
    stamps[b] = markB
    while let node = stack.popLast() {
      for p in Int(parentOffsets[Int(node)])..<Int(parentOffsets[Int(node) + 1]) {
        let parent = Int(parentIndices[p])
        let stamp = stamps[parent]
        if stamp == markB { continue }
        if stamp == markA {
          let d = depths[parent]
          if d > bestDepth || (d == bestDepth && parent < best) {
            bestDepth = d
            best = parent
          }
        }
        // Keep climbing even above a common ancestor: with shortest-path depths in a DAG, an
        // ancestor of a common ancestor can be deeper than it.
        stamps[parent] = markB
        stack.append(Int32(parent))
      }
    }
    return best
  }
}

extension Taxonomy {
  /// All nodes ordered so that every node comes after its parents, otherwise in index order.
  ///
  /// A taxonomy whose index order is already topological gets the identity order,
  /// which keeps writers of order-implicit formats (TSV, `.taxo`) stable across round trips.
  public var topologicalOrder: [Int] {
    var emitted = [Bool](repeating: false, count: count)
    var order: [Int] = []
    order.reserveCapacity(count)
    var stack: [(node: Int, next: Int)] = []
    for start in indices where !emitted[start] {
      stack.append((start, 0))
      while let top = stack.last {
        let ups = parents(of: top.node)
        if top.next < ups.count {
          stack[stack.count - 1].next += 1
          let parent = ups[top.next]
          if !emitted[parent] { stack.append((parent, 0)) }
        } else {
          stack.removeLast()
          if !emitted[top.node] {
            emitted[top.node] = true
            order.append(top.node)
          }
        }
      }
    }
    return order
  }
}
