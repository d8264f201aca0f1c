/// How the learning rate changes over training, as a multiplier of the base rate.
public enum LearningRateSchedule: Sendable, Equatable {
  /// The base rate throughout.
  case constant
  /// Linear warm-up from 0 over `warmupSteps`, then linear decay to 0 at `totalSteps`, as in
  /// HuggingFace's `get_linear_schedule_with_warmup`: step/warmup while step < warmup, then
  /// max(0, (total − step)/(total − warmup)).
  case linearWarmupDecay(warmupSteps: Int, totalSteps: Int)

  /// The multiplier at `step` (0-based count of updates already made).
  public func multiplier(atStep step: Int) -> Float {
    switch self {
    case .constant:
      return 1
    case .linearWarmupDecay(let warmup, let total):
      if step < warmup { return Float(step) / Float(max(1, warmup)) }
      return max(0, Float(total - step) / Float(max(1, total - warmup)))
    }
  }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay Regularization",
/// ICLR 2019) and bias correction (Kingma & Ba, 2015).
///
/// For update t = 1, 2, … with rate ηₜ = learningRate · schedule.multiplier(atStep: t − 1) (so, as with
/// a PyTorch `LambdaLR` stepped after each update, the first update uses multiplier(0)):
///
///     θ ← θ − ηₜ·λ·θ                      (only for parameters with weight decay)
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − ηₜ · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// which is the update of `torch.optim.AdamW`.
public struct AdamW: Sendable {
  /// The base learning rate η.
  public var learningRate: Float
  /// The first-moment decay β₁.
  public var beta1: Float
  /// The second-moment decay β₂.
  public var beta2: Float
  /// The term ε added to the denominator.
  public var epsilon: Float
  /// The decoupled weight decay λ.
  public var weightDecay: Float
  /// The learning-rate schedule.
  public var schedule: LearningRateSchedule
  /// The number of updates made so far.
  public internal(set) var step = 0
  var firstMoments: [[Float]] = []
  var secondMoments: [[Float]] = []

  /// An optimizer with PyTorch's defaults except for the rate (β = (0.9, 0.999), ε = 1e-8, λ = 0.01).
  public init(
    learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0.01, schedule: LearningRateSchedule = .constant
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.schedule = schedule
  }

  /// The learning rate the next update will use.
  public var currentLearningRate: Float {
    learningRate * schedule.multiplier(atStep: step)
  }

  /// Applies one update to every parameter of `store` from `gradients`.
  public mutating func update(_ store: inout ParameterStore, with gradients: Gradients) {
    precondition(gradients.tensors.count == store.count, "AdamW: gradients do not match the store")
    if firstMoments.isEmpty {
      firstMoments = store.values.map { [Float](repeating: 0, count: $0.count) }
      secondMoments = firstMoments
    }
    precondition(firstMoments.count == store.count, "AdamW: the store changed since the first update")
    let rate = currentLearningRate
    step += 1
    let t = Double(step)
    let correction1 = Float(1 - pow(Double(beta1), t))
    let correction2 = Float(1 - pow(Double(beta2), t))
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    // θ −= rate · (m/c₁) / (√(v/c₂) + ε) is computed as θ −= (rate/c₁) · m / (√v · (1/√c₂) + ε).
    let stepSize = rate / correction1
    let rootCorrection2 = 1 / correction2.squareRoot()
    for id in store.ids {
      let decayFactor: Float = store.weightDecayMask[id.index] ? 1 - rate * weightDecay : 1
      let gradient = gradients.tensors[id.index].storage
      precondition(gradient.count == store.values[id.index].count, "AdamW: gradient shape mismatch")
      store.withMutableStorage(id) { theta in
        firstMoments[id.index].withUnsafeMutableBufferPointer { m in
          secondMoments[id.index].withUnsafeMutableBufferPointer { v in
            gradient.withUnsafeBufferPointer { g in
              AdamW.kernel(
                theta: theta.baseAddress!, m: m.baseAddress!, v: v.baseAddress!, g: g.baseAddress!,
                count: theta.count, b1: b1, b2: b2, eps: eps, decayFactor: decayFactor,
                stepSize: stepSize, rootCorrection2: rootCorrection2)
            }
          }
        }
      }
    }
  }
}

extension AdamW {
  /// The per-element update, eight lanes at a time (the same arithmetic as the scalar tail).
  @inline(__always)
  fileprivate static func kernel(
    theta: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
    g: UnsafePointer<Float>, count: Int, b1: Float, b2: Float, eps: Float, decayFactor: Float,
    stepSize: Float, rootCorrection2: Float
  ) {
    typealias Lanes = SIMD8<Float>
    var i = 0
    while i + 8 <= count {
      let gradient = UnsafeRawPointer(g + i).loadUnaligned(as: Lanes.self)
      let first = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: Lanes.self) + (1 - b1) * gradient
      let second = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: Lanes.self) + (1 - b2) * gradient * gradient
      UnsafeMutableRawPointer(m + i).storeBytes(of: first, as: Lanes.self)
      UnsafeMutableRawPointer(v + i).storeBytes(of: second, as: Lanes.self)
      let denominator = second.squareRoot() * rootCorrection2 + eps
      let weights = UnsafeRawPointer(theta + i).loadUnaligned(as: Lanes.self)
      UnsafeMutableRawPointer(theta + i).storeBytes(
        of: weights * decayFactor - stepSize * first / denominator, as: Lanes.self)
      i += 8
    }
    while i < count {
      m[i] = b1 * m[i] + (1 - b1) * g[i]
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
      let denominator = v[i].squareRoot() * rootCorrection2 + eps
      theta[i] = theta[i] * decayFactor - stepSize * m[i] / denominator
      i += 1
    }
  }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
  powDouble(base, exponent)
}
