/// A sparse row: sorted, distinct column indices and their values.
public struct SparseVector: Sendable, Equatable {
  /// Column indices, ascending.
  public var indices: [Int]
  /// The value at each index.
  public var values: [Float]

  /// Creates a row from sorted, distinct indices and their values.
  public init(indices: [Int], values: [Float]) {
    self.indices = indices
    self.values = values
  }

  /// The dot product with another sparse row.
  public func dot(_ other: SparseVector) -> Float {
    var total: Float = 0
    var left = 0
    var right = 0
    while left < indices.count, right < other.indices.count {
      if indices[left] == other.indices[right] {
        total += values[left] * other.values[right]
        left += 1
        right += 1
      } else if indices[left] < other.indices[right] {
        left += 1
      } else {
        right += 1
      }
    }
    return total
  }
}
