import ArborTensor
import Foundation

/// A BERT encoder (Devlin et al. 2019) for inference: embeddings, self-attention, GELU feed-forward
/// and post-layer norms, computed on raw float buffers with one sgemm per projection over all tokens
/// of a batch. Sequences are not padded: attention runs over each sequence's own tokens, which gives
/// the same states as padding plus an attention mask.
public struct BertModel: Sendable {
  /// The architecture.
  public let configuration: BertConfiguration
  /// The parameters.
  let weights: BertWeights
  /// Threads for the work BLAS does not do (attention, layer norms, GELU); BLAS uses its own setting
  /// (`OPENBLAS_NUM_THREADS`).
  public var threadCount: Int

  /// Reads `config.json` and `model.safetensors` from a Hugging Face model directory.
  public init(directory: String, threadCount: Int = ProcessInfo.processInfo.activeProcessorCount)
    throws(TextError)
  {
    let configuration = try BertConfiguration(contentsOf: directory + "/config.json")
    let file: SafeTensorsFile
    do throws(SafeTensorsError) {
      file = try SafeTensorsFile(path: directory + "/model.safetensors")
    } catch {
      throw TextError(path: error.path, message: error.message)
    }
    self.configuration = configuration
    self.weights = try BertWeights(file: file, configuration: configuration)
    self.threadCount = max(1, threadCount)
  }

  /// Floating-point operations of one forward pass over sequences of these lengths, counting 2·m·n·k
  /// for every matrix product (projections, feed-forward, Q·Kᵀ and attention·V).
  public func flopCount(lengths: [Int]) -> Double {
    let hidden = Double(configuration.hiddenSize)
    let inner = Double(configuration.intermediateSize)
    var total = 0.0
    for length in lengths {
      let tokens = Double(length)
      let projections = 2 * tokens * hidden * (3 * hidden + hidden + 2 * inner)
      let attention = 2 * 2 * tokens * tokens * hidden
      total += projections + attention
    }
    return total * Double(configuration.layerCount)
  }

  /// The final hidden state of every token of `sequences` (token ids, `[CLS]`…`[SEP]` included).
  /// Throws when an id is outside the vocabulary or a sequence is longer than the position table.
  public func hiddenStates(_ sequences: [[Int]]) throws(TextError) -> TokenStates {
    try hiddenStates(sequences, layers: weights.layers)
  }

  /// The states after the embeddings and `layers` (checked as `hiddenStates(_:)` checks).
  func hiddenStates(_ sequences: [[Int]], layers: [BertLayerWeights]) throws(TextError) -> TokenStates {
    var offsets = [0]
    offsets.reserveCapacity(sequences.count + 1)
    for (index, sequence) in sequences.enumerated() {
      guard sequence.count <= configuration.maxPositions else {
        throw TextError(
          path: "sequence \(index)",
          message: "\(sequence.count) tokens, more than the model's \(configuration.maxPositions) positions")
      }
      if let bad = sequence.first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
        throw TextError(path: "sequence \(index)", message: "token id \(bad) is outside the vocabulary")
      }
      offsets.append(offsets[offsets.count - 1] + sequence.count)
    }
    var values = [Float](repeating: 0, count: offsets[offsets.count - 1] * configuration.hiddenSize)
    values.withUnsafeMutableBufferPointer { output in
      forward(sequences, offsets: offsets, layers: layers, into: output)
    }
    return TokenStates(hiddenSize: configuration.hiddenSize, offsets: offsets, values: values)
  }
}
