/// One complete path a policy took from the root: its nodes, its actions and their log-probabilities.
///
/// Decision `t` is made at `nodes[t]` and chooses `actions[t]`; it leads to `nodes[t + 1]`, except the
/// last decision of a path that ``stopped``, which is the stop action at the last node.
public struct SampledPath: Sendable, Equatable {
  /// The nodes visited, root first.
  public private(set) var nodes: [Int]
  /// The action chosen at each decision.
  public private(set) var actions: [Int]
  /// The log-probability of each decision under the policy that sampled it.
  public private(set) var logProbabilities: [Float]
  /// Whether the path ended with the stop action (rather than at a leaf).
  public private(set) var stopped = false

  /// An empty path at `root`.
  public init(root: Int) {
    nodes = [root]
    actions = []
    logProbabilities = []
  }

  /// A path along `nodes` (root first), optionally ending with the stop action at its last node;
  /// nil when some node is not a child of the one before it.
  public init?(nodes: [Int], stopped: Bool = false, in space: TreeActionSpace) {
    guard let root = nodes.first, root == space.taxonomy.root else { return nil }
    self.init(root: root)
    for child in nodes.dropFirst() {
      guard let action = space.action(to: child, at: terminal) else { return nil }
      append(action: action, logProbability: 0, in: space)
    }
    if stopped {
      guard space.canStop(at: terminal) else { return nil }
      append(action: space.stopAction(at: terminal), logProbability: 0, in: space)
    }
  }

  /// The last node reached: the predicted label.
  public var terminal: Int { nodes[nodes.count - 1] }

  /// The number of decisions on the path.
  public var decisionCount: Int { actions.count }

  /// The predicted labels top-down, root excluded (what rewards score).
  public var labels: ArraySlice<Int> { nodes.dropFirst() }

  /// Whether the path is finished: stopped, or at a leaf.
  public func isComplete(in space: TreeActionSpace) -> Bool { stopped || space.isLeaf(terminal) }

  /// Takes `action` at the current terminal node.
  public mutating func append(action: Int, logProbability: Float, in space: TreeActionSpace) {
    actions.append(action)
    logProbabilities.append(logProbability)
    if let child = space.target(of: action, at: terminal) {
      nodes.append(child)
    } else {
      stopped = true
    }
  }

  /// The state a decision leads to: the child node, or the terminal state "stopped at `node`".
  public func state(after decision: Int) -> PathState {
    decision + 1 < nodes.count ? .node(nodes[decision + 1]) : .stopped(nodes[decision])
  }
}

/// A state of the tree walk: at a node, or finished by stopping at a node.
public enum PathState: Hashable, Sendable {
  /// At `node`, about to decide (or at a leaf, finished).
  case node(Int)
  /// Finished by the stop action at the node.
  case stopped(Int)
}
