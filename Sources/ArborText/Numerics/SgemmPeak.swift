import COpenBLAS
import Dispatch

/// Measures what `cblas_sgemm` achieves on this machine, the yardstick for the encoder's GFLOP/s.
package enum SgemmPeak {
  /// Best GFLOP/s of `repeats` products of two `size × size` matrices (2·size³ operations each), with
  /// OpenBLAS's own thread setting.
  package static func measure(size: Int = 2048, repeats: Int = 5) -> Double {
    let count = size * size
    let a = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      for index in 0..<count { buffer[index] = Float(index % 97) / 97 - 0.5 }
      initialized = count
    }
    let b = a.reversed() as [Float]
    var c = [Float](repeating: 0, count: count)
    var best = 0.0
    let n = Int32(size)
    for _ in 0..<max(1, repeats) {
      let start = DispatchTime.now().uptimeNanoseconds
      c.withUnsafeMutableBufferPointer { output in
        cblas_sgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, output.baseAddress, n)
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
      best = max(best, 2 * Double(size) * Double(size) * Double(size) / seconds * 1e-9)
    }
    return best
  }
}
