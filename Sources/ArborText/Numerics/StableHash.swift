/// 64-bit FNV-1a (Fowler, Noll & Vo): a hash that is the same in every process and on every platform,
/// unlike Swift's randomly seeded `Hasher`; used for feature hashing and cache keys.
public struct StableHash: Sendable {
  /// The FNV-1a 64-bit offset basis.
  public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  /// The FNV-1a 64-bit prime.
  public static let prime: UInt64 = 0x0000_0100_0000_01b3

  /// The hash of everything combined so far.
  public private(set) var value: UInt64

  /// Starts a hash, optionally from `seed` (hashing the seed's bytes first).
  public init(seed: UInt64 = 0) {
    value = Self.offsetBasis
    if seed != 0 { combine(seed) }
  }

  /// Mixes in bytes.
  @inline(__always)
  public mutating func combine(_ bytes: some Sequence<UInt8>) {
    var hash = value
    for byte in bytes {
      hash ^= UInt64(byte)
      hash = hash &* Self.prime
    }
    value = hash
  }

  /// Mixes in the 8 little-endian bytes of `word`.
  @inline(__always)
  public mutating func combine(_ word: UInt64) {
    var hash = value
    for shift in stride(from: 0, to: 64, by: 8) {
      hash ^= (word >> UInt64(shift)) & 0xFF
      hash = hash &* Self.prime
    }
    value = hash
  }

  /// The hash of a string's UTF-8 bytes.
  public static func of(_ text: String) -> UInt64 {
    var hash = StableHash()
    hash.combine(text.utf8)
    return hash.value
  }

  /// `value` as 16 lower-case hex digits.
  public var description: String { hex }

  /// `value` as 16 lower-case hex digits.
  public var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
