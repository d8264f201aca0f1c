import ArborTensor

/// One BERT layer's tensors on a tape, in the order of `BertLayerWeights.tensorNames`, and the
/// layer's forward pass as differentiable operations (for fine-tuning the top layers of an encoder).
public struct BertLayerVariables {
  /// The twelve tensors of the layer, in the order of `BertLayerWeights.tensorNames`.
  public let variables: [Variable]

  /// Wraps variables given in the order of `BertLayerWeights.tensorNames`.
  public init(_ variables: [Variable]) {
    precondition(
      variables.count == BertLayerWeights.tensorNames.count, "BertLayerVariables: expected 12 variables")
    self.variables = variables
  }

  /// Records `weights` on `tape` as leaves that get gradients when `trainable` is true.
  public init(_ weights: BertLayerWeights, configuration: BertConfiguration, on tape: Tape, trainable: Bool) {
    self.init(weights.tensors(configuration).map { tape.constant($0, needsGradient: trainable) })
  }

  /// The layer applied to `[tokens, hidden]` states of sequences of `lengths` tokens laid end to end.
  ///
  /// The same computation as the native forward pass (`BertModel`), in BERT's order: Q, K, V from one
  /// stacked projection; per head, softmax(Q·Kᵀ/√d + mask)·V on the sequences padded to the longest,
  /// with −1e9 added to the scores of padding keys; the output projection, residual and layer norm;
  /// the GELU feed-forward block, residual and layer norm. `outputRows` (token rows) limits the part
  /// after attention to those tokens and returns `[outputRows.count, hidden]`, for when only some
  /// states are needed (the mask states of a last layer). While the tape is training, dropout with
  /// probability `dropout` is applied to the attention probabilities and to both sub-layer outputs,
  /// as in BERT, drawing from `generator`.
  public func forward(
    _ states: Variable, lengths: [Int], configuration: BertConfiguration, outputRows: [Int]? = nil,
    dropout: Float = 0, using generator: inout RandomGenerator
  ) -> Variable {
    let width = configuration.hiddenSize
    let heads = configuration.headCount
    let headSize = configuration.headSize
    let epsilon = configuration.layerNormEpsilon
    let tokenCount = lengths.reduce(0, +)
    precondition(states.shape == [tokenCount, width], "BertLayerVariables: states must be [tokens, hidden]")
    precondition(lengths.allSatisfy { $0 > 0 }, "BertLayerVariables: empty sequence")
    let sequenceCount = lengths.count
    let longest = lengths.max() ?? 0
    var offsets = [0]
    for length in lengths { offsets.append(offsets[offsets.count - 1] + length) }
    let w = variables

    // Rows of `qkv` as [tokens · 3 · heads, headSize]: token t, part p (q, k, v), head h at t·3H + p·H + h.
    let qkv = (states.matmul(w[0], transposeOther: true) + w[1]).reshaped([tokenCount * 3 * heads, headSize])
    func padded(part: Int) -> Variable {
      var rows: [Int] = []
      rows.reserveCapacity(sequenceCount * heads * longest)
      for sequence in 0..<sequenceCount {
        for head in 0..<heads {
          for position in 0..<longest {
            // Padding positions repeat the sequence's first token; their keys are masked and their
            // queries are dropped below.
            let token = offsets[sequence] + (position < lengths[sequence] ? position : 0)
            rows.append(token * 3 * heads + part * heads + head)
          }
        }
      }
      return qkv.gatherRows(rows).reshaped([sequenceCount * heads, longest, headSize])
    }
    let (query, key, value) = (padded(part: 0), padded(part: 1), padded(part: 2))
    var mask = [Float](repeating: 0, count: sequenceCount * heads * longest)
    for sequence in 0..<sequenceCount {
      for head in 0..<heads {
        let base = (sequence * heads + head) * longest
        for position in lengths[sequence]..<longest { mask[base + position] = -1e9 }
      }
    }
    let scores =
      query.batchedMatmul(key, transposeOther: true).scaled(by: 1 / Float(headSize).squareRoot())
      + states.tape.constant(Tensor(shape: [sequenceCount * heads, 1, longest], storage: mask))
    let probabilities = scores.softmax(axis: -1).dropout(probability: dropout, using: &generator)
    // Back to token order: row t·H + h of the context is (sequence · H + h) · longest + position.
    var back: [Int] = []
    back.reserveCapacity(tokenCount * heads)
    for sequence in 0..<sequenceCount {
      for position in 0..<lengths[sequence] {
        for head in 0..<heads { back.append((sequence * heads + head) * longest + position) }
      }
    }
    var context = probabilities.batchedMatmul(value).reshaped([sequenceCount * heads * longest, headSize])
      .gatherRows(back).reshaped([tokenCount, width])
    var residual = states
    if let outputRows {
      context = context.gatherRows(outputRows)
      residual = states.gatherRows(outputRows)
    }
    let attended = (context.matmul(w[2], transposeOther: true) + w[3])
      .dropout(probability: dropout, using: &generator)
    let normalized = (attended + residual).layerNorm(gain: w[4], bias: w[5], epsilon: epsilon)
    let expanded = (normalized.matmul(w[6], transposeOther: true) + w[7]).gelu()
    let contracted = (expanded.matmul(w[8], transposeOther: true) + w[9])
      .dropout(probability: dropout, using: &generator)
    return (contracted + normalized).layerNorm(gain: w[10], bias: w[11], epsilon: epsilon)
  }
}
