import Testing

@testable import ArborTensor

/// Compares the tape's gradients of `build` with central finite differences.
///
/// The objective is Σ R ⊙ build(inputs) for a fixed random R (seeded), so every output element
/// contributes with a different weight. Each input element is moved by ±`step` and the objective is
/// re-evaluated; the sum is accumulated in Double. An analytic gradient `a` and numeric `n` agree when
/// |a − n| ≤ absoluteTolerance + relativeTolerance · max(|a|, |n|).
func checkGradients(
  _ inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Float = 5e-3, relativeTolerance: Float = 1e-2,
  training: Bool = true, sourceLocation: SourceLocation = #_sourceLocation,
  _ build: (Tape, [Variable]) -> Variable
) {
  let tape = Tape(training: training)
  let variables = inputs.map { tape.constant($0, needsGradient: true) }
  let output = build(tape, variables)
  var generator = RandomGenerator(seed: 99)
  let weights = Tensor.randomNormal(shape: output.shape, using: &generator)
  tape.backward(output, seed: weights)
  let analytic = variables.map {
    tape.gradient(of: $0)?.storage ?? [Float](repeating: 0, count: $0.value.count)
  }

  func objective(_ values: [Tensor]) -> Double {
    let tape = Tape(training: training)
    let output = build(tape, values.map { tape.constant($0) }).value
    precondition(output.shape == weights.shape)
    var total = 0.0
    for (y, w) in zip(output.storage, weights.storage) { total += Double(y) * Double(w) }
    return total
  }

  var largest: Float = 0
  for input in inputs.indices {
    for element in 0..<inputs[input].count {
      var values = inputs
      values[input].storage[element] += step
      let plus = objective(values)
      values[input].storage[element] -= 2 * step
      let minus = objective(values)
      let numeric = Float((plus - minus) / (2 * Double(step)))
      let a = analytic[input][element]
      largest = max(largest, abs(numeric))
      let allowed = absoluteTolerance + relativeTolerance * max(abs(a), abs(numeric))
      if abs(a - numeric) > allowed {
        Issue.record(
          "input \(input) element \(element): analytic \(a), numeric \(numeric)",
          sourceLocation: sourceLocation)
        return
      }
    }
  }
  // A check where every gradient is zero could not catch anything.
  #expect(largest > 1e-3, "all numeric gradients are ~0", sourceLocation: sourceLocation)
}

/// A seeded random tensor with elements from N(0, 1) (times `scale`).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
  var generator = RandomGenerator(seed: seed)
  return Tensor.randomNormal(shape: shape, standardDeviation: scale, using: &generator)
}

/// A seeded random tensor whose elements are at least `margin` away from 0 (for kinks at 0).
func randomTensorAwayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.05) -> Tensor {
  var tensor = randomTensor(shape, seed: seed)
  for index in tensor.storage.indices where abs(tensor.storage[index]) < margin {
    tensor.storage[index] = tensor.storage[index] < 0 ? -margin - 0.1 : margin + 0.1
  }
  return tensor
}
