/// A record of operations for reverse-mode automatic differentiation.
///
/// Every operation on `Variable`s appends a node holding its value and a backward function.
/// `backward(_:)` walks the nodes in reverse, accumulating the gradient of the output with respect
/// to every node that depends on a parameter (or on a variable marked as needing a gradient).
/// Use one tape per training step (or call `reset()`); a tape is not thread-safe.
///
/// ```swift
/// let tape = Tape()
/// let w = tape.parameter(weightID, in: store)
/// let loss = tape.constant(x).matmul(w).crossEntropy(targets: labels)
/// tape.backward(loss)
/// let gradients = tape.gradients(for: store)
/// ```
public final class Tape {
  /// Whether operations behave as in training (dropout active) or evaluation (dropout is the identity).
  public var isTraining: Bool

  var values: [Tensor] = []
  var gradients: [[Float]?] = []
  var needsGradient: [Bool] = []
  var backwardFunctions: [((Tape, [Float]) -> Void)?] = []
  var parameterIDs: [ParameterID?] = []

  /// An empty tape; `training` sets `isTraining`.
  public init(training: Bool = true) {
    isTraining = training
  }

  /// Removes every node, keeping allocated capacity, so that the tape can record the next step.
  public func reset() {
    values.removeAll(keepingCapacity: true)
    gradients.removeAll(keepingCapacity: true)
    needsGradient.removeAll(keepingCapacity: true)
    backwardFunctions.removeAll(keepingCapacity: true)
    parameterIDs.removeAll(keepingCapacity: true)
  }

  /// The number of recorded nodes.
  public var count: Int { values.count }

  /// A leaf that holds data; it gets a gradient only if `needsGradient` is true.
  public func constant(_ value: Tensor, needsGradient: Bool = false) -> Variable {
    append(value, needsGradient: needsGradient, backward: nil)
  }

  /// A leaf holding the current value of a parameter; its gradient is reported by `gradients(for:)`.
  public func parameter(_ id: ParameterID, in store: ParameterStore) -> Variable {
    let variable = append(store[id], needsGradient: true, backward: nil)
    parameterIDs[variable.index] = id
    return variable
  }

  /// Records the result of an operation. `backward` receives the gradient of the output and adds the
  /// inputs' gradients with `accumulate`; it is dropped when no input needs a gradient. It must capture
  /// node indices, not `Variable`s, so that the tape does not keep itself alive.
  func record(_ value: Tensor, inputs: [Variable], backward: @escaping (Tape, [Float]) -> Void) -> Variable {
    var needs = false
    for input in inputs {
      precondition(input.tape === self, "Variable from another tape")
      if needsGradient[input.index] { needs = true }
    }
    return append(value, needsGradient: needs, backward: needs ? backward : nil)
  }

  private func append(_ value: Tensor, needsGradient needs: Bool, backward: ((Tape, [Float]) -> Void)?)
    -> Variable
  {
    values.append(value)
    gradients.append(nil)
    needsGradient.append(needs)
    backwardFunctions.append(backward)
    parameterIDs.append(nil)
    return Variable(tape: self, index: values.count - 1)
  }

  /// Whether gradients flow into `variable`.
  func needsGradient(_ variable: Variable) -> Bool { needsGradient[variable.index] }

  /// Adds to the gradient of node `index` through `body`, which receives the gradient buffer (zeroed
  /// on first use). Does nothing when the variable needs no gradient.
  @inline(__always)
  func accumulate(_ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    guard needsGradient[index] else { return }
    if gradients[index] == nil {
      gradients[index] = [Float](repeating: 0, count: values[index].count)
    }
    // `body` must not touch `gradients` itself (exclusive access); it reads values and the output
    // gradient, which the caller passed separately.
    gradients[index]!.withUnsafeMutableBufferPointer { body($0) }
  }

  /// Like `accumulate(_:_:)`, but on first use `initialize` receives uninitialized memory that it
  /// must fill completely (saving the zeroing and a pass over memory); later uses call `add`.
  @inline(__always)
  func accumulate(
    _ index: Int, initialize: (UnsafeMutableBufferPointer<Float>) -> Void,
    add: (UnsafeMutableBufferPointer<Float>) -> Void
  ) {
    guard needsGradient[index] else { return }
    if gradients[index] == nil {
      let count = values[index].count
      gradients[index] = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        initialize(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
        initialized = count
      }
    } else {
      gradients[index]!.withUnsafeMutableBufferPointer { add($0) }
    }
  }

  /// Makes sure node `index` has a gradient (zeros if it had none), for operations whose output is
  /// empty but whose inputs are not.
  func accumulateZeros(_ index: Int) {
    accumulate(index) { _ in }
  }

  /// Computes the gradients of `output` with respect to every node it depends on. `seed` is the
  /// gradient of the final objective with respect to `output`; it defaults to 1 for a one-element output.
  /// Gradients from an earlier `backward` on this tape are discarded first (to combine several
  /// objectives, add them into one output, or add the `Gradients` of separate calls).
  public func backward(_ output: Variable, seed: Tensor? = nil) {
    precondition(output.tape === self, "backward: variable from another tape")
    for index in gradients.indices { gradients[index] = nil }
    let start = output.index
    if let seed {
      precondition(
        seed.shape == values[start].shape, "backward: seed shape \(seed.shape) ≠ \(values[start].shape)")
      gradients[start] = seed.storage
    } else {
      precondition(values[start].count == 1, "backward: output has shape \(values[start].shape); pass a seed")
      gradients[start] = [1]
    }
    guard needsGradient[start] else { return }
    for index in stride(from: start, through: 0, by: -1) {
      guard let backward = backwardFunctions[index], let gradient = gradients[index] else { continue }
      backward(self, gradient)
    }
  }

  /// The gradient of the last `backward` output with respect to `variable`, or nil if none reached it.
  public func gradient(of variable: Variable) -> Tensor? {
    gradients[variable.index].map { Tensor(shape: values[variable.index].shape, storage: $0) }
  }

  /// The gradient for every parameter of `store` (zeros for parameters the output does not depend
  /// on), summed over every use of the parameter on this tape.
  public func gradients(for store: ParameterStore) -> Gradients {
    var sums: [[Float]?] = Array(repeating: nil, count: store.count)
    for index in 0..<values.count {
      guard let id = parameterIDs[index], let gradient = gradients[index] else { continue }
      precondition(id.index < store.count, "gradients(for:): parameter from another store")
      guard sums[id.index] != nil else {
        sums[id.index] = gradient  // shared, not copied, until it is added to
        continue
      }
      sums[id.index]!.withUnsafeMutableBufferPointer { target in
        gradient.withUnsafeBufferPointer { source in
          for position in 0..<target.count { target[position] += source[position] }
        }
      }
    }
    var result = Gradients(tensors: [])
    result.tensors = store.values.indices.map { index in
      let shape = store.values[index].shape
      return sums[index].map { Tensor(shape: shape, storage: $0) } ?? Tensor(zeros: shape)
    }
    return result
  }
}

/// A handle to a node on a `Tape`: the result of an operation, a constant or a parameter.
public struct Variable {
  /// The tape this variable was recorded on.
  public let tape: Tape
  /// The node's position on the tape.
  public let index: Int

  /// The node's value.
  public var value: Tensor { tape.values[index] }

  /// The node's shape.
  public var shape: [Int] { tape.values[index].shape }
}
