#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Process-wide settings of the C allocator for programs that build many large, short-lived tensors.
///
/// Every tape operation allocates its result. With glibc's defaults a block above the mmap threshold
/// (128 KiB, raised dynamically to at most 32 MiB) is mapped and unmapped on each allocation, and freed
/// memory at the top of the heap above the trim threshold goes back to the kernel, so the next tensor of
/// the same size faults in and zeroes fresh pages. `arbor expand` on 1,000 terms took 5.1 million page
/// faults and 31 s of system time (39 s wall) that way; with a 32 MiB mmap threshold and a 1 GiB trim
/// threshold it takes 0.28 million and 10 s (25 s wall), with identical output. Only executables call
/// this: it changes the allocator for the whole process.
package enum AllocatorTuning {
  /// Largest block served from the heap (glibc's own dynamic threshold stops at 32 MiB).
  static let mmapThreshold: Int32 = 32 << 20
  /// Freed memory kept at the top of the heap before it is returned to the kernel.
  static let trimThreshold: Int32 = 1 << 30

  /// Keeps freed tensor memory in the process, unless the user configured glibc's allocator already
  /// (see ``isConfiguredByUser(_:)``). Returns whether the settings were made; false off glibc.
  @discardableResult
  package static func keepFreedTensorMemory() -> Bool {
    #if canImport(Glibc)
      if isConfiguredByUser(environmentVariable) { return false }
      // mallopt(3) is declared in <malloc.h>, which the Glibc module does not export; it is looked up
      // by name. The parameter numbers are glibc's M_TRIM_THRESHOLD (−1) and M_MMAP_THRESHOLD (−3).
      typealias SetOption = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(nil, "mallopt") else { return false }
      let setOption = unsafeBitCast(symbol, to: SetOption.self)
      _ = setOption(-3, mmapThreshold)
      _ = setOption(-1, trimThreshold)
      return true
    #else
      return false
    #endif
  }

  /// The process environment's value of `name`, for ``isConfiguredByUser(_:)``.
  package static func environmentVariable(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }

  /// Whether the environment (read through `variable`) already sets glibc's allocator:
  /// `GLIBC_TUNABLES` naming a `glibc.malloc` tunable, or one of the `MALLOC_*_` variables.
  package static func isConfiguredByUser(_ variable: (String) -> String?) -> Bool {
    if let tunables = variable("GLIBC_TUNABLES"), tunables.contains("glibc.malloc.") { return true }
    return ["MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_"]
      .contains { variable($0) != nil }
  }
}
