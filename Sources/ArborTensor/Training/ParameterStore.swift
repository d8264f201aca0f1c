/// Identifies one parameter of a `ParameterStore`.
public struct ParameterID: Hashable, Sendable {
  /// The parameter's position in its store.
  public let index: Int
}

/// Named trainable tensors that persist across training steps, in insertion order.
///
/// A model registers its weights once (`add`), records them on each step's tape
/// (`Tape.parameter(_:in:)`), and an optimizer updates them from the tape's gradients.
public struct ParameterStore: Sendable {
  /// The parameter names, in insertion order.
  public private(set) var names: [String] = []
  /// The current values, parallel to `names`.
  public private(set) var values: [Tensor] = []
  /// Whether decoupled weight decay applies to each parameter (usually not to biases and norms).
  public private(set) var weightDecayMask: [Bool] = []
  private var lookup: [String: Int] = [:]

  /// An empty store.
  public init() {}

  /// The number of parameters.
  public var count: Int { names.count }

  /// The total number of scalar weights.
  public var elementCount: Int { values.reduce(0) { $0 + $1.count } }

  /// Registers a parameter; names must be unique.
  @discardableResult
  public mutating func add(_ name: String, _ value: Tensor, weightDecay: Bool = true) -> ParameterID {
    precondition(lookup[name] == nil, "ParameterStore: duplicate parameter name '\(name)'")
    lookup[name] = names.count
    names.append(name)
    values.append(value)
    weightDecayMask.append(weightDecay)
    return ParameterID(index: names.count - 1)
  }

  /// The parameter called `name`, if any.
  public func id(named name: String) -> ParameterID? {
    lookup[name].map { ParameterID(index: $0) }
  }

  /// Every parameter's ID in insertion order.
  public var ids: [ParameterID] { (0..<count).map { ParameterID(index: $0) } }

  /// A parameter's value; a new value must keep the shape.
  public subscript(id: ParameterID) -> Tensor {
    get { values[id.index] }
    set {
      precondition(
        newValue.shape == values[id.index].shape, "ParameterStore: shape of '\(names[id.index])' changed")
      values[id.index] = newValue
    }
  }

  /// The name of the first parameter holding an infinite or NaN element, or nil when all are finite.
  ///
  /// Training that diverges (a learning rate far too high) leaves such values behind; trainers check
  /// this rather than save or sample from them.
  public var firstNonFiniteName: String? {
    for (name, value) in zip(names, values) where !value.storage.allSatisfy(\.isFinite) { return name }
    return nil
  }

  /// Gives in-place access to a parameter's elements (used by optimizers).
  mutating func withMutableStorage<Result>(
    _ id: ParameterID, _ body: (UnsafeMutableBufferPointer<Float>) -> Result
  ) -> Result {
    values[id.index].storage.withUnsafeMutableBufferPointer { body($0) }
  }
}

/// One gradient tensor per parameter of a store, in the store's order.
public struct Gradients: Sendable {
  /// The gradients, parallel to the store's parameters.
  public var tensors: [Tensor]

  init(tensors: [Tensor]) {
    self.tensors = tensors
  }

  /// Zero gradients shaped like the parameters of `store`.
  public init(zerosLike store: ParameterStore) {
    tensors = store.values.map { Tensor(zeros: $0.shape) }
  }

  /// The gradient of one parameter.
  public subscript(id: ParameterID) -> Tensor {
    get { tensors[id.index] }
    set { tensors[id.index] = newValue }
  }

  /// The Euclidean norm of all gradients taken together, accumulated in Double.
  public var globalNorm: Float {
    var sum = 0.0
    for tensor in tensors {
      tensor.storage.withUnsafeBufferPointer { buffer in
        // Blocks of 4096 summed in Float (vectorized), the blocks in Double.
        var start = 0
        while start < buffer.count {
          let count = min(4096, buffer.count - start)
          sum += Double(Kernels.dot(buffer.baseAddress! + start, buffer.baseAddress! + start, count))
          start += count
        }
      }
    }
    return Float(sum.squareRoot())
  }

  /// Scales all gradients so that their global norm is at most `maximumNorm`, as
  /// `torch.nn.utils.clip_grad_norm_` does: factor `maximumNorm / (norm + 1e-6)` when below 1.
  /// Returns the norm before clipping.
  @discardableResult
  public mutating func clipByGlobalNorm(_ maximumNorm: Float) -> Float {
    let norm = globalNorm
    let factor = maximumNorm / (norm + 1e-6)
    if factor < 1 {
      for index in tensors.indices {
        tensors[index].storage.withUnsafeMutableBufferPointer { buffer in
          for position in 0..<buffer.count { buffer[position] *= factor }
        }
      }
    }
    return norm
  }

  /// Adds `other` elementwise (for accumulating gradients over micro-batches).
  public mutating func add(_ other: Gradients) {
    precondition(other.tensors.count == tensors.count, "Gradients.add: different parameter counts")
    for index in tensors.indices {
      precondition(tensors[index].shape == other.tensors[index].shape, "Gradients.add: shapes differ")
      tensors[index].storage.withUnsafeMutableBufferPointer { target in
        other.tensors[index].storage.withUnsafeBufferPointer { source in
          for position in 0..<target.count { target[position] += source[position] }
        }
      }
    }
  }
}
