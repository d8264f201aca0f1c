/// An insertion-ordered set of byte strings with dense `Int32` indices, looked up without building `String`s.
///
/// Open addressing with linear probing over 64-bit FNV-1a hashes; the bytes live in one arena. Each
/// slot holds the upper 32 bits of the hash beside the index, so a probe rarely touches the arena
/// for a string that is not the one sought.
struct ByteStringTable {
  private(set) var arena: [UInt8] = []
  private(set) var offsets: [Int32] = [0]
  /// `tag << 32 | (index + 1)`, 0 for an empty slot.
  private var slots: [UInt64]
  private var mask: Int

  /// Creates an empty table sized for about `capacity` strings.
  init(capacity: Int = 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [UInt64](repeating: 0, count: size)
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

  private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    h ^= h >> 29
    return h | 0x1_0000_0000  // a non-zero tag keeps tag|index distinct from an empty slot
  }

  private func equals(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = Int(offsets[Int(index)])
    let end = Int(offsets[Int(index) + 1])
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
    let h = Self.hash(bytes)
    let tag = h >> 32
    var slot = Int(truncatingIfNeeded: h) & mask
    return slots.withUnsafeBufferPointer { slots in
      while true {
        let entry = slots[slot]
        if entry == 0 { return nil }
        if entry >> 32 == tag {
          let index = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
          if equals(index, bytes) { return index }
        }
        slot = (slot + 1) & mask
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
    let h = Self.hash(bytes)
    let tag = h >> 32
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      if entry >> 32 == tag {
        let index = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
        if equals(index, bytes) { return (index, false) }
      }
      slot = (slot + 1) & mask
    }
    let index = Int32(count)
    arena.append(contentsOf: bytes)
    offsets.append(Int32(arena.count))
    slots[slot] = tag << 32 | UInt64(index + 1)
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
    slots = [UInt64](repeating: 0, count: size)
    mask = size - 1
    arena.withUnsafeBufferPointer { a in
      for index in 0..<count {
        let bytes = UnsafeBufferPointer(rebasing: a[Int(offsets[index])..<Int(offsets[index + 1])])
        let h = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = (h >> 32) << 32 | UInt64(index + 1)
      }
    }
  }

  /// Whether string `index` here equals string `other` of `table`.
  func equals(_ index: Int, _ table: ByteStringTable, _ other: Int) -> Bool {
    let a = Int(offsets[index])..<Int(offsets[index + 1])
    let b = Int(table.offsets[other])..<Int(table.offsets[other + 1])
    return a.count == b.count && arena[a].elementsEqual(table.arena[b])
  }

  /// Reserves arena room for about `bytes` more bytes.
  mutating func reserveArena(_ bytes: Int) { arena.reserveCapacity(arena.count + bytes) }
}
