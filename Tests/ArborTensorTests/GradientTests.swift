import Testing

@testable import ArborTensor

/// Finite-difference gradient checks for every differentiable operation.
@Suite struct GradientTests {
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matmul(transposes: (Bool, Bool)) {
    let (ta, tb) = transposes
    let a = randomTensor(ta ? [4, 3] : [3, 4], seed: 1)
    let b = randomTensor(tb ? [5, 4] : [4, 5], seed: 2)
    checkGradients([a, b]) { _, v in v[0].matmul(v[1], transposeSelf: ta, transposeOther: tb) }
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func batchedMatmul(transposes: (Bool, Bool)) {
    let (ta, tb) = transposes
    let a = randomTensor(ta ? [2, 4, 3] : [2, 3, 4], seed: 31)
    let b = randomTensor(tb ? [2, 5, 4] : [2, 4, 5], seed: 32)
    checkGradients([a, b]) { _, v in v[0].batchedMatmul(v[1], transposeSelf: ta, transposeOther: tb) }
  }

  @Test(arguments: [
    ([3, 4], [4]), ([3, 4], [3, 4]), ([3, 1], [1, 4]), ([2, 3, 4], [3, 1]), ([4], [2, 3, 4]), ([2, 3], []),
  ])
  func broadcastingArithmetic(shapes: ([Int], [Int])) {
    let a = randomTensor(shapes.0, seed: 3)
    let b = randomTensor(shapes.1, seed: 4)
    checkGradients([a, b]) { _, v in v[0] + v[1] }
    checkGradients([a, b]) { _, v in v[0] - v[1] }
    checkGradients([a, b]) { _, v in v[0] * v[1] }
    // Keep divisors away from 0, where the quotient is not smooth.
    let divisor = Tensor(shape: b.shape, storage: b.storage.map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 })
    checkGradients([a, divisor]) { _, v in v[0] / v[1] }
  }

  @Test func unaryFunctions() {
    let x = randomTensor([3, 5], seed: 5, scale: 1.5)
    checkGradients([randomTensorAwayFromZero([3, 5], seed: 6)]) { _, v in v[0].relu() }
    checkGradients([x]) { _, v in v[0].gelu() }
    checkGradients([x]) { _, v in v[0].tanh() }
    checkGradients([x]) { _, v in v[0].sigmoid() }
    checkGradients([x]) { _, v in v[0].scaled(by: -2.5) }
    checkGradients([x]) { _, v in v[0].reshaped([5, 3]) }
    checkGradients([x]) { _, v in v[0].transposed() }
    checkGradients([x]) { _, v in v[0].exp() }
    checkGradients([x]) { _, v in v[0].squared() }
    let positive = Tensor(shape: x.shape, storage: x.storage.map { abs($0) + 0.5 })
    checkGradients([positive]) { _, v in v[0].log() }
    checkGradients([positive]) { _, v in v[0].squareRoot() }
  }

  @Test(arguments: [0, 1, -1])
  func softmaxAndLogSoftmax(axis: Int) {
    let x = randomTensor([3, 4], seed: 7, scale: 2)
    checkGradients([x]) { _, v in v[0].softmax(axis: axis) }
    checkGradients([x]) { _, v in v[0].logSoftmax(axis: axis) }
  }

  @Test func softmaxAlongMiddleAxisOfThreeDimensions() {
    let x = randomTensor([2, 3, 4], seed: 8)
    checkGradients([x]) { _, v in v[0].softmax(axis: 1) }
    checkGradients([x]) { _, v in v[0].logSoftmax(axis: 1) }
  }

  @Test func crossEntropy() {
    let logits = randomTensor([4, 5], seed: 9, scale: 2)
    checkGradients([logits]) { _, v in v[0].crossEntropy(targets: [0, 4, 2, 2]) }
    checkGradients([logits]) { _, v in v[0].crossEntropy(targets: [1, -100, 3, -100], ignoredTarget: -100) }
    var targets = randomTensor([4, 5], seed: 10).storage.map { abs($0) }
    for row in 0..<4 {
      let total = targets[(row * 5)..<(row * 5 + 5)].reduce(0, +)
      for column in 0..<5 { targets[row * 5 + column] /= total }
    }
    checkGradients([logits]) { _, v in
      v[0].crossEntropy(targetProbabilities: Tensor(shape: [4, 5], storage: targets))
    }
  }

  @Test func binaryCrossEntropyWithLogits() {
    let logits = randomTensor([3, 4], seed: 11, scale: 3)
    let targets = Tensor(shape: [3, 4], storage: [1, 0, 1, 1, 0, 0, 0.5, 1, 0.25, 0, 1, 0])
    checkGradients([logits]) { _, v in v[0].binaryCrossEntropyWithLogits(targets: targets) }
  }

  @Test func layerNormWithRespectToInputGainAndBias() {
    let x = randomTensor([3, 6], seed: 12, scale: 2)
    let gain = randomTensor([6], seed: 13)
    let bias = randomTensor([6], seed: 14)
    checkGradients([x, gain, bias]) { _, v in v[0].layerNorm(gain: v[1], bias: v[2], epsilon: 1e-5) }
  }

  @Test func embeddingLookupAndGather() {
    let table = randomTensor([6, 3], seed: 15)
    checkGradients([table]) { _, v in v[0].embedding([4, 1, 4, 0, 5]) }
    checkGradients([table]) { _, v in v[0].gatherRows([2, 2, 3]) }
  }

  @Test(arguments: [BagReduction.sum, .mean])
  func embeddingBag(reduction: BagReduction) {
    let table = randomTensor([7, 3], seed: 16)
    // Bags: [1, 3, 3], [] (empty), [6], [0, 2].
    checkGradients([table]) { _, v in
      v[0].embeddingBag([1, 3, 3, 6, 0, 2], offsets: [0, 3, 3, 4], reduction: reduction)
    }
  }

  @Test func cosineSimilarity() {
    let a = randomTensor([4, 5], seed: 17)
    let b = randomTensor([4, 5], seed: 18)
    checkGradients([a, b]) { _, v in v[0].cosineSimilarity(v[1]) }
    // The same variable on both sides: the gradient of cos(a, a) = 1 is 0, which must come out as such.
    let tape = Tape()
    let x = tape.constant(a, needsGradient: true)
    tape.backward(x.cosineSimilarity(x).sum())
    #expect(tape.gradient(of: x)!.storage.allSatisfy { abs($0) < 1e-5 })
  }

  @Test func dropoutInTrainingMatchesItsMask() {
    let x = randomTensor([4, 6], seed: 19)
    checkGradients([x]) { _, v in
      var generator = RandomGenerator(seed: 7)
      return v[0].dropout(probability: 0.3, using: &generator)
    }
    let tape = Tape(training: true)
    let input = tape.constant(x, needsGradient: true)
    var generator = RandomGenerator(seed: 7)
    let output = input.dropout(probability: 0.3, using: &generator)
    let seed = randomTensor([4, 6], seed: 20)
    tape.backward(output, seed: seed)
    let gradient = tape.gradient(of: input)!.storage
    var kept = 0
    var reference = RandomGenerator(seed: 7)
    for index in 0..<x.count {
      // The same draws as the mask: keep when u ≥ p; kept elements are scaled by 1/(1 − p).
      let keep = reference.nextUniform() >= 0.3
      if keep { kept += 1 }
      let scale: Float = keep ? 1 / 0.7 : 0
      #expect(abs(output.value.storage[index] - x.storage[index] * scale) < 1e-6)
      #expect(abs(gradient[index] - seed.storage[index] * scale) < 1e-6)
    }
    #expect(kept > 0 && kept < x.count)
  }

  @Test func dropoutInEvaluationIsTheIdentity() {
    let x = randomTensor([4, 6], seed: 21)
    let tape = Tape(training: false)
    let input = tape.constant(x, needsGradient: true)
    var generator = RandomGenerator(seed: 7)
    let output = input.dropout(probability: 0.5, using: &generator)
    #expect(output.value == x)
    checkGradients([x], training: false) { _, v in
      var generator = RandomGenerator(seed: 7)
      return v[0].dropout(probability: 0.5, using: &generator)
    }
  }

  @Test(arguments: [0, 1])
  func concatAndSlice(axis: Int) {
    let a = randomTensor([2, 3], seed: 22)
    let b = randomTensor(axis == 0 ? [4, 3] : [2, 4], seed: 23)
    checkGradients([a, b]) { _, v in concat([v[0], v[1], v[0]], axis: axis) }
    checkGradients([b]) { _, v in v[0].slice(axis: axis, 1..<3) }
  }

  @Test func sumsAndMeans() {
    let x = randomTensor([2, 3, 4], seed: 24)
    checkGradients([x]) { _, v in v[0].sum() }
    checkGradients([x]) { _, v in v[0].mean() }
    for axis in [0, 1, 2, -1] {
      checkGradients([x]) { _, v in v[0].sum(axis: axis) }
      checkGradients([x]) { _, v in v[0].mean(axis: axis) }
    }
  }

  @Test func compositeNetworkWithSharedParameter() {
    // A two-layer network that uses its first weight twice; gradients must add over both uses.
    var store = ParameterStore()
    let w1 = store.add("w1", randomTensor([4, 4], seed: 25))
    let b1 = store.add("b1", randomTensor([4], seed: 26))
    let w2 = store.add("w2", randomTensor([4, 3], seed: 27))
    let x = randomTensor([5, 4], seed: 28)
    let targets = [0, 2, 1, 1, 0]
    func loss(_ store: ParameterStore) -> Tape.LossAndTape {
      let tape = Tape()
      let input = tape.constant(x)
      let first = tape.parameter(w1, in: store)
      let hidden = (input.matmul(first) + tape.parameter(b1, in: store)).gelu().matmul(first).tanh()
      let loss = hidden.matmul(tape.parameter(w2, in: store)).crossEntropy(targets: targets)
      return (loss, tape)
    }
    let (value, tape) = loss(store)
    tape.backward(value)
    let gradients = tape.gradients(for: store)
    for id in store.ids {
      for element in 0..<store[id].count {
        var plus = store
        plus[id].storage[element] += 1e-2
        var minus = store
        minus[id].storage[element] -= 1e-2
        let numeric = (loss(plus).loss.value.scalar - loss(minus).loss.value.scalar) / 2e-2
        let analytic = gradients[id].storage[element]
        #expect(abs(analytic - numeric) <= 2e-3 + 1e-2 * abs(numeric), "\(store.names[id.index])[\(element)]")
      }
    }
  }
}

extension Tape {
  typealias LossAndTape = (loss: Variable, tape: Tape)
}
