import ArborTensor

extension BertLayerWeights {
  /// The names of a layer's tensors, in the order of `tensors(_:)` and `BertLayerVariables`.
  public static let tensorNames = [
    "attention.qkv.weight", "attention.qkv.bias", "attention.output.weight", "attention.output.bias",
    "attention.norm.scale", "attention.norm.shift", "intermediate.weight", "intermediate.bias",
    "output.weight", "output.bias", "output.norm.scale", "output.norm.shift",
  ]

  /// The shapes of the tensors named in `tensorNames` for a configuration.
  public static func tensorShapes(_ configuration: BertConfiguration) -> [[Int]] {
    let hidden = configuration.hiddenSize
    let inner = configuration.intermediateSize
    return [
      [3 * hidden, hidden], [3 * hidden], [hidden, hidden], [hidden], [hidden], [hidden], [inner, hidden],
      [inner], [hidden, inner], [hidden], [hidden], [hidden],
    ]
  }

  /// The layer's tensors in the order of `tensorNames`, shaped for `configuration`.
  public func tensors(_ configuration: BertConfiguration) -> [Tensor] {
    let values = [
      queryKeyValue, queryKeyValueBias, attentionOutput, attentionOutputBias, attentionNormScale,
      attentionNormShift, intermediate, intermediateBias, output, outputBias, outputNormScale,
      outputNormShift,
    ]
    return zip(values, Self.tensorShapes(configuration)).map { Tensor(shape: $1, storage: $0) }
  }

  /// A layer from tensors in the order of `tensorNames`; throws when a count or shape does not fit.
  public init(tensors: [Tensor], configuration: BertConfiguration) throws(TextError) {
    let shapes = Self.tensorShapes(configuration)
    guard tensors.count == shapes.count else {
      throw TextError(path: "BERT layer", message: "\(tensors.count) tensors, expected \(shapes.count)")
    }
    for (index, (tensor, shape)) in zip(tensors, shapes).enumerated() where tensor.shape != shape {
      throw TextError(
        path: "BERT layer",
        message: "tensor '\(Self.tensorNames[index])' has shape \(tensor.shape), expected \(shape)")
    }
    self.init(
      queryKeyValue: tensors[0].storage, queryKeyValueBias: tensors[1].storage,
      attentionOutput: tensors[2].storage, attentionOutputBias: tensors[3].storage,
      attentionNormScale: tensors[4].storage, attentionNormShift: tensors[5].storage,
      intermediate: tensors[6].storage, intermediateBias: tensors[7].storage, output: tensors[8].storage,
      outputBias: tensors[9].storage, outputNormScale: tensors[10].storage,
      outputNormShift: tensors[11].storage)
  }
}

extension BertModel {
  /// The weights of layer `index` (0-based, from the embeddings up).
  public func layerWeights(_ index: Int) -> BertLayerWeights { weights.layers[index] }

  /// The states of every token after the embeddings and the first `lowerLayers` layers, then after
  /// each layer of `top` in turn (weights in place of the model's own upper layers, for example
  /// fine-tuned ones). Throws as `hiddenStates(_:)` does.
  public func hiddenStates(_ sequences: [[Int]], lowerLayers: Int, then top: [BertLayerWeights] = [])
    throws(TextError) -> TokenStates
  {
    let lower = max(0, min(lowerLayers, configuration.layerCount))
    var states = try hiddenStates(sequences, layers: Array(weights.layers.prefix(lower)))
    applyLayers(top, to: &states)
    return states
  }

  /// Runs `layers` natively over states that came out of a lower layer (or the embeddings), in place.
  public func applyLayers(_ layers: [BertLayerWeights], to states: inout TokenStates) {
    guard !layers.isEmpty else { return }
    let offsets = states.offsets
    let lengths = (0..<states.sequenceCount).map { offsets[$0 + 1] - offsets[$0] }
    states.values.withUnsafeMutableBufferPointer { buffer in
      run(layers, lengths: lengths, offsets: offsets, on: buffer)
    }
  }
}
