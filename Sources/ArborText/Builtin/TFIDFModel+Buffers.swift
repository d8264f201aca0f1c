/// Reusable storage for ``TFIDFModel/transform(_:minimumDocumentFrequency:into:)``: one per thread, so
/// that transforming many texts allocates nothing once the buffers have grown.
public struct TransformBuffers: Sendable {
  var buckets: [Int] = []
  var sortScratch: [Int] = []
  var mergedIndices: [Int] = []
  var mergedValues: [Float] = []
  /// The row's buckets, ascending.
  public internal(set) var indices: [Int] = []
  /// The row's values, one per bucket in `indices`.
  public internal(set) var values: [Float] = []

  /// Empty buffers.
  public init() {}

  /// Sorts `buckets` ascending as integers (so buckets carrying `mark` come after the others) by a
  /// least-significant-digit radix sort on 8-bit digits: the keys are below `2 · bucketCount` once the
  /// mark is moved next to the bucket bits, so three passes cover 2^23 buckets, and no comparison or
  /// closure is called.
  mutating func sortBuckets(mark: Int, bucketCount: Int) {
    let n = buckets.count
    guard n > 1 else { return }
    let bucketBits = Int.bitWidth - max(0, bucketCount - 1).leadingZeroBitCount
    let keyBits = bucketBits + (mark != 0 ? 1 : 0)
    if n < 64 || keyBits > 40 {
      buckets.sort()
      return
    }
    if sortScratch.count < n { sortScratch = [Int](repeating: 0, count: n) }
    let high = 1 << bucketBits
    buckets.withUnsafeMutableBufferPointer { keys in
      sortScratch.withUnsafeMutableBufferPointer { other in
        if mark != 0 {
          for i in 0..<n where keys[i] & mark != 0 { keys[i] = (keys[i] & ~mark) | high }
        }
        var source = keys.baseAddress!
        var target = other.baseAddress!
        var counts = (0..<256).map { _ in 0 }
        var shift = 0
        while shift < keyBits {
          for d in 0..<256 { counts[d] = 0 }
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
        if source != keys.baseAddress! { keys.baseAddress!.update(from: source, count: n) }
        if mark != 0 {
          for i in 0..<n where keys[i] & high != 0 { keys[i] = (keys[i] & ~high) | mark }
        }
      }
    }
  }

  /// Merges the two sorted parts `0..<secondPartStart` and the rest of `indices`/`values` into one
  /// sorted row; a bucket in both parts gets the sum of its two values.
  mutating func mergeParts(secondPartStart: Int) {
    mergedIndices.removeAll(keepingCapacity: true)
    mergedValues.removeAll(keepingCapacity: true)
    var first = 0
    var second = secondPartStart
    let count = indices.count
    while first < secondPartStart || second < count {
      let takeFirst = second == count || (first < secondPartStart && indices[first] <= indices[second])
      let position = takeFirst ? first : second
      if takeFirst { first += 1 } else { second += 1 }
      if let last = mergedIndices.last, last == indices[position] {
        mergedValues[mergedValues.count - 1] += values[position]
      } else {
        mergedIndices.append(indices[position])
        mergedValues.append(values[position])
      }
    }
    swap(&indices, &mergedIndices)
    swap(&values, &mergedValues)
  }
}
