/// Branch-free scalar approximations written so that LLVM vectorizes the loops that call them
/// (no library calls, selects instead of branches); they are also tolerable in debug builds.
enum FastMath {
  /// e^x by Cody–Waite range reduction, x = n·ln 2 + r with |r| ≤ ln 2 / 2, and the degree-7 Taylor
  /// polynomial of e^r (relative error about 1.2e-7); x is clamped to [-87, 88].
  @inline(__always)
  static func exp(_ x: Float) -> Float {
    var clamped = x > 88 ? 88 : x
    clamped = clamped < -87 ? -87 : clamped
    // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    let shifted = clamped * 1.442_695_040_888_963_4 + 12_582_912
    let n = shifted - 12_582_912
    let r = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-06
    var p: Float = 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let exponent = (Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000 &+ 127) &<< 23
    return p * Float(bitPattern: UInt32(bitPattern: exponent))
  }

  /// GELU with the exact erf form, x·Φ(x) = x/2·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016), where
  /// erf is Abramowitz & Stegun (1964) 7.1.26: erf(z) = 1 − (a₁t + … + a₅t⁵)·e^(−z²), t = 1/(1 + pz),
  /// z ≥ 0, absolute error ≤ 1.5e-7. For x < 0, 1 + erf(x/√2) = (a₁t + … + a₅t⁵)·e^(−z²) directly.
  @inline(__always)
  static func gelu(_ x: Float) -> Float {
    let z = (x < 0 ? -x : x) * 0.707_106_781_186_547_5
    let t = 1 / (1 + 0.327_591_1 * z)
    var polynomial: Float = 1.061_405_429
    polynomial = polynomial * t - 1.453_152_027
    polynomial = polynomial * t + 1.421_413_741
    polynomial = polynomial * t - 0.284_496_736
    polynomial = polynomial * t + 0.254_829_592
    polynomial = polynomial * t
    let tail = polynomial * exp(-(z * z))
    return 0.5 * x * (x < 0 ? tail : 2 - tail)
  }
}
