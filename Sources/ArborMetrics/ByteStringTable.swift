/// An insertion-ordered set of byte strings with dense `Int32` indices, looked up without building `String`s.
///
/// Open addressing with linear probing. Each 16-byte slot holds a key of up to 11 bytes inline
/// (with its length), so looking up a short id such as `wn:00001740` touches one cache line and no
/// arena; longer keys keep a hash in the slot and are compared against the arena.
struct ByteStringTable {
  private(set) var arena: [UInt8] = []
  private(set) var offsets: [Int32] = [0]
  private var slots: [Slot]
  private var mask: Int

  struct Slot {
    /// Bytes 0..<8 of an inline key, or the full hash of a long key.
    var word0: UInt64 = 0
    /// Bytes 8..<11 of an inline key and its length in the top byte; 0xFF in the top byte marks a
    /// long key, whose lower 24 bits hold more hash bits.
    var word1: UInt32 = 0
    /// Index + 1; 0 for an empty slot.
    var entry: UInt32 = 0
  }

  /// Creates an empty table sized for about `capacity` strings.
  init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [Slot](repeating: Slot(), count: size)
    mask = size - 1
    offsets.reserveCapacity(capacity + 1)
  }

  /// The number of strings held.
  var count: Int { offsets.count - 1 }

  /// The string at an index, decoded as UTF-8.
  func string(_ index: Int) -> String {
    let range = Int(offsets[index])..<Int(offsets[index + 1])
    return String(decoding: arena[range], as: UTF8.self)
  }

  /// A 64-bit hash of a byte string (the one the table probes with).
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 { key(bytes).2 }

  /// The slot key and hash of a byte string.
  @inline(__always)
  private static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt32, UInt64) {
    let n = bytes.count
    if n <= 11 {
      var w0: UInt64 = 0
      var w1 = UInt32(n) << 24
      var i = 0
      if n >= 8, let base = bytes.baseAddress {
        w0 = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
        i = 8
      }
      while i < min(n, 8) {
        w0 |= UInt64(bytes[i]) << (8 * UInt64(i))
        i += 1
      }
      while i < n {
        w1 |= UInt32(bytes[i]) << (8 * UInt32(i - 8))
        i += 1
      }
      var h = (w0 ^ (UInt64(w1) &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
      h = h &* 0x94D0_49BB_1331_11EB
      h ^= h >> 29
      return (w0, w1, h)
    }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    h ^= h >> 29
    return (h, 0xFF00_0000 | UInt32(truncatingIfNeeded: h >> 40), h)
  }

  @inline(__always)
  private func equals(_ slot: Slot, _ w0: UInt64, _ w1: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if slot.word0 != w0 || slot.word1 != w1 { return false }
    if w1 >> 24 != 0xFF { return true }
    let index = Int(slot.entry) - 1
    let start = Int(offsets[index])
    let end = Int(offsets[index + 1])
    if end - start != bytes.count { return false }
    return arena.withUnsafeBufferPointer { a in
      var i = 0
      while i < bytes.count {
        if a[start + i] != bytes[i] { return false }
        i += 1
      }
      return true
    }
  }

  /// The index of a byte string, or `nil` when it is not in the table.
  func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    let (w0, w1, h) = Self.key(bytes)
    var position = Int(truncatingIfNeeded: h) & mask
    return slots.withUnsafeBufferPointer { slots in
      while true {
        let slot = slots[position]
        if slot.entry == 0 { return nil }
        if equals(slot, w0, w1, bytes) { return Int32(slot.entry - 1) }
        position = (position + 1) & mask
      }
    }
  }

  /// The index of a string, or `nil` when it is not in the table.
  func find(_ string: String) -> Int32? {
    var copy = string
    return copy.withUTF8 { find($0) }
  }

  /// Adds a byte string unless present; returns its index and whether it was new.
  @discardableResult
  mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>) -> (index: Int32, inserted: Bool) {
    if count * 2 >= slots.count { grow() }
    let (w0, w1, h) = Self.key(bytes)
    var position = Int(truncatingIfNeeded: h) & mask
    while true {
      let slot = slots[position]
      if slot.entry == 0 { break }
      if equals(slot, w0, w1, bytes) { return (Int32(slot.entry - 1), false) }
      position = (position + 1) & mask
    }
    let index = Int32(count)
    arena.append(contentsOf: bytes)
    offsets.append(Int32(arena.count))
    slots[position] = Slot(word0: w0, word1: w1, entry: UInt32(index) + 1)
    return (index, true)
  }

  /// Adds a string unless present; returns its index and whether it was new.
  @discardableResult
  mutating func insert(_ string: String) -> (index: Int32, inserted: Bool) {
    var copy = string
    return copy.withUTF8 { insert($0) }
  }

  private mutating func grow() {
    let size = slots.count * 2
    slots = [Slot](repeating: Slot(), count: size)
    mask = size - 1
    arena.withUnsafeBufferPointer { a in
      for index in 0..<count {
        let bytes = UnsafeBufferPointer(rebasing: a[Int(offsets[index])..<Int(offsets[index + 1])])
        let (w0, w1, h) = Self.key(bytes)
        var position = Int(truncatingIfNeeded: h) & mask
        while slots[position].entry != 0 { position = (position + 1) & mask }
        slots[position] = Slot(word0: w0, word1: w1, entry: UInt32(index) + 1)
      }
    }
  }
}

/// Byte strings appended one after another, with their hashes, for ids that are only listed.
struct ByteStringList {
  private(set) var arena: [UInt8] = []
  private(set) var offsets: [Int32] = [0]
  private(set) var hashes: [UInt64] = []

  /// The number of strings.
  var count: Int { offsets.count - 1 }

  /// Reserves room for about `count` strings of `bytes` bytes in all.
  mutating func reserve(count: Int, bytes: Int) {
    offsets.reserveCapacity(count + 1)
    hashes.reserveCapacity(count)
    arena.reserveCapacity(bytes)
  }

  /// Appends a string.
  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    arena.append(contentsOf: bytes)
    offsets.append(Int32(arena.count))
    hashes.append(ByteStringTable.hash(bytes))
  }

  /// The string at an index, decoded as UTF-8.
  func string(_ index: Int) -> String {
    String(decoding: arena[Int(offsets[index])..<Int(offsets[index + 1])], as: UTF8.self)
  }

  /// Calls `body` with the bytes of string `index`.
  func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    arena.withUnsafeBufferPointer {
      body(UnsafeBufferPointer(rebasing: $0[Int(offsets[index])..<Int(offsets[index + 1])]))
    }
  }

  /// Whether string `index` here equals string `other` of `list`.
  func equals(_ index: Int, _ list: ByteStringList, _ other: Int) -> Bool {
    if hashes[index] != list.hashes[other] { return false }
    let a = Int(offsets[index])..<Int(offsets[index + 1])
    let b = Int(list.offsets[other])..<Int(list.offsets[other + 1])
    return a.count == b.count && arena[a].elementsEqual(list.arena[b])
  }

  /// Pairs `(first, repeat)` of indices holding equal strings, each repeat paired with the first
  /// index of its string, in index order of the repeats. Sorting packed hashes keeps this cheap.
  func repeats() -> [(first: Int, repeat: Int)] {
    let n = count
    if n < 2 { return [] }
    var bits = 1
    while (1 << bits) < n { bits += 1 }
    let mask: UInt64 = (1 << UInt64(bits)) - 1
    var packed = [UInt64](repeating: 0, count: n)
    for i in 0..<n { packed[i] = (hashes[i] & ~mask) | UInt64(i) }
    packed.sort()
    var result: [(first: Int, repeat: Int)] = []
    var start = 0
    while start < n {
      var end = start + 1
      while end < n && packed[end] & ~mask == packed[start] & ~mask { end += 1 }
      if end - start > 1 {
        // Same hash bits: compare bytes; indices ascend within the group.
        for j in start + 1..<end {
          let b = Int(packed[j] & mask)
          for i in start..<j {
            let a = Int(packed[i] & mask)
            if equals(a, self, b) {
              // `a` may itself repeat an earlier one; pair with the earliest.
              var first = a
              for k in start..<i where equals(Int(packed[k] & mask), self, a) {
                first = Int(packed[k] & mask)
                break
              }
              result.append((first, b))
              break
            }
          }
        }
      }
      start = end
    }
    return result.sorted { $0.repeat < $1.repeat }
  }
}
