import ArborTensor
import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One decision point of a policy: a context (by its position in the batch) at a node.
public struct PolicyQuery: Hashable, Sendable {
  /// Position of the context in the `contexts` array passed with the query.
  public var context: Int
  /// The node the decision is made at (an internal node of the action space).
  public var node: Int

  /// Creates a query.
  public init(context: Int, node: Int) {
    self.context = context
    self.node = node
  }
}

/// A model that walks a label tree top-down: the contract `ArborRL` trains.
///
/// A policy adopts the contract by naming its context type (a document, a query term, a feature vector),
/// its ``actionSpace``, its trainable ``parameters`` and one method, ``logits(for:in:on:)``, that
/// records the logits of many decisions on a `Tape`. Everything else (distributions, seeded sampling of
/// complete paths, log-probabilities of given paths and their gradients, greedy decoding, the frozen
/// reference) is derived from it. See docs/rl.md.
///
/// Value semantics: a copy of a policy is a frozen snapshot of its parameters, which is how the reference
/// policy of the KL term is made (``frozenCopy()``).
public protocol TreePathPolicy {
  /// What a decision is conditioned on (one document, one query term, ...).
  associatedtype Context

  /// The tree the policy walks and where it may stop.
  var actionSpace: TreeActionSpace { get }

  /// The trainable parameters; the trainer updates them in place.
  var parameters: ParameterStore { get set }

  /// Records on `tape` the logits of every query as a `[queries.count, actionSpace.maximumActionCount]`
  /// variable built from `tape.parameter(_:in: parameters)`.
  ///
  /// Row `q` holds the logits of the actions at `queries[q].node` for `contexts[queries[q].context]`:
  /// column `a < children.count` for the `a`-th child, column `children.count` for the stop action where
  /// `actionSpace.canStop(at:)`. Other columns are ignored (the caller masks them). Queries may repeat a
  /// context many times; encode each context once.
  func logits(for queries: [PolicyQuery], in contexts: [Context], on tape: Tape) -> Variable
}

extension TreePathPolicy {
  /// A frozen snapshot of this policy (the reference policy of the KL term).
  public func frozenCopy() -> Self { self }

  /// Log-probabilities `[queries.count, maximumActionCount]` of the actions at each query, with padding
  /// columns at about -1e9 (probability exactly 0); differentiable through `tape`.
  public func logProbabilities(for queries: [PolicyQuery], in contexts: [Context], on tape: Tape)
    -> Variable
  {
    let logits = logits(for: queries, in: contexts, on: tape)
    let mask = tape.constant(actionSpace.logitMask(for: queries.map(\.node)))
    return (logits + mask).logSoftmax(axis: 1)
  }

  /// The action distributions at each query as plain numbers (no gradient), one row per query.
  public func distributions(for queries: [PolicyQuery], in contexts: [Context]) -> Tensor {
    let tape = Tape(training: false)
    return logProbabilities(for: queries, in: contexts, on: tape).value
  }

  /// Samples `count` complete paths for every context, seeded; paths of a context form its group.
  ///
  /// All open paths advance one level per round with one batched ``logits(for:in:on:)`` call over their
  /// distinct (context, node) pairs. Each sampled path records the log-probability of every decision
  /// under the current parameters (the "old" policy of the clipped ratio).
  ///
  /// The policy's probabilities must be finite numbers; a policy whose training diverged may break this
  /// (trainers use ``sampledPathsIfFinite(for:count:using:)``).
  public func samplePaths(
    for contexts: [Context], count: Int, using generator: inout RandomGenerator
  ) -> [[SampledPath]] {
    guard let groups = sampledPathsIfFinite(for: contexts, count: count, using: &generator) else {
      preconditionFailure("samplePaths: the policy's probabilities are not finite numbers")
    }
    return groups
  }

  /// ``samplePaths(for:count:using:)``, or nil as soon as a distribution holds a non-finite probability.
  package func sampledPathsIfFinite(
    for contexts: [Context], count: Int, using generator: inout RandomGenerator
  ) -> [[SampledPath]]? {
    let root = actionSpace.taxonomy.root
    var groups = (0..<contexts.count).map { _ in
      [SampledPath](repeating: SampledPath(root: root), count: count)
    }
    var open: [(context: Int, member: Int)] = []
    for context in 0..<contexts.count where !actionSpace.isLeaf(root) {
      for member in 0..<count { open.append((context, member)) }
    }
    let width = actionSpace.maximumActionCount
    while !open.isEmpty {
      var rowOf: [PolicyQuery: Int] = [:]
      var queries: [PolicyQuery] = []
      for (context, member) in open {
        let query = PolicyQuery(context: context, node: groups[context][member].terminal)
        if rowOf[query] == nil {
          rowOf[query] = queries.count
          queries.append(query)
        }
      }
      let logProbabilities = distributions(for: queries, in: contexts)
      var stillOpen: [(context: Int, member: Int)] = []
      var weights = [Float](repeating: 0, count: width)
      for (context, member) in open {
        let node = groups[context][member].terminal
        guard let row = rowOf[PolicyQuery(context: context, node: node)] else { continue }
        let actions = actionSpace.actionCount(at: node)
        for a in 0..<width {
          weights[a] = a < actions ? expf(logProbabilities.storage[row * width + a]) : 0
          if !weights[a].isFinite { return nil }
        }
        let action = generator.nextCategorical(weights)
        let logProbability = logProbabilities.storage[row * width + action]
        groups[context][member].append(action: action, logProbability: logProbability, in: actionSpace)
        if !groups[context][member].isComplete(in: actionSpace) { stillOpen.append((context, member)) }
      }
      open = stillOpen
    }
    return groups
  }

  /// The most probable path for every context, decided greedily node by node (ties to the lower action).
  public func greedyPaths(for contexts: [Context]) -> [SampledPath] {
    let root = actionSpace.taxonomy.root
    var paths = [SampledPath](repeating: SampledPath(root: root), count: contexts.count)
    var open = actionSpace.isLeaf(root) ? [] : Array(0..<contexts.count)
    let width = actionSpace.maximumActionCount
    while !open.isEmpty {
      let queries = open.map { PolicyQuery(context: $0, node: paths[$0].terminal) }
      let logProbabilities = distributions(for: queries, in: contexts)
      var stillOpen: [Int] = []
      for (row, context) in open.enumerated() {
        let actions = actionSpace.actionCount(at: queries[row].node)
        var best = 0
        for a in 1..<max(actions, 1)
        where logProbabilities.storage[row * width + a]
          > logProbabilities.storage[row * width + best]
        {
          best = a
        }
        paths[context].append(
          action: best, logProbability: logProbabilities.storage[row * width + best], in: actionSpace)
        if !paths[context].isComplete(in: actionSpace) { stillOpen.append(context) }
      }
      open = stillOpen
    }
    return paths
  }
}
