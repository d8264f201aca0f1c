import Foundation
import Testing

@testable import ArborTensor

@Suite struct KernelTests {
  @Test func vectorExponentialIsWithinTwoUlpOfDoubleExp() {
    var worst = 0.0
    var x: Float = -87
    while x < 88 {
      let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.001_37 })
      let result = Kernels.exp(lanes)
      for lane in 0..<8 {
        let reference = Foundation.exp(Double(lanes[lane]))
        let ulp = Double(Float(reference).ulp)
        worst = max(worst, abs(Double(result[lane]) - reference) / ulp)
      }
      x += 0.0173
    }
    #expect(worst <= 2, "worst error \(worst) ulp")
    #expect(Kernels.exp(SIMD8(repeating: 0))[0] == 1)
    #expect(Kernels.exp(SIMD8(repeating: -1000))[0] < 1e-37)
    #expect(Kernels.exp(SIMD8(repeating: 1000))[0].isFinite)
  }

  @Test func normalCDFMatchesErfcInDouble() {
    var worstRelative = 0.0
    var worstAbsolute = 0.0
    var x: Float = -12
    while x < 12 {
      let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.000_91 })
      let result = Kernels.normalCDF(lanes)
      for lane in 0..<8 {
        let reference = 0.5 * erfc(-Double(lanes[lane]) / 2.0.squareRoot())
        let error = abs(Double(result[lane]) - reference)
        worstAbsolute = max(worstAbsolute, error)
        if lanes[lane] > -5 { worstRelative = max(worstRelative, error / reference) }
      }
      x += 0.0073
    }
    // In the lower tail the Float rounding of z² (about z²·2⁻²⁴) dominates: ~1e-6 at x = −5. The
    // former ½(1 + erff(x/√2)) loses all relative accuracy there (1 + erf cancels).
    #expect(worstRelative < 5e-6, "worst relative error \(worstRelative) for x > −5")
    #expect(worstAbsolute < 2e-7, "worst absolute error \(worstAbsolute)")
  }

  @Test(arguments: [0, 1, 7, 8, 9, 33, 1000])
  func reductionsMatchDoubleLoops(count: Int) {
    let a = randomTensor([count], seed: UInt64(count) + 1).storage
    let b = randomTensor([count], seed: UInt64(count) + 2).storage
    a.withUnsafeBufferPointer { p in
      b.withUnsafeBufferPointer { q in
        let base = p.baseAddress ?? UnsafePointer(bitPattern: 8)!
        let other = q.baseAddress ?? UnsafePointer(bitPattern: 8)!
        let sum = a.reduce(0.0) { $0 + Double($1) }
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(Kernels.sum(base, count)) - sum) < 1e-4)
        #expect(abs(Double(Kernels.dot(base, other, count)) - dot) < 1e-4)
        #expect(Kernels.maximum(base, count) == (a.max() ?? -.infinity))
        var target = [Float](repeating: 0, count: count)
        let total = target.withUnsafeMutableBufferPointer { t in
          Kernels.shiftedExp(base, t.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!, count, shift: 0.5)
        }
        let reference = a.map { Foundation.exp(Double($0) - 0.5) }
        for (value, expected) in zip(target, reference) {
          #expect(abs(Double(value) - expected) <= 3e-7 * expected)
        }
        #expect(abs(Double(total) - reference.reduce(0, +)) <= 1e-5 * max(1, reference.reduce(0, +)))
      }
    }
  }
}
