/// Vectorized kernels for reductions and the exponential, written with `SIMD8<Float>` so that they
/// compile to vector instructions (a scalar loop with one accumulator cannot be vectorized without
/// reassociating floating-point additions, which Swift does not do on its own).
enum Kernels {
  /// Σ p[i] for i in 0..<count.
  @inline(__always)
  static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var accumulator = SIMD8<Float>()
    var index = 0
    while index + 8 <= count {
      accumulator += UnsafeRawPointer(p + index).loadUnaligned(as: SIMD8<Float>.self)
      index += 8
    }
    var total = accumulator.sum()
    while index < count {
      total += p[index]
      index += 1
    }
    return total
  }

  /// Σ p[i]·q[i] for i in 0..<count.
  @inline(__always)
  static func dot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ count: Int) -> Float {
    var accumulator = SIMD8<Float>()
    var index = 0
    while index + 8 <= count {
      let a = UnsafeRawPointer(p + index).loadUnaligned(as: SIMD8<Float>.self)
      let b = UnsafeRawPointer(q + index).loadUnaligned(as: SIMD8<Float>.self)
      accumulator += a * b
      index += 8
    }
    var total = accumulator.sum()
    while index < count {
      total += p[index] * q[index]
      index += 1
    }
    return total
  }

  /// max p[i] for i in 0..<count (−∞ when empty).
  @inline(__always)
  static func maximum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var index = 0
    var result = -Float.infinity
    if count >= 8 {
      var accumulator = SIMD8<Float>(repeating: -.infinity)
      while index + 8 <= count {
        let values = UnsafeRawPointer(p + index).loadUnaligned(as: SIMD8<Float>.self)
        accumulator.replace(with: values, where: accumulator .< values)
        index += 8
      }
      result = accumulator.max()
    }
    while index < count {
      result = max(result, p[index])
      index += 1
    }
    return result
  }

  /// Writes exp(source[i] − shift) to target[i] for i in 0..<count and returns their sum.
  @inline(__always)
  static func shiftedExp(
    _ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ count: Int, shift: Float
  ) -> Float {
    var accumulator = SIMD8<Float>()
    var index = 0
    let shifts = SIMD8<Float>(repeating: shift)
    while index + 8 <= count {
      let e = exp(UnsafeRawPointer(source + index).loadUnaligned(as: SIMD8<Float>.self) - shifts)
      UnsafeMutableRawPointer(target + index).storeBytes(of: e, as: SIMD8<Float>.self)
      accumulator += e
      index += 8
    }
    var total = accumulator.sum()
    while index < count {
      let e = exp(SIMD8<Float>(repeating: source[index] - shift))[0]
      target[index] = e
      total += e
      index += 1
    }
    return total
  }

  /// e^x for eight lanes, within about 2 ulp of the correctly rounded result for normal results.
  ///
  /// Cody–Waite range reduction x = n·ln 2 + r with |r| ≤ ln2/2 (ln 2 split into a short high part
  /// and a correction), then e^r ≈ 1 + r + r²·P(r) with the degree-5 minimax polynomial of the
  /// Cephes library's expf (S. Moshier), and e^x = 2ⁿ·e^r built in the exponent bits. Inputs are
  /// clamped to [−87.3, 88.3], so results underflow to ~1e−38 rather than to 0 and never overflow;
  /// NaN gives e^−87.3 (NaN is not expected: softmax arguments are max-shifted, ≤ 0).
  @inline(__always)
  static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    var clamped = x
    let low = SIMD8<Float>(repeating: -87.3)
    let high = SIMD8<Float>(repeating: 88.3)
    clamped.replace(with: low, where: .!(clamped .>= low))  // also maps NaN to the lower bound
    clamped.replace(with: high, where: clamped .> high)
    // Adding 1.5·2²³ rounds to the nearest integer (ties to even) and leaves n + 0x4B400000 in
    // the bit pattern, which avoids the generic (slow) float-to-integer vector conversions.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = clamped * 1.442_695_040_888_963_4 + magic
    let n = shifted - magic
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_400_546_905_8e-4
    var p = SIMD8<Float>(repeating: 1.987_569_150_0e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let er = p * (r * r) + r + 1
    let exponent = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return er * unsafeBitCast(exponent, to: SIMD8<Float>.self)
  }

  /// The standard normal CDF Φ(x) = ½·erfc(−x/√2) for eight lanes.
  ///
  /// erfc(z) for z ≥ 0 uses the Chebyshev fit of Numerical Recipes (Press et al., 2nd ed., §6.2,
  /// `erfcc`, fractional error below 1.2e-7): with t = 1/(1 + z/2),
  /// erfc(z) ≈ t·exp(−z² − 1.26551223 + t·(1.00002368 + t·(0.37409196 + … + t·0.17087277))).
  /// For x ≥ 0, Φ(x) = 1 − ½·erfc(x/√2); for x < 0, Φ(x) = ½·erfc(−x/√2).
  @inline(__always)
  static func normalCDF(_ x: SIMD8<Float>) -> SIMD8<Float> {
    var z = x * 0.707_106_781_186_547_5
    z.replace(with: -z, where: z .< 0)
    let t = 1 / (1 + 0.5 * z)
    var p = SIMD8<Float>(repeating: 0.170_872_77)
    p = p * t - 0.822_152_23
    p = p * t + 1.488_515_87
    p = p * t - 1.135_203_98
    p = p * t + 0.278_868_07
    p = p * t - 0.186_288_06
    p = p * t + 0.096_784_18
    p = p * t + 0.374_091_96
    p = p * t + 1.000_023_68
    p = p * t - 1.265_512_23
    let half = 0.5 * t * exp(p - z * z)
    var result = half
    result.replace(with: 1 - half, where: x .>= 0)
    return result
  }
}
