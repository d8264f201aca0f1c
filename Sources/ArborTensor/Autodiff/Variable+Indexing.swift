/// How `embeddingBag` combines the rows of a bag.
public enum BagReduction: Sendable {
  /// The sum of the bag's rows.
  case sum
  /// The mean of the bag's rows (zeros for an empty bag).
  case mean
}

extension Variable {
  /// The rows of a matrix at `indices`, in order (repeats allowed), giving `[indices.count, d]`.
  /// Backward scatters the gradient rows back, adding where an index repeats.
  public func gatherRows(_ indices: [Int]) -> Variable {
    precondition(shape.count == 2, "gatherRows: needs a matrix, got \(shape)")
    let (rows, width) = (shape[0], shape[1])
    for row in indices { precondition(row >= 0 && row < rows, "gatherRows: row \(row) outside 0..<\(rows)") }
    let input = index
    var output = Tensor(zeros: [indices.count, width])
    output.storage.withUnsafeMutableBufferPointer { y in
      value.storage.withUnsafeBufferPointer { x in
        for (position, row) in indices.enumerated() {
          for j in 0..<width { y[position * width + j] = x[row * width + j] }
        }
      }
    }
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        upstream.withUnsafeBufferPointer { g in
          for (position, row) in indices.enumerated() {
            for j in 0..<width { gradient[row * width + j] += g[position * width + j] }
          }
        }
      }
    }
  }

  /// Embedding lookup: the rows of this `[vocabulary, d]` table for each token id (same as `gatherRows`).
  public func embedding(_ ids: [Int]) -> Variable {
    gatherRows(ids)
  }

  /// Embedding bag: for each bag, the sum or mean of the table rows of its ids, giving
  /// `[offsets.count, d]`. Bag b holds `ids[offsets[b] ..< offsets[b + 1]]` (the last bag runs to the
  /// end), as in PyTorch's `EmbeddingBag`; offsets must start at 0 and not decrease.
  public func embeddingBag(_ ids: [Int], offsets: [Int], reduction: BagReduction = .mean) -> Variable {
    precondition(shape.count == 2, "embeddingBag: needs a matrix, got \(shape)")
    let (rows, width) = (shape[0], shape[1])
    precondition(offsets.first.map { $0 == 0 } ?? ids.isEmpty, "embeddingBag: offsets must start at 0")
    for (bag, start) in offsets.enumerated() {
      let end = bag + 1 < offsets.count ? offsets[bag + 1] : ids.count
      precondition(
        start <= end && end <= ids.count, "embeddingBag: offsets must be non-decreasing and in range")
    }
    for id in ids { precondition(id >= 0 && id < rows, "embeddingBag: id \(id) outside 0..<\(rows)") }
    let input = index
    let bags = offsets.count
    var scales = [Float](repeating: 1, count: bags)
    var output = Tensor(zeros: [bags, width])
    output.storage.withUnsafeMutableBufferPointer { y in
      value.storage.withUnsafeBufferPointer { x in
        for bag in 0..<bags {
          let end = bag + 1 < bags ? offsets[bag + 1] : ids.count
          let size = end - offsets[bag]
          if reduction == .mean && size > 0 { scales[bag] = 1 / Float(size) }
          for position in offsets[bag]..<end {
            let row = ids[position]
            for j in 0..<width { y[bag * width + j] += x[row * width + j] }
          }
          let scale = scales[bag]
          for j in 0..<width { y[bag * width + j] *= scale }
        }
      }
    }
    let bagScales = scales
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        upstream.withUnsafeBufferPointer { g in
          for bag in 0..<bags {
            let end = bag + 1 < bags ? offsets[bag + 1] : ids.count
            let scale = bagScales[bag]
            for position in offsets[bag]..<end {
              let row = ids[position]
              for j in 0..<width { gradient[row * width + j] += scale * g[bag * width + j] }
            }
          }
        }
      }
    }
  }
}
