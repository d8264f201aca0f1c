/// A seeded pseudo-random generator, xoshiro256** (Blackman & Vigna, "Scrambled linear
/// pseudorandom number generators", ACM TOMS 2021), seeded through SplitMix64 (Steele, Lea &
/// Flood, OOPSLA 2014) as its authors recommend.
///
/// The same seed gives the same sequence on every machine and Swift version: every derived
/// draw (uniform, normal, integer, shuffle, categorical) is implemented here, not in the
/// standard library.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64
  private var spareNormal: Float?

  /// A generator whose 256-bit state is four successive SplitMix64 outputs from `seed`.
  public init(seed: UInt64) {
    var splitMix = SplitMix64(seed: seed)
    s0 = splitMix.next()
    s1 = splitMix.next()
    s2 = splitMix.next()
    s3 = splitMix.next()
  }

  /// A generator with the given raw state (not all zero), for checking against published vectors.
  init(state: (UInt64, UInt64, UInt64, UInt64)) {
    (s0, s1, s2, s3) = state
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  /// A uniform `Float` in [0, 1) with 24 random bits.
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextUniformDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A standard normal sample by the Box–Muller transform (Box & Muller, 1958); the second value of
  /// each pair is kept for the next call.
  public mutating func nextNormal() -> Float {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    let u1 = 1 - nextUniformDouble()
    let u2 = nextUniformDouble()
    let radius = (-2 * logDouble(u1)).squareRoot()
    let angle = 2 * Double.pi * u2
    spareNormal = Float(radius * sinDouble(angle))
    return Float(radius * cosDouble(angle))
  }

  /// A uniform integer in 0..<`bound` without modulo bias (Lemire, "Fast random integer generation in
  /// an interval", ACM TOMACS 2019).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "RandomGenerator.nextInt(below:): bound must be positive")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold {
        product = next().multipliedFullWidth(by: range)
      }
    }
    return Int(product.high)
  }

  /// Shuffles `elements` in place (Fisher–Yates, Durstenfeld's variant).
  public mutating func shuffle<Element>(_ elements: inout [Element]) {
    guard elements.count > 1 else { return }
    for index in stride(from: elements.count - 1, to: 0, by: -1) {
      let other = nextInt(below: index + 1)
      if other != index { elements.swapAt(index, other) }
    }
  }

  /// A random permutation of 0..<`count`.
  public mutating func permutation(_ count: Int) -> [Int] {
    var indices = Array(0..<count)
    shuffle(&indices)
    return indices
  }

  /// An index drawn with probability proportional to `weights` (non-negative, not all zero).
  public mutating func nextCategorical(_ weights: [Float]) -> Int {
    var total = 0.0
    for weight in weights {
      precondition(weight >= 0 && weight.isFinite, "nextCategorical: weights must be finite and non-negative")
      total += Double(weight)
    }
    precondition(total > 0, "nextCategorical: weights sum to zero")
    let target = nextUniformDouble() * total
    var cumulative = 0.0
    var last = 0
    for (index, weight) in weights.enumerated() where weight > 0 {
      cumulative += Double(weight)
      last = index
      if target < cumulative { return index }
    }
    return last
  }

  @inline(__always)
  private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
    (value << count) | (value >> (64 - count))
  }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): a 64-bit generator used to expand seeds.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator starting from `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
