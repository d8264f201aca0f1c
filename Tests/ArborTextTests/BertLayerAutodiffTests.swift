import ArborTensor
import ArborText
import Foundation
import Testing

/// The differentiable BERT layer (`BertLayerVariables.forward`) against the native forward pass, on a
/// tiny random model always and on all-MiniLM-L6-v2 when installed, and its gradients against
/// central finite differences.
@Suite struct BertLayerAutodiffTests {
  static let tiny = BertConfiguration(
    hiddenSize: 8, layerCount: 2, headCount: 2, intermediateSize: 16, maxPositions: 16,
    typeVocabularySize: 2, vocabularySize: 20, layerNormEpsilon: 1e-12)

  /// A directory with a random two-layer BERT (`config.json`, `model.safetensors`); the caller removes it.
  static func tinyModelDirectory() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "arbor-tiny-bert-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let c = tiny
    let config = """
      {"model_type": "bert", "hidden_size": \(c.hiddenSize), "num_hidden_layers": \(c.layerCount), \
      "num_attention_heads": \(c.headCount), "intermediate_size": \(c.intermediateSize), \
      "max_position_embeddings": \(c.maxPositions), "type_vocab_size": 2, "vocab_size": \(c.vocabularySize), \
      "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
      """
    try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
    var generator = RandomGenerator(seed: 5)
    func random(_ shape: [Int], scale: Float = 0.5, offset: Float = 0) -> Tensor {
      var tensor = Tensor.randomNormal(shape: shape, standardDeviation: scale, using: &generator)
      for index in tensor.storage.indices { tensor.storage[index] += offset }
      return tensor
    }
    let (h, inner) = (c.hiddenSize, c.intermediateSize)
    var tensors: [(name: String, tensor: Tensor)] = [
      ("embeddings.word_embeddings.weight", random([c.vocabularySize, h])),
      ("embeddings.position_embeddings.weight", random([c.maxPositions, h])),
      ("embeddings.token_type_embeddings.weight", random([2, h])),
      ("embeddings.LayerNorm.weight", random([h], scale: 0.1, offset: 1)),
      ("embeddings.LayerNorm.bias", random([h], scale: 0.1)),
    ]
    for layer in 0..<c.layerCount {
      let p = "encoder.layer.\(layer)."
      for part in ["query", "key", "value"] {
        tensors.append((p + "attention.self.\(part).weight", random([h, h])))
        tensors.append((p + "attention.self.\(part).bias", random([h], scale: 0.1)))
      }
      tensors += [
        (p + "attention.output.dense.weight", random([h, h])),
        (p + "attention.output.dense.bias", random([h], scale: 0.1)),
        (p + "attention.output.LayerNorm.weight", random([h], scale: 0.1, offset: 1)),
        (p + "attention.output.LayerNorm.bias", random([h], scale: 0.1)),
        (p + "intermediate.dense.weight", random([inner, h])),
        (p + "intermediate.dense.bias", random([inner], scale: 0.1)),
        (p + "output.dense.weight", random([h, inner])),
        (p + "output.dense.bias", random([h], scale: 0.1)),
        (p + "output.LayerNorm.weight", random([h], scale: 0.1, offset: 1)),
        (p + "output.LayerNorm.bias", random([h], scale: 0.1)),
      ]
    }
    try SafeTensorsFile.write(tensors, metadata: [:], to: directory + "/model.safetensors")
    return directory
  }

  /// Largest |a − b| between the tape layer on the states below the top layer and the native top layer.
  static func topLayerDifference(_ model: BertModel, sequences: [[Int]], outputRows: [Int]? = nil) throws
    -> Float
  {
    let top = model.configuration.layerCount - 1
    let lower = try model.hiddenStates(sequences, lowerLayers: top)
    let native = try model.hiddenStates(sequences)
    let tape = Tape(training: false)
    let layer = BertLayerVariables(
      model.layerWeights(top), configuration: model.configuration, on: tape, trainable: false)
    var generator = RandomGenerator(seed: 0)
    let lengths = sequences.map(\.count)
    let output = layer.forward(
      tape.constant(
        Tensor(shape: [lengths.reduce(0, +), model.configuration.hiddenSize], storage: lower.values)),
      lengths: lengths, configuration: model.configuration, outputRows: outputRows, using: &generator)
    let width = model.configuration.hiddenSize
    let rows = outputRows ?? Array(0..<lengths.reduce(0, +))
    #expect(output.shape == [rows.count, width])
    var worst: Float = 0
    for (position, row) in rows.enumerated() {
      for column in 0..<width {
        worst = max(
          worst, abs(output.value.storage[position * width + column] - native.values[row * width + column]))
      }
    }
    return worst
  }

  @Test func tinyLayerMatchesTheNativeForwardPass() throws {
    let directory = try Self.tinyModelDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try BertModel(directory: directory, threadCount: 1)
    let sequences = [[1, 5, 7, 2], [1, 9, 2], [1, 3, 4, 11, 12, 2], [1, 2]]
    let difference = try Self.topLayerDifference(model, sequences: sequences)
    #expect(difference < 1e-4, "max abs difference \(difference)")
    let some = try Self.topLayerDifference(model, sequences: sequences, outputRows: [0, 5, 8, 13])
    #expect(some < 1e-4, "max abs difference on selected rows \(some)")
    // Replacing the top layer by itself, natively, gives the model's own states.
    let replaced = try model.hiddenStates(sequences, lowerLayers: 1, then: [model.layerWeights(1)])
    #expect(replaced.values == (try model.hiddenStates(sequences)).values)
  }

  @Test(.enabled(if: TestSupport.miniLMDirectory != nil, TestSupport.skipMessage))
  func miniLMTopLayerMatchesTheNativeForwardPass() throws {
    let encoder = try SentenceEncoder(directory: try #require(TestSupport.miniLMDirectory), threadCount: 1)
    let texts = [
      "It was 1 level: [MASK] 2 level: [MASK]. a domestic animal kept for companionship",
      "the study of the structure of rocks", "tree",
    ]
    let sequences = texts.map { encoder.tokenizer.encode($0) }
    let difference = try Self.topLayerDifference(encoder.model, sequences: sequences)
    print("BertLayerAutodiffTests: MiniLM top layer, max abs difference \(difference)")
    #expect(difference < 1e-4, "max abs difference \(difference)")
  }

  @Test func gradientsMatchFiniteDifferences() throws {
    let directory = try Self.tinyModelDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try BertModel(directory: directory, threadCount: 1)
    let configuration = model.configuration
    let lengths = [3, 2]
    let sequences = [[1, 5, 7], [1, 9]]
    let lower = try model.hiddenStates(sequences, lowerLayers: 1)
    let inputs =
      [Tensor(shape: [5, configuration.hiddenSize], storage: lower.values)]
      + model.layerWeights(1).tensors(configuration)
    func build(_ tape: Tape, _ variables: [Variable]) -> Variable {
      var generator = RandomGenerator(seed: 0)
      let layer = BertLayerVariables(Array(variables.dropFirst()))
      return layer.forward(
        variables[0], lengths: lengths, configuration: configuration, outputRows: [0, 2, 4], using: &generator
      )
    }
    // Σ R ⊙ output for a fixed random R, analytic against central differences (accumulated in Double).
    let tape = Tape(training: false)
    let variables = inputs.map { tape.constant($0, needsGradient: true) }
    let output = build(tape, variables)
    var generator = RandomGenerator(seed: 99)
    let weights = Tensor.randomNormal(shape: output.shape, using: &generator)
    tape.backward(output, seed: weights)
    func objective(_ values: [Tensor]) -> Double {
      let tape = Tape(training: false)
      let output = build(tape, values.map { tape.constant($0) }).value
      return zip(output.storage, weights.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    let step: Float = 1e-2
    var largest: Float = 0
    var failures = 0
    for input in inputs.indices {
      let analytic = try #require(tape.gradient(of: variables[input])).storage
      for element in 0..<inputs[input].count {
        var values = inputs
        values[input].storage[element] += step
        let plus = objective(values)
        values[input].storage[element] -= 2 * step
        let minus = objective(values)
        let numeric = Float((plus - minus) / (2 * Double(step)))
        largest = max(largest, abs(numeric))
        let a = analytic[element]
        if abs(a - numeric) > 5e-3 + 1e-2 * max(abs(a), abs(numeric)) {
          failures += 1
          if failures <= 5 {
            Issue.record("input \(input) element \(element): analytic \(a), numeric \(numeric)")
          }
        }
      }
    }
    #expect(failures == 0)
    // A check where every gradient is zero could not catch anything.
    #expect(largest > 1e-2, "all numeric gradients are ~0")
  }
}

/// The optional sentence-transformers files change the vectors (sequence length, normalisation), so a
/// damaged one is an error naming it rather than silently replaced by defaults.
@Suite struct SentenceEncoderSettingsTests {
  static func directory() throws -> String {
    let directory = try BertLayerAutodiffTests.tinyModelDirectory()
    let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "apple", "pear"]
    try vocabulary.joined(separator: "\n").write(
      toFile: directory + "/vocab.txt", atomically: true, encoding: .utf8)
    return directory
  }

  @Test func validFilesAreRead() throws {
    let directory = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try #"{"max_seq_length": 5}"#.write(
      toFile: directory + "/sentence_bert_config.json", atomically: true, encoding: .utf8)
    try #"[{"type": "sentence_transformers.models.Pooling"}]"#.write(
      toFile: directory + "/modules.json", atomically: true, encoding: .utf8)
    let encoder = try SentenceEncoder(directory: directory, threadCount: 1)
    #expect(encoder.maxLength == 5)
    #expect(!encoder.normalizes)
  }

  @Test(arguments: [
    ("sentence_bert_config.json", "{not json", "expected a JSON object"),
    ("sentence_bert_config.json", #"{"max_seq_length": "long"}"#, "max_seq_length must be a whole number"),
    ("sentence_bert_config.json", #"{"max_seq_length": 1e300}"#, "max_seq_length must be a whole number"),
    ("modules.json", #"{"type": "Normalize"}"#, "expected a JSON array of module objects"),
  ])
  func damagedFilesAreNamed(file: String, text: String, message: String) throws {
    let directory = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try text.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
    do {
      _ = try SentenceEncoder(directory: directory, threadCount: 1)
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains(file), "\(error)")
      #expect("\(error)".contains(message), "\(error)")
    }
  }
}
