import ArborTensor
import Foundation
import Testing

@Suite struct OptimizerTests {
  @Test func adamWTwoStepsMatchHandComputation() {
    var store = ParameterStore()
    let weight = store.add("weight", Tensor(shape: [2], storage: [1, -2]))
    let bias = store.add("bias", Tensor(shape: [1], storage: [0.5]), weightDecay: false)
    var optimizer = AdamW(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
    let steps: [[Double]] = [[0.5, -1.0, 0.3], [0.1, 0.2, -0.3]]

    // Reference in Double, written out from Loshchilov & Hutter's algorithm (decoupled decay) with
    // Adam's bias correction.
    var theta: [Double] = [1, -2, 0.5]
    let decays = [true, true, false]
    var m = [0.0, 0.0, 0.0]
    var v = [0.0, 0.0, 0.0]
    for (t, g) in steps.enumerated() {
      let step = Double(t + 1)
      for i in 0..<3 {
        if decays[i] { theta[i] -= 0.01 * 0.1 * theta[i] }
        m[i] = 0.9 * m[i] + 0.1 * g[i]
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
        let mHat = m[i] / (1 - pow(0.9, step))
        let vHat = v[i] / (1 - pow(0.999, step))
        theta[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
      }
      var gradients = Gradients(zerosLike: store)
      gradients[weight] = Tensor(shape: [2], storage: [Float(g[0]), Float(g[1])])
      gradients[bias] = Tensor(shape: [1], storage: [Float(g[2])])
      optimizer.update(&store, with: gradients)
    }
    // After step 1 every coordinate moves by ≈ lr (Adam's first step is sign(g)·lr), so the numbers
    // are far from the start; the tolerance covers Float rounding only.
    let result = store[weight].storage + store[bias].storage
    for i in 0..<3 { #expect(abs(Double(result[i]) - theta[i]) < 1e-6, "coordinate \(i)") }
    #expect(abs(theta[0] - (1 - 0.02)) < 1e-3)  // sanity: two steps of ≈ 0.01 each, plus decay
    #expect(optimizer.step == 2)
  }

  @Test func linearWarmupThenDecay() {
    let schedule = LearningRateSchedule.linearWarmupDecay(warmupSteps: 4, totalSteps: 12)
    let expected: [Float] = [0, 0.25, 0.5, 0.75, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0, 0]
    for (step, multiplier) in expected.enumerated() {
      #expect(abs(schedule.multiplier(atStep: step) - multiplier) < 1e-7, "step \(step)")
    }
    #expect(LearningRateSchedule.constant.multiplier(atStep: 1000) == 1)

    // The first update uses multiplier(0) = 0, as with PyTorch's LambdaLR stepped after each update.
    var store = ParameterStore()
    let id = store.add("w", Tensor(shape: [1], storage: [1]))
    var optimizer = AdamW(learningRate: 0.1, weightDecay: 0.5, schedule: schedule)
    var gradients = Gradients(zerosLike: store)
    gradients[id] = Tensor(shape: [1], storage: [1])
    optimizer.update(&store, with: gradients)
    #expect(store[id].storage == [1])
    #expect(abs(optimizer.currentLearningRate - 0.025) < 1e-8)
  }

  @Test func clippingByGlobalNorm() {
    var store = ParameterStore()
    let a = store.add("a", Tensor(zeros: [2]))
    let b = store.add("b", Tensor(zeros: [1]))
    var gradients = Gradients(zerosLike: store)
    gradients[a] = Tensor(shape: [2], storage: [3, 4])
    gradients[b] = Tensor(shape: [1], storage: [12])
    #expect(abs(gradients.globalNorm - 13) < 1e-5)
    var unchanged = gradients
    #expect(abs(unchanged.clipByGlobalNorm(20) - 13) < 1e-5)
    #expect(unchanged[a].storage == [3, 4])
    let norm = gradients.clipByGlobalNorm(6.5)
    #expect(abs(norm - 13) < 1e-5)
    let factor = 6.5 / (13 + 1e-6)
    #expect(abs(Double(gradients[a].storage[0]) - 3 * factor) < 1e-6)
    #expect(abs(Double(gradients[b].storage[0]) - 12 * factor) < 1e-6)
    #expect(abs(gradients.globalNorm - 6.5) < 1e-5)
  }

  /// Trains a 2-8-2 MLP on XOR with dropout and returns the parameters and final loss.
  private func trainXOR(seed: UInt64, steps: Int = 300) -> (ParameterStore, Float) {
    var generator = RandomGenerator(seed: seed)
    var store = ParameterStore()
    let w1 = store.add("layer1.weight", Tensor.glorotUniform(fanIn: 2, fanOut: 8, using: &generator))
    let b1 = store.add("layer1.bias", Tensor(zeros: [8]), weightDecay: false)
    let w2 = store.add("layer2.weight", Tensor.glorotUniform(fanIn: 8, fanOut: 2, using: &generator))
    let b2 = store.add("layer2.bias", Tensor(zeros: [2]), weightDecay: false)
    let inputs = Tensor(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
    let labels = [0, 1, 1, 0]
    var optimizer = AdamW(
      learningRate: 0.05, weightDecay: 0.01, schedule: .linearWarmupDecay(warmupSteps: 10, totalSteps: steps))
    var lastLoss: Float = .infinity
    for _ in 0..<steps {
      var order = [0, 1, 2, 3]
      generator.shuffle(&order)
      let tape = Tape()
      let x = tape.constant(Tensor(rows: order.map { [inputs[$0, 0], inputs[$0, 1]] }))
      let hidden = (x.matmul(tape.parameter(w1, in: store)) + tape.parameter(b1, in: store)).gelu()
        .dropout(probability: 0.1, using: &generator)
      let logits = hidden.matmul(tape.parameter(w2, in: store)) + tape.parameter(b2, in: store)
      let loss = logits.crossEntropy(targets: order.map { labels[$0] })
      tape.backward(loss)
      var gradients = tape.gradients(for: store)
      gradients.clipByGlobalNorm(1)
      optimizer.update(&store, with: gradients)
      lastLoss = loss.value.scalar
    }
    let tape = Tape(training: false)
    let hidden = (tape.constant(inputs).matmul(tape.parameter(w1, in: store)) + tape.parameter(b1, in: store))
      .gelu()
    let logits = hidden.matmul(tape.parameter(w2, in: store)) + tape.parameter(b2, in: store)
    _ = lastLoss
    return (store, logits.crossEntropy(targets: labels).value.scalar)
  }

  @Test func trainingIsBitForBitRepeatableAndLearnsXOR() {
    let (first, loss) = trainXOR(seed: 5)
    let (second, _) = trainXOR(seed: 5)
    for (a, b) in zip(first.values, second.values) {
      #expect(a.storage.map(\.bitPattern) == b.storage.map(\.bitPattern))
    }
    let (other, _) = trainXOR(seed: 6)
    #expect(first.values != other.values)
    #expect(loss < 0.1, "XOR loss after training: \(loss)")
  }
}

/// End-to-end check of forward, backward, clipping, schedule and AdamW against an independent
/// float64 numpy implementation (Fixtures/make_training_reference.py).
@Suite struct TrainingReferenceTests {
  @Test func twentyStepsMatchNumpyReference() throws {
    let file = try SafeTensorsFile(path: fixturePath("training_init.safetensors"))
    let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath("training_reference.json")))
    let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let steps = try #require(reference["steps"] as? Int)
    let warmup = try #require(reference["warmup"] as? Int)
    let learningRate = try #require(reference["learning_rate"] as? Double)
    let weightDecay = try #require(reference["weight_decay"] as? Double)
    let clip = try #require(reference["clip"] as? Double)
    let losses = try #require(reference["losses"] as? [Double])
    let norms = try #require(reference["gradient_norms"] as? [Double])
    let final = try #require(reference["final"] as? [String: [Double]])

    let x = try file.tensor("x")
    let labels = try file.floats("labels").map { Int($0) }
    var store = ParameterStore()
    let w1 = store.add("w1", try file.tensor("w1"))
    let b1 = store.add("b1", try file.tensor("b1"), weightDecay: false)
    let gamma = store.add("gamma", try file.tensor("gamma"), weightDecay: false)
    let beta = store.add("beta", try file.tensor("beta"), weightDecay: false)
    let w2 = store.add("w2", try file.tensor("w2"))
    let b2 = store.add("b2", try file.tensor("b2"), weightDecay: false)
    var optimizer = AdamW(
      learningRate: Float(learningRate), weightDecay: Float(weightDecay),
      schedule: .linearWarmupDecay(warmupSteps: warmup, totalSteps: steps))
    var clipped = 0
    for step in 0..<steps {
      let tape = Tape()
      let h = tape.constant(x).matmul(tape.parameter(w1, in: store)) + tape.parameter(b1, in: store)
      let a = h.layerNorm(
        gain: tape.parameter(gamma, in: store), bias: tape.parameter(beta, in: store), epsilon: 1e-5
      )
      .gelu()
      let loss = (a.matmul(tape.parameter(w2, in: store)) + tape.parameter(b2, in: store))
        .crossEntropy(targets: labels)
      tape.backward(loss)
      var gradients = tape.gradients(for: store)
      let norm = gradients.clipByGlobalNorm(Float(clip))
      if Double(norm) > clip { clipped += 1 }
      #expect(abs(Double(loss.value.scalar) - losses[step]) <= 1e-5 * losses[step], "loss at step \(step)")
      #expect(abs(Double(norm) - norms[step]) <= 1e-4 * norms[step], "gradient norm at step \(step)")
      optimizer.update(&store, with: gradients)
    }
    #expect(clipped > 0, "the reference run should exercise clipping")
    for (name, values) in final {
      let id = try #require(store.id(named: name))
      for (value, expected) in zip(store[id].storage, values) {
        #expect(abs(Double(value) - expected) <= 1e-5, "\(name)")
      }
    }
  }
}

@Suite struct OptimizerStateTests {
  private func makeStore() -> ParameterStore {
    var store = ParameterStore()
    store.add("w", randomTensor([3, 4], seed: 51))
    store.add("b", Tensor(zeros: [4]), weightDecay: false)
    return store
  }

  private func train(_ store: inout ParameterStore, _ optimizer: inout AdamW, steps: Range<Int>) {
    let x = randomTensor([6, 3], seed: 52)
    for step in steps {
      let tape = Tape()
      let w = tape.parameter(store.ids[0], in: store)
      let b = tape.parameter(store.ids[1], in: store)
      let loss = (tape.constant(x).matmul(w) + b).tanh().crossEntropy(targets: [0, 1, 2, 3, 0, step % 4])
      tape.backward(loss)
      optimizer.update(&store, with: tape.gradients(for: store))
    }
  }

  @Test func resumingFromSavedStateIsBitForBitTheSameAsNotStopping() throws {
    let schedule = LearningRateSchedule.linearWarmupDecay(warmupSteps: 3, totalSteps: 10)
    var straight = makeStore()
    var straightOptimizer = AdamW(learningRate: 0.05, schedule: schedule)
    train(&straight, &straightOptimizer, steps: 0..<10)

    var first = makeStore()
    var firstOptimizer = AdamW(learningRate: 0.05, schedule: schedule)
    train(&first, &firstOptimizer, steps: 0..<5)
    let directory = makeTemporaryDirectory()
    try first.save(to: directory + "/model.safetensors")
    try firstOptimizer.saveState(to: directory + "/optimizer.safetensors", for: first)

    var resumed = makeStore()
    try resumed.load(from: directory + "/model.safetensors")
    var resumedOptimizer = AdamW(learningRate: 1)  // every setting comes from the file
    try resumedOptimizer.loadState(from: directory + "/optimizer.safetensors", for: resumed)
    #expect(resumedOptimizer.step == 5)
    #expect(resumedOptimizer.schedule == schedule)
    #expect(resumedOptimizer.learningRate == 0.05)
    train(&resumed, &resumedOptimizer, steps: 5..<10)
    for (a, b) in zip(resumed.values, straight.values) {
      #expect(a.storage.map(\.bitPattern) == b.storage.map(\.bitPattern))
    }
  }

  @Test func loadingStateForAnotherModelFails() throws {
    var store = makeStore()
    var optimizer = AdamW(learningRate: 0.05)
    train(&store, &optimizer, steps: 0..<2)
    let path = makeTemporaryDirectory() + "/optimizer.safetensors"
    try optimizer.saveState(to: path, for: store)
    var other = ParameterStore()
    other.add("w", Tensor(zeros: [4, 3]))
    other.add("b", Tensor(zeros: [4]))
    var fresh = AdamW(learningRate: 0.3)
    do {
      try fresh.loadState(from: path, for: other)
      Issue.record("expected an error")
    } catch {
      #expect(error.message.contains("'m.w' has shape [3, 4]"))
    }
    #expect(fresh.step == 0 && fresh.learningRate == 0.3, "a failed load changes nothing")
    var renamed = ParameterStore()
    renamed.add("w", Tensor(zeros: [3, 4]))
    do {
      try fresh.loadState(from: path, for: renamed)
      Issue.record("expected an error")
    } catch {
      #expect(error.message.contains("'m.b'"))
    }
    // A plain safetensors file is not optimizer state.
    try SafeTensorsFile.write([(name: "x", tensor: Tensor(zeros: [1]))], to: path)
    #expect(throws: SafeTensorsError.self) { try fresh.loadState(from: path, for: store) }
  }
}
