import ArborTensor

#if canImport(Glibc)
  import Glibc
#endif

/// Trains a two-layer classifier (Linear → LayerNorm → GELU → Linear → cross-entropy, AdamW with
/// warm-up and decay, clipping at global norm 1) on one fixed batch, the workload of
/// Benchmarks/tensor/run.sh.
///
/// Arguments: DIR STEPS. Writes DIR/init.safetensors (seeded weights and data) if it is absent, so
/// that the Python peer starts from the same numbers, then trains. Prints the first and last losses
/// (the check that both sides computed the same thing) and the training time.
func runTensorBenchmark(_ arguments: [String]) throws {
  guard arguments.count == 2, let steps = Int(arguments[1]), steps > 0 else {
    print("usage: arbor-bench tensor DIR STEPS")
    exit(2)
  }
  let path = arguments[0] + "/init.safetensors"
  let (batch, inputs, hidden, classes) = (256, 512, 512, 1000)
  if access(path, F_OK) != 0 {
    var generator = RandomGenerator(seed: 2026)
    let labels = (0..<batch).map { _ in Float(generator.nextInt(below: classes)) }
    let tensors: [(name: String, tensor: Tensor)] = [
      ("x", Tensor.randomNormal(shape: [batch, inputs], using: &generator)),
      ("labels", Tensor(shape: [batch], storage: labels)),
      ("w1", Tensor.glorotUniform(fanIn: inputs, fanOut: hidden, using: &generator)),
      ("b1", Tensor(zeros: [hidden])),
      ("gamma", Tensor(repeating: 1, shape: [hidden])),
      ("beta", Tensor(zeros: [hidden])),
      ("w2", Tensor.glorotUniform(fanIn: hidden, fanOut: classes, using: &generator)),
      ("b2", Tensor(zeros: [classes])),
    ]
    try SafeTensorsFile.write(tensors, to: path)
  }
  let file = try SafeTensorsFile(path: path)
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
    learningRate: 1e-3, weightDecay: 0.01, schedule: .linearWarmupDecay(warmupSteps: 5, totalSteps: steps))

  var losses: [Float] = []
  let tape = Tape()
  let start = now()
  for _ in 0..<steps {
    tape.reset()
    let input = tape.constant(x)
    let h = input.matmul(tape.parameter(w1, in: store)) + tape.parameter(b1, in: store)
    let a = h.layerNorm(
      gain: tape.parameter(gamma, in: store), bias: tape.parameter(beta, in: store), epsilon: 1e-5
    )
    .gelu()
    let logits = a.matmul(tape.parameter(w2, in: store)) + tape.parameter(b2, in: store)
    let loss = logits.crossEntropy(targets: labels)
    tape.backward(loss)
    var gradients = tape.gradients(for: store)
    gradients.clipByGlobalNorm(1)
    optimizer.update(&store, with: gradients)
    losses.append(loss.value.scalar)
  }
  let seconds = now() - start
  print("losses \(losses[0]) \(losses[losses.count - 1])")
  print("seconds \(seconds) per_step_ms \(seconds / Double(steps) * 1000) blas_threads \(blasThreads())")
}
