/// The forward pass on raw buffers.
extension BertModel {
  /// Embeds the ragged batch and runs `layers` over it, writing `[tokens, hidden]` states into `hidden`.
  func forward(
    _ sequences: [[Int]], offsets: [Int], layers: [BertLayerWeights],
    into hidden: UnsafeMutableBufferPointer<Float>
  ) {
    let tokenCount = offsets[offsets.count - 1]
    guard tokenCount > 0, let states = hidden.baseAddress else { return }
    let width = configuration.hiddenSize
    let epsilon = configuration.layerNormEpsilon
    let threads = threadCount
    embed(sequences, offsets: offsets, into: states)
    weights.embeddingNormScale.withUnsafeBufferPointer { scale in
      weights.embeddingNormShift.withUnsafeBufferPointer { shift in
        Parallel.forEachChunk(count: tokenCount, threadCount: threads, minimumChunk: 64) { rows in
          BertKernels.addAndNormalize(
            states, residual: nil, bias: nil, rows: rows, width: width, scale: scale.baseAddress!,
            shift: shift.baseAddress!, epsilon: epsilon)
        }
      }
    }
    run(layers, lengths: sequences.map(\.count), offsets: offsets, on: hidden)
  }

  /// Runs `layers` in turn over ragged `[tokens, hidden]` states, in place.
  func run(
    _ layers: [BertLayerWeights], lengths: [Int], offsets: [Int], on hidden: UnsafeMutableBufferPointer<Float>
  ) {
    let tokenCount = offsets[offsets.count - 1]
    guard tokenCount > 0, !layers.isEmpty, let states = hidden.baseAddress else { return }
    let width = configuration.hiddenSize
    let inner = configuration.intermediateSize
    let threads = threadCount
    let longest = lengths.max() ?? 0

    let queryKeyValue = UnsafeMutablePointer<Float>.allocate(capacity: tokenCount * 3 * width)
    let context = UnsafeMutablePointer<Float>.allocate(capacity: tokenCount * width)
    let intermediate = UnsafeMutablePointer<Float>.allocate(capacity: tokenCount * inner)
    let scores = UnsafeMutablePointer<Float>.allocate(capacity: threads * longest * longest)
    defer {
      queryKeyValue.deallocate()
      context.deallocate()
      intermediate.deallocate()
      scores.deallocate()
    }
    for layer in layers {
      runLayer(
        layer, states: states, tokenCount: tokenCount, offsets: offsets, queryKeyValue: queryKeyValue,
        context: context, intermediate: intermediate, scores: scores, scoresPerThread: longest * longest)
    }
  }

  /// Word + position + token-type (0) embeddings of every token.
  private func embed(_ sequences: [[Int]], offsets: [Int], into states: UnsafeMutablePointer<Float>) {
    let width = configuration.hiddenSize
    weights.wordEmbeddings.withUnsafeBufferPointer { words in
      weights.positionEmbeddings.withUnsafeBufferPointer { positions in
        weights.tokenTypeEmbeddings.withUnsafeBufferPointer { types in
          for (index, sequence) in sequences.enumerated() {
            for (position, id) in sequence.enumerated() {
              let row = states + (offsets[index] + position) * width
              let word = words.baseAddress! + id * width
              let place = positions.baseAddress! + position * width
              for column in 0..<width { row[column] = word[column] + place[column] + types[column] }
            }
          }
        }
      }
    }
  }

  /// One transformer layer, in place on `states`.
  private func runLayer(
    _ layer: BertLayerWeights, states: UnsafeMutablePointer<Float>, tokenCount: Int, offsets: [Int],
    queryKeyValue: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>,
    intermediate: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, scoresPerThread: Int
  ) {
    let width = configuration.hiddenSize
    let inner = configuration.intermediateSize
    let heads = configuration.headCount
    let headSize = configuration.headSize
    let epsilon = configuration.layerNormEpsilon
    let threads = threadCount
    let sequenceCount = offsets.count - 1

    layer.queryKeyValue.withUnsafeBufferPointer { weight in
      layer.queryKeyValueBias.withUnsafeBufferPointer { bias in
        BertKernels.linear(
          states, rows: tokenCount, inputWidth: width, weight: weight.baseAddress!, bias: bias.baseAddress!,
          outputWidth: 3 * width, into: queryKeyValue)
      }
    }
    let tasks = sequenceCount * heads
    Parallel.forEachIndexedChunk(count: tasks, threadCount: threads, minimumChunk: 24) { chunk, range in
      let scratch = scores + chunk * scoresPerThread
      for task in range {
        let sequence = task / heads
        let head = task % heads
        let start = offsets[sequence]
        let rows = queryKeyValue + start * 3 * width + head * headSize
        BertKernels.attendHead(
          query: rows, key: rows + width, value: rows + 2 * width, stride: 3 * width,
          length: offsets[sequence + 1] - start, headSize: headSize,
          context: context + start * width + head * headSize, contextStride: width, scores: scratch)
      }
    }
    // Attention output projection, residual and layer norm; the projection goes to `queryKeyValue`,
    // free again, so that `states` keeps the residual.
    let projected = queryKeyValue
    layer.attentionOutput.withUnsafeBufferPointer { weight in
      BertKernels.linear(
        context, rows: tokenCount, inputWidth: width, weight: weight.baseAddress!, bias: nil,
        outputWidth: width,
        into: projected)
    }
    normalize(
      states, adding: projected, bias: layer.attentionOutputBias, tokenCount: tokenCount,
      scale: layer.attentionNormScale, shift: layer.attentionNormShift, epsilon: epsilon, threads: threads)
    layer.intermediate.withUnsafeBufferPointer { weight in
      BertKernels.linear(
        states, rows: tokenCount, inputWidth: width, weight: weight.baseAddress!, bias: nil,
        outputWidth: inner,
        into: intermediate)
    }
    layer.intermediateBias.withUnsafeBufferPointer { bias in
      Parallel.forEachChunk(count: tokenCount, threadCount: threads, minimumChunk: 16) { rows in
        BertKernels.addBiasAndGELU(intermediate, rows: rows, width: inner, bias: bias.baseAddress!)
      }
    }
    layer.output.withUnsafeBufferPointer { weight in
      BertKernels.linear(
        intermediate, rows: tokenCount, inputWidth: inner, weight: weight.baseAddress!, bias: nil,
        outputWidth: width, into: projected)
    }
    normalize(
      states, adding: projected, bias: layer.outputBias, tokenCount: tokenCount, scale: layer.outputNormScale,
      shift: layer.outputNormShift, epsilon: epsilon, threads: threads)
  }

  /// `states ← LayerNorm(states + projected + bias)`, the residual connection of a sub-layer.
  private func normalize(
    _ states: UnsafeMutablePointer<Float>, adding projected: UnsafeMutablePointer<Float>, bias: [Float],
    tokenCount: Int, scale: [Float], shift: [Float], epsilon: Float, threads: Int
  ) {
    let width = configuration.hiddenSize
    bias.withUnsafeBufferPointer { bias in
      scale.withUnsafeBufferPointer { scale in
        shift.withUnsafeBufferPointer { shift in
          Parallel.forEachChunk(count: tokenCount, threadCount: threads, minimumChunk: 64) { rows in
            BertKernels.addAndNormalize(
              states, residual: projected, bias: bias.baseAddress!, rows: rows, width: width,
              scale: scale.baseAddress!, shift: shift.baseAddress!, epsilon: epsilon)
          }
        }
      }
    }
  }
}
