import ArborTensor

/// A policy whose logits are divided by a temperature: the distribution sampled and trained is
/// `softmax(z / T)`, while greedy decoding (the argmax) is the base policy's.
///
/// With `T > 1` a confident policy still samples other paths, so that groups whose paths would all agree
/// under `T = 1` (every advantage zero) keep a learning signal; TRL's `GRPOTrainer` divides logits by its
/// sampling `temperature` in the loss the same way.
public struct TemperedPolicy<Base: TreePathPolicy>: TreePathPolicy {
  /// The policy whose logits are tempered.
  public var base: Base
  /// The temperature `T > 0`.
  public var temperature: Float

  /// Wraps `base` at `temperature`.
  public init(_ base: Base, temperature: Float) {
    self.base = base
    self.temperature = temperature
  }

  /// The base policy's tree.
  public var actionSpace: TreeActionSpace { base.actionSpace }

  /// The base policy's parameters.
  public var parameters: ParameterStore {
    get { base.parameters }
    set { base.parameters = newValue }
  }

  /// The base policy's logits divided by ``temperature``.
  public func logits(for queries: [PolicyQuery], in contexts: [Base.Context], on tape: Tape) -> Variable {
    let logits = base.logits(for: queries, in: contexts, on: tape)
    return temperature == 1 ? logits : logits.scaled(by: 1 / temperature)
  }
}
