import ArborTensor
import Foundation
import Testing

@testable import ArborContinual

@Suite struct ClassMeansTests {
  /// Two classes in 2-D; the reference is the textbook formula with an explicit 2 × 2 inverse.
  @Test func scoresMatchTheLDAFormulaByHand() {
    let a: [[Double]] = [[1, 0], [3, 1], [2, 2]]
    let b: [[Double]] = [[0, 2], [1, 4]]
    var means = ClassMeans(dimension: 2, levels: 1, shrinkage: 0.25)
    means.addClass(level: 0)
    means.addClass(level: 0)
    let vectors = (a + b).flatMap { $0.map(Float.init) }
    vectors.withUnsafeBufferPointer { v in
      means.add(v.baseAddress!, rows: 5, targets: [0, 0, 0, 1, 1], deepest: [10, 10, 10, 11, 11])
    }
    means.refresh()

    // Reference: pooled within-class covariance, shrunk, inverted by hand.
    func mean(_ xs: [[Double]]) -> [Double] {
      [0, 1].map { k in xs.map { $0[k] }.reduce(0, +) / Double(xs.count) }
    }
    let ma = mean(a)
    let mb = mean(b)
    var s = [[0.0, 0.0], [0.0, 0.0]]
    for (xs, m) in [(a, ma), (b, mb)] {
      for x in xs {
        for i in 0..<2 { for j in 0..<2 { s[i][j] += (x[i] - m[i]) * (x[j] - m[j]) / 5 } }
      }
    }
    let t = (s[0][0] + s[1][1]) / 2
    let c = [[0.75 * s[0][0] + 0.25 * t, 0.75 * s[0][1]], [0.75 * s[1][0], 0.75 * s[1][1] + 0.25 * t]]
    let det = c[0][0] * c[1][1] - c[0][1] * c[1][0]
    let inverse = [[c[1][1] / det, -c[0][1] / det], [-c[1][0] / det, c[0][0] / det]]
    func score(_ x: [Double], _ m: [Double], prior: Double) -> Double {
      let w = [inverse[0][0] * m[0] + inverse[0][1] * m[1], inverse[1][0] * m[0] + inverse[1][1] * m[1]]
      return w[0] * x[0] + w[1] * x[1] - 0.5 * (w[0] * m[0] + w[1] * m[1]) + log(prior)
    }
    let probes: [[Double]] = [[1, 1], [0, 3], [2.5, -1]]
    var output = [Float](repeating: 0, count: 6)
    let flat = probes.flatMap { $0.map(Float.init) }
    flat.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { o in
        means.scores(level: 0, x.baseAddress!, rows: 3, into: o.baseAddress!)
      }
    }
    for (r, x) in probes.enumerated() {
      #expect(abs(Double(output[r * 2]) - score(x, ma, prior: 3.0 / 5)) < 1e-4)
      #expect(abs(Double(output[r * 2 + 1]) - score(x, mb, prior: 2.0 / 5)) < 1e-4)
    }
  }

  /// The blocked factorisation over several blocks reproduces the matrix: L Lᵀ = A.
  @Test func blockedCholeskyReconstructsTheMatrix() throws {
    let d = 150
    var random = RandomGenerator(seed: 21)
    let g = (0..<(d * d)).map { _ in Double(random.nextNormal()) }
    var a = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
      for j in 0..<d {
        var sum = 0.0
        for k in 0..<d { sum += g[i * d + k] * g[j * d + k] }
        a[i * d + j] = sum + (i == j ? Double(d) : 0)
      }
    }
    let l = try #require(ClassMeans.cholesky(a, dimension: d, block: 64))
    var worst = 0.0
    for i in 0..<d {
      for j in 0..<d {
        #expect(j <= i || l[i * d + j] == 0)
        var sum = 0.0
        for k in 0..<d { sum += l[i * d + k] * l[j * d + k] }
        worst = max(worst, abs(sum - a[i * d + j]))
      }
    }
    #expect(worst < 1e-8 * Double(d * d))
    // Not positive definite: refused.
    var bad = a
    bad[0] = -1
    #expect(ClassMeans.cholesky(bad, dimension: d) == nil)
  }
}
