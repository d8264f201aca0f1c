import ArborTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension TreePathPolicy {
  /// Exact values of every state for every context under the current policy, by dynamic programming over
  /// the label tree: V(leaf) = R(leaf), V(n) = Σ_a π(a | n)·V(target(a)), the stop action's target
  /// valued R(stop at n). `reward(context, labels)` scores a complete path (labels top-down, root
  /// excluded). Queries the policy at every internal node for every context: for small trees.
  public func exactValues(
    for contexts: [Context], reward: (_ context: Int, _ labels: [Int]) -> Double
  ) -> [ExactValueTable] {
    let space = actionSpace
    let nodeCount = space.taxonomy.count
    let decisionNodes = space.decisionNodes
    var queries: [PolicyQuery] = []
    queries.reserveCapacity(contexts.count * decisionNodes.count)
    for context in contexts.indices {
      for node in decisionNodes { queries.append(PolicyQuery(context: context, node: node)) }
    }
    let logProbabilities = distributions(for: queries, in: contexts)
    let width = space.maximumActionCount
    var tables: [ExactValueTable] = []
    for context in contexts.indices {
      let rowBase = context * decisionNodes.count
      var stopValues = [Double](repeating: 0, count: nodeCount)
      var nodeValues = [Double](repeating: 0, count: nodeCount)
      for node in space.bottomUpOrder {
        if space.isLeaf(node) || space.canStop(at: node) {
          stopValues[node] = reward(context, space.path(to: node))
        }
        if space.isLeaf(node) {
          nodeValues[node] = stopValues[node]
          continue
        }
        let row = rowBase + space.decisionIndex[node]
        var value = 0.0
        for action in 0..<space.actionCount(at: node) {
          let probability = Double(expf(logProbabilities.storage[row * width + action]))
          let target = space.target(of: action, at: node)
          value += probability * (target.map { nodeValues[$0] } ?? stopValues[node])
        }
        nodeValues[node] = value
      }
      var reach = [Double](repeating: 0, count: nodeCount)
      reach[space.taxonomy.root] = 1
      for node in space.bottomUpOrder.reversed() where !space.isLeaf(node) && reach[node] > 0 {
        let row = rowBase + space.decisionIndex[node]
        for (action, child) in space.children(of: node).enumerated() {
          reach[child] += reach[node] * Double(expf(logProbabilities.storage[row * width + action]))
        }
      }
      tables.append(
        ExactValueTable(nodeValues: nodeValues, stopValues: stopValues, reachProbabilities: reach))
    }
    return tables
  }

  /// A loss whose gradient is minus the exact policy gradient of the mean expected reward over `contexts`:
  /// −(1/C) Σ_c Σ_n reach(n)·Σ_a π(a|n)·(Q(n, a) − V(n))·log π(a|n), with reach, π, Q and V held
  /// constant (the likelihood-ratio form of ∇ Σ_paths π(path)·R(path); Sutton et al. 2000).
  public func exactPolicyGradientLoss(
    for contexts: [Context], values: [ExactValueTable], on tape: Tape
  ) -> Variable {
    let space = actionSpace
    let width = space.maximumActionCount
    var queries: [PolicyQuery] = []
    for context in contexts.indices {
      for node in space.decisionNodes where values[context].reachProbabilities[node] > 0 {
        queries.append(PolicyQuery(context: context, node: node))
      }
    }
    let logProbabilities = logProbabilities(for: queries, in: contexts, on: tape)
    var weights = [Float](repeating: 0, count: queries.count * width)
    for (row, query) in queries.enumerated() {
      let table = values[query.context]
      let reach = table.reachProbabilities[query.node]
      let nodeValue = table.nodeValues[query.node]
      for action in 0..<space.actionCount(at: query.node) {
        let probability = Double(expf(logProbabilities.value.storage[row * width + action]))
        let target = space.target(of: action, at: query.node)
        let q = target.map { table.nodeValues[$0] } ?? table.stopValues[query.node]
        weights[row * width + action] = Float(-reach * probability * (q - nodeValue) / Double(contexts.count))
      }
    }
    return (logProbabilities * tape.constant(Tensor(shape: [queries.count, width], storage: weights))).sum()
  }
}
