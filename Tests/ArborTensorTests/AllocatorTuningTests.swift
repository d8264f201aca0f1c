import Testing

@testable import ArborTensor

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct AllocatorTuningTests {
  @Test func userSettingsOfGlibcsAllocatorAreLeftAlone() {
    let none: [String: String] = [:]
    #expect(!AllocatorTuning.isConfiguredByUser { none[$0] })
    let otherTunable = ["GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2"]
    #expect(!AllocatorTuning.isConfiguredByUser { otherTunable[$0] })
    let mallocTunable = ["GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2:glibc.malloc.trim_threshold=0"]
    #expect(AllocatorTuning.isConfiguredByUser { mallocTunable[$0] })
    let variable = ["MALLOC_TRIM_THRESHOLD_": "0"]
    #expect(AllocatorTuning.isConfiguredByUser { variable[$0] })
  }

  #if canImport(Glibc)
    /// Four tensor-sized blocks (8 MiB each) alive together, written and freed, ten times: with the
    /// settings their pages are faulted in once and then reused; with glibc's defaults the 32 MiB freed
    /// at the top of the heap exceed its (dynamic) trim threshold, go back to the kernel and fault in
    /// again every round (measured: 81,669 faults against 8,192 pages per round).
    @Test(.enabled(if: !AllocatorTuning.isConfiguredByUser(AllocatorTuning.environmentVariable)))
    func freedTensorMemoryIsReusedWithoutFreshPageFaults() {
      #expect(AllocatorTuning.keepFreedTensorMemory())
      let count = 2 << 20  // floats: 8 MiB
      let pagesPerRound = 4 * count * MemoryLayout<Float>.size / 4096
      func threadFaults() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD (GNU), not exported to Swift
        return usage.ru_minflt
      }
      let before = threadFaults()
      var checksum: Float = 0
      for round in 0..<10 {
        let blocks = (0..<4).map { [Float](repeating: Float(round + $0), count: count) }
        checksum += blocks.reduce(0) { $0 + $1[count - 1] }
      }
      let faults = threadFaults() - before
      #expect(checksum == 240)
      #expect(faults < 3 * pagesPerRound, "\(faults) page faults for 10 rounds of \(pagesPerRound) pages")
    }
  #endif
}
