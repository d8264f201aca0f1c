/// The final hidden state of every token of a batch of sequences, stored ragged (no padding).
public struct TokenStates: Sendable {
  /// Width of one hidden state.
  public let hiddenSize: Int
  /// Where each sequence's tokens start; sequence `i` is tokens `offsets[i]..<offsets[i + 1]`.
  public let offsets: [Int]
  /// Row-major `[tokenCount, hiddenSize]` hidden states.
  public var values: [Float]

  /// Number of sequences.
  public var sequenceCount: Int { offsets.count - 1 }

  /// The `[length, hiddenSize]` hidden states of sequence `index`, row-major.
  public func states(ofSequence index: Int) -> ArraySlice<Float> {
    values[(offsets[index] * hiddenSize)..<(offsets[index + 1] * hiddenSize)]
  }

  /// Mean of each sequence's token states (every token counts, `[CLS]` and `[SEP]` included, as in
  /// sentence-transformers' mean pooling), optionally scaled to unit L2 norm: `[sequenceCount, hiddenSize]`.
  public func meanPooled(normalized: Bool) -> [Float] {
    var pooled = [Float](repeating: 0, count: sequenceCount * hiddenSize)
    values.withUnsafeBufferPointer { states in
      pooled.withUnsafeMutableBufferPointer { output in
        for sequence in 0..<sequenceCount {
          let start = offsets[sequence]
          let end = offsets[sequence + 1]
          let row = output.baseAddress! + sequence * hiddenSize
          guard end > start else { continue }
          for token in start..<end {
            let state = states.baseAddress! + token * hiddenSize
            for column in 0..<hiddenSize { row[column] += state[column] }
          }
          let inverseCount = 1 / Float(end - start)
          var squares: Float = 0
          for column in 0..<hiddenSize {
            row[column] *= inverseCount
            squares += row[column] * row[column]
          }
          // sentence-transformers' Normalize divides by max(‖v‖, 1e-12).
          if normalized {
            let inverseNorm = 1 / max(squares.squareRoot(), 1e-12)
            for column in 0..<hiddenSize { row[column] *= inverseNorm }
          }
        }
      }
    }
    return pooled
  }
}
