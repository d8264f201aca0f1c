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
  /// Records a unary elementwise operation whose derivative is a function of input and output.
  @inline(__always)
  private func elementwise(
    _ forward: (Float) -> Float, derivative: @escaping (_ input: Float, _ output: Float) -> Float
  ) -> Variable {
    let input = index
    let output = Tensor(shape: shape, storage: mapElements(value.storage, forward))
    let result = output.storage
    return tape.record(output, inputs: [self]) { tape, upstream in
      let source = tape.values[input].storage
      tape.accumulate(input) { gradient in
        source.withUnsafeBufferPointer { x in
          result.withUnsafeBufferPointer { y in
            upstream.withUnsafeBufferPointer { g in
              for index in 0..<gradient.count { gradient[index] += g[index] * derivative(x[index], y[index]) }
            }
          }
        }
      }
    }
  }

  /// max(x, 0); the derivative at 0 is taken as 0.
  public func relu() -> Variable {
    elementwise({ $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 })
  }

  /// GELU in its exact form, x·Φ(x) = x/2 · (1 + erf(x/√2)) (Hendrycks & Gimpel, 2016), as BERT uses.
  /// Derivative: Φ(x) + x·φ(x) with φ(x) = exp(−x²/2)/√(2π).
  public func gelu() -> Variable {
    let inverseRootTwo: Float = 0.707_106_781_186_547_5
    let inverseRootTwoPi: Float = 0.398_942_280_401_432_7
    return elementwise(
      { x in 0.5 * x * (1 + erfFloat(x * inverseRootTwo)) },
      derivative: { x, _ in
        0.5 * (1 + erfFloat(x * inverseRootTwo)) + x * inverseRootTwoPi * expFloat(-0.5 * x * x)
      })
  }

  /// The hyperbolic tangent; derivative 1 − tanh².
  public func tanh() -> Variable {
    elementwise({ tanhFloat($0) }, derivative: { _, y in 1 - y * y })
  }

  /// The logistic function 1 / (1 + e^−x), computed without overflow; derivative σ(1 − σ).
  public func sigmoid() -> Variable {
    elementwise({ stableSigmoid($0) }, derivative: { _, y in y * (1 - y) })
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
