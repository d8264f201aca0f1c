/// Reusable storage for ``TFIDFModel/transform(_:minimumDocumentFrequency:into:)``: one per thread, so
/// that transforming many texts allocates nothing once the buffers have grown.
public struct TransformBuffers: Sendable {
  var buckets: [Int] = []
  var sortScratch: [Int] = []
  /// Whether each entry of `indices` is a character feature (per-kind normalization).
  var kinds: [Bool] = []
  /// The row's buckets, ascending.
  public internal(set) var indices: [Int] = []
  /// The row's values, one per bucket in `indices`.
  public internal(set) var values: [Float] = []

  /// Empty buffers.
  public init() {}

  /// Turns `buckets` (character features carrying `mark`) into keys `bucket << 1 | isCharacter` and
  /// sorts them ascending, by a least-significant-digit radix sort on 8-bit digits (three passes cover
  /// 2^23 buckets; no comparison or closure is called), or by `sort()` for short rows.
  mutating func sortByBucketAndKind(mark: Int, bucketCount: Int) {
    let n = buckets.count
    buckets.withUnsafeMutableBufferPointer { keys in
      for i in 0..<n {
        let key = keys[i]
        keys[i] = (key & ~mark) << 1 | (mark != 0 && key & mark != 0 ? 1 : 0)
      }
    }
    guard n > 1 else { return }
    let keyBits = Int.bitWidth - max(0, bucketCount - 1).leadingZeroBitCount + 1
    if n < 64 || keyBits > 40 {
      buckets.sort()
      return
    }
    if sortScratch.count < n { sortScratch = [Int](repeating: 0, count: n) }
    buckets.withUnsafeMutableBufferPointer { keys in
      sortScratch.withUnsafeMutableBufferPointer { other in
        var source = keys.baseAddress!
        var target = other.baseAddress!
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { counts in
          var shift = 0
          while shift < keyBits {
            counts.update(repeating: 0)
            for i in 0..<n { counts[(source[i] >> shift) & 0xFF] += 1 }
            var total = 0
            for d in 0..<256 {
              let c = counts[d]
              counts[d] = total
              total += c
            }
            for i in 0..<n {
              let d = (source[i] >> shift) & 0xFF
              target[counts[d]] = source[i]
              counts[d] += 1
            }
            swap(&source, &target)
            shift += 8
          }
        }
        if source != keys.baseAddress! { keys.baseAddress!.update(from: source, count: n) }
      }
    }
  }
}
