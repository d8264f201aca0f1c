/// The float32 elements of one tensor, read in place from a memory-mapped safetensors file.
///
/// Holding the value keeps the mapping alive; the elements are never copied, so opening a large model
/// costs no more than the pages its inputs touch.
public struct MappedFloats: @unchecked Sendable {
  let owner: MappedFile
  /// The elements in row-major order.
  public let buffer: UnsafeBufferPointer<Float>

  /// The number of elements.
  public var count: Int { buffer.count }
}

extension SafeTensorsFile {
  /// Tensor `name`'s elements in place, or nil when they cannot be read without converting (a dtype
  /// other than F32, a big-endian machine, or data not aligned to 4 bytes): read `floats(_:)` then.
  public func mappedFloats(_ name: String) throws(SafeTensorsError) -> MappedFloats? {
    let entry = try entry(name)
    #if _endian(little)
      guard entry.dtype == .f32, entry.elementCount > 0, let base = mapping.base else { return nil }
      let start = base + dataOffset + entry.byteRange.lowerBound
      guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else { return nil }
      return MappedFloats(
        owner: mapping,
        buffer: UnsafeBufferPointer(
          start: start.assumingMemoryBound(to: Float.self), count: entry.elementCount))
    #else
      return nil
    #endif
  }
}
