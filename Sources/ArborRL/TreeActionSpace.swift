import ArborTensor
import ArborTree

/// The decisions a tree-path policy makes: at each internal node, which child to descend to, and, where
/// allowed, whether to stop there.
///
/// Action `a < children(of: node).count` descends to the `a`-th child (in `Taxonomy.children(of:)` order);
/// action `children(of: node).count` is the stop action where ``canStop(at:)`` holds. A path ends at a
/// leaf or with a stop action.
public struct TreeActionSpace: Sendable {
  /// Where a path may end before a leaf.
  public enum Stopping: String, Sendable, Equatable, CaseIterable {
    /// Paths always end at a leaf (single-path classification down to the deepest level).
    case never
    /// A path may stop at any internal node but the root (e.g. a taxonomy-expansion position policy, or
    /// classification with labels at inner nodes).
    case atInternalNodes
  }

  /// The label tree (or DAG) the policy walks.
  public let taxonomy: Taxonomy
  /// Where paths may stop.
  public let stopping: Stopping
  /// Largest number of actions at any node (children plus the stop action): the logits' width.
  public let maximumActionCount: Int
  /// Largest number of decisions on any path (edges of the longest root-to-leaf path).
  public let maximumDecisionCount: Int
  /// Internal nodes (nodes with children), in index order: every node a policy is queried at.
  public let decisionNodes: [Int]
  /// Position of each node in `decisionNodes`, or -1 for leaves.
  public let decisionIndex: [Int]
  /// Nodes reachable from the root, every node after all of its children (for value recursions).
  public let bottomUpOrder: [Int]
  let childOffsets: [Int]
  let childIndices: [Int]

  /// Prepares the action space of `taxonomy`.
  public init(taxonomy: Taxonomy, stopping: Stopping = .never) {
    self.taxonomy = taxonomy
    self.stopping = stopping
    var offsets = [0]
    var indices: [Int] = []
    var decisionNodes: [Int] = []
    var decisionIndex = [Int](repeating: -1, count: taxonomy.count)
    var widest = 1
    for node in 0..<taxonomy.count {
      let children = taxonomy.children(of: node)
      indices.append(contentsOf: children)
      offsets.append(indices.count)
      if !children.isEmpty {
        decisionIndex[node] = decisionNodes.count
        decisionNodes.append(node)
        let stop = stopping == .atInternalNodes && node != taxonomy.root ? 1 : 0
        widest = max(widest, children.count + stop)
      }
    }
    childOffsets = offsets
    childIndices = indices
    self.decisionNodes = decisionNodes
    self.decisionIndex = decisionIndex
    maximumActionCount = widest
    // Longest path in edges, by a reverse pass over a topological order (depth-first post-order).
    var longest = [Int](repeating: -1, count: taxonomy.count)
    var order: [Int] = []
    var stack: [(node: Int, expanded: Bool)] = [(taxonomy.root, false)]
    while let (node, expanded) = stack.popLast() {
      if longest[node] >= 0 { continue }
      let range = offsets[node]..<offsets[node + 1]
      if expanded || range.isEmpty {
        var best = 0
        for child in indices[range] { best = max(best, longest[child] + 1) }
        longest[node] = best
        order.append(node)
      } else {
        stack.append((node, true))
        for child in indices[range] where longest[child] < 0 { stack.append((child, false)) }
      }
    }
    maximumDecisionCount = max(longest[taxonomy.root], 1)
    bottomUpOrder = order
  }

  /// The children of `node`, in action order.
  public func children(of node: Int) -> ArraySlice<Int> {
    childIndices[childOffsets[node]..<childOffsets[node + 1]]
  }

  /// Whether a path ends at `node` without a further decision (a leaf).
  public func isLeaf(_ node: Int) -> Bool { childOffsets[node] == childOffsets[node + 1] }

  /// Whether the stop action is available at `node`.
  public func canStop(at node: Int) -> Bool {
    stopping == .atInternalNodes && node != taxonomy.root && !isLeaf(node)
  }

  /// Number of actions at `node`: its children, plus one when it can stop.
  public func actionCount(at node: Int) -> Int {
    childOffsets[node + 1] - childOffsets[node] + (canStop(at: node) ? 1 : 0)
  }

  /// The node action `action` at `node` leads to, or nil for the stop action.
  public func target(of action: Int, at node: Int) -> Int? {
    let start = childOffsets[node]
    return action < childOffsets[node + 1] - start ? childIndices[start + action] : nil
  }

  /// The action at `node` that descends to `child`, or nil when `child` is not a child of `node`.
  public func action(to child: Int, at node: Int) -> Int? {
    children(of: node).firstIndex(of: child).map { $0 - childOffsets[node] }
  }

  /// The stop action's index at `node` (valid only where ``canStop(at:)``).
  public func stopAction(at node: Int) -> Int { childOffsets[node + 1] - childOffsets[node] }

  /// The mask added to the logits of `nodes`: 0 for valid actions, ``maskedLogit`` for padding columns.
  public func logitMask(for nodes: [Int]) -> Tensor {
    let width = maximumActionCount
    var storage = [Float](repeating: Self.maskedLogit, count: nodes.count * width)
    for (row, node) in nodes.enumerated() {
      for column in 0..<actionCount(at: node) { storage[row * width + column] = 0 }
    }
    return Tensor(shape: [nodes.count, width], storage: storage)
  }

  /// The logit given to padding columns: large enough that exp underflows to exactly 0, finite so that
  /// 0 · log p stays 0 in entropies and KL terms.
  public static let maskedLogit: Float = -1e9

  /// The root-to-node path of `node` (the first in `Taxonomy.paths(to:)` order in a DAG), root excluded.
  public func path(to node: Int) -> [Int] {
    var path: [Int] = []
    var current = node
    while current != taxonomy.root {
      path.append(current)
      guard let parent = taxonomy.parents(of: current).first else { break }
      current = parent
    }
    return path.reversed()
  }
}
