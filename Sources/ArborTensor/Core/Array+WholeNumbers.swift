extension Array where Element == Float {
  /// The elements as integers of `range`'s type when every one is a whole number in `range`, else nil.
  ///
  /// Model files keep indices and counts in `F32` tensors; a damaged file can hold NaN, infinity or
  /// 1e30 there, which `Int(_:)` traps on. Loaders convert through this and report the file instead.
  package func wholeNumbers<Whole: BinaryInteger>(in range: ClosedRange<Whole>) -> [Whole]? {
    var result: [Whole] = []
    result.reserveCapacity(count)
    for value in self {
      guard let whole = Whole(exactly: value), range.contains(whole) else { return nil }
      result.append(whole)
    }
    return result
  }
}
