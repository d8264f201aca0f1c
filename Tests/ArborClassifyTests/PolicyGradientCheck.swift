import ArborRL
import ArborTensor
import ArborTree

/// The toy corpus's path root → a → a2 for context 0, and the log-probability of a policy choosing it,
/// computed two ways: from the plain distributions (for finite differences) and through a tape.
struct ToyPathCheck<Policy: TreePathPolicy> {
  let queries: [PolicyQuery]
  let actions: [Int]
  let contexts: [Policy.Context]

  init(taxonomy: Taxonomy, contexts: [Policy.Context]) {
    let a = taxonomy.index(of: "a")!
    let a2 = taxonomy.index(of: "a2")!
    queries = [PolicyQuery(context: 0, node: taxonomy.root), PolicyQuery(context: 0, node: a)]
    actions = [
      taxonomy.children(of: taxonomy.root).firstIndex(of: a)!, taxonomy.children(of: a).firstIndex(of: a2)!,
    ]
    self.contexts = contexts
  }

  /// log p(root → a → a2), from the plain distributions (no tape).
  func logProbability(_ policy: Policy) -> Double {
    let width = policy.actionSpace.maximumActionCount
    let rows = policy.distributions(for: queries, in: contexts).storage
    return Double(rows[actions[0]]) + Double(rows[width + actions[1]])
  }

  /// The gradient of the same log-probability with respect to every parameter, through a tape.
  func gradients(_ policy: Policy) -> Gradients {
    let width = policy.actionSpace.maximumActionCount
    let tape = Tape()
    let logProbabilities = policy.logProbabilities(for: queries, in: contexts, on: tape)
    var pick = [Float](repeating: 0, count: 2 * width)
    pick[actions[0]] = 1
    pick[width + actions[1]] = 1
    tape.backward((logProbabilities * tape.constant(Tensor(shape: [2, width], storage: pick))).sum())
    return tape.gradients(for: policy.parameters)
  }

  /// The central difference (step 0.01) of the log-probability in one parameter element.
  func numericDerivative(_ policy: inout Policy, _ parameter: ParameterID, _ element: Int) -> Double {
    let original = policy.parameters[parameter].storage[element]
    let h: Float = 1e-2
    policy.parameters[parameter].storage[element] = original + h
    let plus = logProbability(policy)
    policy.parameters[parameter].storage[element] = original - h
    let minus = logProbability(policy)
    policy.parameters[parameter].storage[element] = original
    return (plus - minus) / Double(2 * h)
  }
}
