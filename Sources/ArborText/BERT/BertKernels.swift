import COpenBLAS

/// The non-BLAS pieces of the BERT forward pass, on raw row-major buffers.
enum BertKernels {

  /// `output[rows × n] = input[rows × k] · weight[n × k]ᵀ (+ bias[n])` with one sgemm
  /// (PyTorch's linear layer; the weight is stored `[out, in]`). Without a bias the caller adds it later,
  /// fused into the next elementwise pass.
  static func linear(
    _ input: UnsafePointer<Float>, rows: Int, inputWidth: Int, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, outputWidth: Int, into output: UnsafeMutablePointer<Float>
  ) {
    if let bias {
      for row in 0..<rows { (output + row * outputWidth).update(from: bias, count: outputWidth) }
    }
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputWidth), Int32(inputWidth), 1,
      input, Int32(inputWidth), weight, Int32(inputWidth), bias == nil ? 0 : 1, output, Int32(outputWidth))
  }

  /// In place, row by row: `x ← LayerNorm(x + residual + bias)` = (v − mean)/√(variance + ε)·scale + shift
  /// (Ba, Kiros & Hinton 2016), with the biased variance as PyTorch computes it.
  static func addAndNormalize(
    _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
    rows: Range<Int>, width: Int, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, epsilon: Float
  ) {
    for row in rows {
      let values = x + row * width
      if let residual, let bias {
        let other = residual + row * width
        for column in 0..<width { values[column] += other[column] + bias[column] }
      } else if let residual {
        let other = residual + row * width
        for column in 0..<width { values[column] += other[column] }
      }
      let mean = sum(values, count: width) / Float(width)
      for column in 0..<width { values[column] -= mean }
      let variance = sumOfSquares(values, count: width) / Float(width)
      let inverse = 1 / (variance + epsilon).squareRoot()
      for column in 0..<width { values[column] = values[column] * inverse * scale[column] + shift[column] }
    }
  }

  /// Sum with eight partial sums, so that the loop vectorizes without reassociating a single chain.
  @inline(__always)
  static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var partial = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
    var index = 0
    while index + 8 <= count {
      partial.0 += values[index]
      partial.1 += values[index + 1]
      partial.2 += values[index + 2]
      partial.3 += values[index + 3]
      partial.4 += values[index + 4]
      partial.5 += values[index + 5]
      partial.6 += values[index + 6]
      partial.7 += values[index + 7]
      index += 8
    }
    var total =
      ((partial.0 + partial.1) + (partial.2 + partial.3))
      + ((partial.4 + partial.5) + (partial.6 + partial.7))
    while index < count {
      total += values[index]
      index += 1
    }
    return total
  }

  /// Sum of squares with eight partial sums.
  @inline(__always)
  static func sumOfSquares(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var partial = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
    var index = 0
    while index + 8 <= count {
      partial.0 += values[index] * values[index]
      partial.1 += values[index + 1] * values[index + 1]
      partial.2 += values[index + 2] * values[index + 2]
      partial.3 += values[index + 3] * values[index + 3]
      partial.4 += values[index + 4] * values[index + 4]
      partial.5 += values[index + 5] * values[index + 5]
      partial.6 += values[index + 6] * values[index + 6]
      partial.7 += values[index + 7] * values[index + 7]
      index += 8
    }
    var total =
      ((partial.0 + partial.1) + (partial.2 + partial.3))
      + ((partial.4 + partial.5) + (partial.6 + partial.7))
    while index < count {
      total += values[index] * values[index]
      index += 1
    }
    return total
  }

  /// In place, row by row: `x ← GELU(x + bias)`.
  static func addBiasAndGELU(
    _ x: UnsafeMutablePointer<Float>, rows: Range<Int>, width: Int, bias: UnsafePointer<Float>
  ) {
    for row in rows {
      let values = x + row * width
      for column in 0..<width { values[column] = FastMath.gelu(values[column] + bias[column]) }
    }
  }

  /// Scaled dot-product attention of one head of one sequence (Vaswani et al. 2017):
  /// `context = softmax(Q·Kᵀ/√d)·V` over the sequence's `length` tokens only, which equals masking the
  /// padding keys. Q, K and V rows are `stride` floats apart; `scores` holds `length²` floats.
  static func attendHead(
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>, stride: Int,
    length: Int, headSize: Int, context: UnsafeMutablePointer<Float>, contextStride: Int,
    scores: UnsafeMutablePointer<Float>
  ) {
    let n = Int32(length)
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Int32(headSize), 1 / Float(headSize).squareRoot(),
      query, Int32(stride), key, Int32(stride), 0, scores, n)
    for row in 0..<length { softmax(scores + row * length, count: length) }
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(headSize), n, 1, scores, n, value, Int32(stride), 0,
      context, Int32(contextStride))
  }

  /// In place: `x ← exp(x − max x) / Σ exp(x − max x)`.
  @inline(__always)
  static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
    var maximum = -Float.infinity
    for index in 0..<count where x[index] > maximum { maximum = x[index] }
    for index in 0..<count { x[index] = FastMath.exp(x[index] - maximum) }
    let inverse = 1 / sum(x, count: count)
    for index in 0..<count { x[index] *= inverse }
  }
}
