/// Elementwise maps over a buffer, written as plain loops so that the compiler can vectorize them.
@inline(__always)
func mapElements(_ input: [Float], _ transform: (Float) -> Float) -> [Float] {
  [Float](unsafeUninitializedCapacity: input.count) { output, initialized in
    input.withUnsafeBufferPointer { source in
      for index in 0..<source.count { output[index] = transform(source[index]) }
    }
    initialized = input.count
  }
}

extension Variable {
  /// Records a unary elementwise operation. The local derivative, a function of input and output,
  /// is evaluated in the forward pass (only when a gradient is needed) so that both loops inline
  /// `forward` and `derivative` and vectorize; backward is then one multiply per element.
  @inline(__always)
  private func elementwise(
    _ forward: (Float) -> Float, derivative: (_ input: Float, _ output: Float) -> Float
  ) -> Variable {
    let input = index
    let source = value.storage
    let result = mapElements(source, forward)
    let output = Tensor(shape: shape, storage: result)
    guard tape.needsGradient(self) else { return tape.record(output, inputs: [self]) { _, _ in } }
    let slopes = [Float](unsafeUninitializedCapacity: source.count) { slope, initialized in
      source.withUnsafeBufferPointer { x in
        result.withUnsafeBufferPointer { y in
          for index in 0..<x.count { slope[index] = derivative(x[index], y[index]) }
        }
      }
      initialized = source.count
    }
    return recordScaling(output, input: input, slopes: slopes)
  }

  /// Records `output`, whose gradient flows back to `input` scaled elementwise by `slopes`.
  private func recordScaling(_ output: Tensor, input: Int, slopes: [Float]) -> Variable {
    tape.record(output, inputs: [self]) { tape, upstream in
      slopes.withUnsafeBufferPointer { d in
        upstream.withUnsafeBufferPointer { g in
          tape.accumulate(
            input,
            initialize: { gradient in
              for index in 0..<gradient.count { gradient[index] = g[index] * d[index] }
            },
            add: { gradient in
              for index in 0..<gradient.count { gradient[index] += g[index] * d[index] }
            })
        }
      }
    }
  }

  /// max(x, 0); the derivative at 0 is taken as 0.
  public func relu() -> Variable {
    elementwise({ $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 })
  }

  /// GELU in its exact form, x·Φ(x) = x/2 · (1 + erf(x/√2)) (Hendrycks & Gimpel, 2016), as BERT uses.
  /// Derivative: Φ(x) + x·φ(x) with φ(x) = exp(−x²/2)/√(2π). Φ comes from `Kernels.normalCDF`
  /// (relative error about 1e-7 where Φ is not negligible) and both are computed eight lanes at a time.
  public func gelu() -> Variable {
    let input = index
    let source = value.storage
    let count = source.count
    let needsSlopes = tape.needsGradient(self)
    var slopes = [Float](repeating: 0, count: needsSlopes ? count : 0)
    let result = [Float](unsafeUninitializedCapacity: count) { output, initialized in
      source.withUnsafeBufferPointer { x in
        slopes.withUnsafeMutableBufferPointer { slope in
          guard count > 0, let values = x.baseAddress, let target = output.baseAddress else { return }
          @inline(__always) func compute(_ v: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
            let cdf = Kernels.normalCDF(v)
            guard needsSlopes else { return (v * cdf, SIMD8()) }
            let density = Kernels.exp(-0.5 * v * v) * 0.398_942_280_401_432_7
            return (v * cdf, cdf + v * density)
          }
          var start = 0
          while start + 8 <= count {
            let (y, d) = compute(UnsafeRawPointer(values + start).loadUnaligned(as: SIMD8<Float>.self))
            UnsafeMutableRawPointer(target + start).storeBytes(of: y, as: SIMD8<Float>.self)
            if needsSlopes {
              UnsafeMutableRawPointer(slope.baseAddress! + start).storeBytes(of: d, as: SIMD8<Float>.self)
            }
            start += 8
          }
          if start < count {
            var v = SIMD8<Float>()
            for lane in 0..<(count - start) { v[lane] = values[start + lane] }
            let (y, d) = compute(v)
            for lane in 0..<(count - start) {
              target[start + lane] = y[lane]
              if needsSlopes { slope[start + lane] = d[lane] }
            }
          }
        }
      }
      initialized = count
    }
    let output = Tensor(shape: shape, storage: result)
    return recordScaling(output, input: input, slopes: slopes)
  }

  /// The hyperbolic tangent; derivative 1 − tanh².
  public func tanh() -> Variable {
    elementwise({ tanhFloat($0) }, derivative: { _, y in 1 - y * y })
  }

  /// The logistic function 1 / (1 + e^−x), computed without overflow; derivative σ(1 − σ).
  public func sigmoid() -> Variable {
    elementwise({ stableSigmoid($0) }, derivative: { _, y in y * (1 - y) })
  }

  /// e^x; derivative e^x.
  public func exp() -> Variable {
    elementwise({ expFloat($0) }, derivative: { _, y in y })
  }

  /// The natural logarithm (inputs must be positive); derivative 1/x.
  public func log() -> Variable {
    elementwise({ logFloat($0) }, derivative: { x, _ in 1 / x })
  }

  /// The square root (inputs must be non-negative); derivative 1/(2√x).
  public func squareRoot() -> Variable {
    elementwise({ $0.squareRoot() }, derivative: { _, y in 0.5 / y })
  }

  /// x²; derivative 2x.
  public func squared() -> Variable {
    elementwise({ $0 * $0 }, derivative: { x, _ in 2 * x })
  }

  /// Multiplies every element by a constant.
  public func scaled(by factor: Float) -> Variable {
    elementwise({ $0 * factor }, derivative: { _, _ in factor })
  }

  /// Drops each element with probability `probability` and scales the kept ones by 1/(1 − p)
  /// (inverted dropout, Srivastava et al., 2014) while the tape is training; the identity otherwise.
  public func dropout(probability: Float, using generator: inout RandomGenerator) -> Variable {
    precondition(probability >= 0 && probability < 1, "dropout: probability must be in [0, 1)")
    guard tape.isTraining, probability > 0 else { return self }
    let input = index
    let scale = 1 / (1 - probability)
    var mask = [Float](repeating: 0, count: value.count)
    for index in 0..<mask.count where generator.nextUniform() >= probability { mask[index] = scale }
    let keep = mask
    var output = value
    output.storage.withUnsafeMutableBufferPointer { y in
      keep.withUnsafeBufferPointer { m in
        for index in 0..<y.count { y[index] *= m[index] }
      }
    }
    return tape.record(output, inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        keep.withUnsafeBufferPointer { m in
          upstream.withUnsafeBufferPointer { g in
            for index in 0..<gradient.count { gradient[index] += g[index] * m[index] }
          }
        }
      }
    }
  }

  /// The same elements with another shape of equal element count.
  public func reshaped(_ newShape: [Int]) -> Variable {
    let input = index
    return tape.record(value.reshaped(newShape), inputs: [self]) { tape, upstream in
      tape.accumulate(input) { gradient in
        upstream.withUnsafeBufferPointer { g in
          for index in 0..<gradient.count { gradient[index] += g[index] }
        }
      }
    }
  }
}

/// σ(x) without overflow for large |x|.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
  if x >= 0 {
    return 1 / (1 + expFloat(-x))
  }
  let e = expFloat(x)
  return e / (1 + e)
}
