import ArborTensor
import ArborTree
import Foundation
import Testing

@testable import ArborClassify

@Suite struct LinearSVMTrainerTests {
  /// Dense points as sparse rows.
  static func rows(_ points: [[Float]]) -> SparseRows {
    var rows = SparseRows()
    for point in points { rows.append(columns: point.indices.map { Int32($0) }, values: point) }
    return rows
  }

  /// One binary problem: `positives` are the rows labelled +1, all others −1.
  static func binary(rows count: Int, positives: Set<Int>) -> [LinearExample] {
    (0..<count).map { row in
      .logistic(row: Int32(row), range: 0..<1, positives: positives.contains(row) ? [0] : [])
    }
  }

  static func exact(cost: Float = 1) -> LinearSVMTrainer {
    LinearSVMTrainer(cost: cost, maximumPasses: 5000, tolerance: 1e-6, seed: 3, threadCount: 1)
  }

  @Test func matchesTheHandSolvedSymmetricProblem() {
    // x = +1 labelled +1 and x = −1 labelled −1; by symmetry b = 0 and the primal is
    // ½w² + 2C(1 − w)², minimised at w = 4C / (1 + 4C): 0.8 for C = 1, 2/3 for C = 0.5.
    for (cost, expected) in [(Float(1), Float(0.8)), (0.5, 2.0 / 3)] {
      var heads = LinearHeads(featureCount: 1, outputCount: 1)
      Self.exact(cost: cost).fitMargins(
        &heads, rows: Self.rows([[1], [-1]]), examples: Self.binary(rows: 2, positives: [0]))
      #expect(abs(heads.weights[0] - expected) < 1e-4)
      #expect(abs(heads.bias[0]) < 1e-4)
    }
  }

  @Test func satisfiesThePrimalOptimalityCondition() {
    // At the optimum of ½‖w̃‖² + C Σ max(0, 1 − y_i w̃·x̃_i)² (x̃ = [x, 1]) the gradient
    // w̃ − 2C Σ_i y_i x̃_i max(0, 1 − y_i w̃·x̃_i) vanishes: a check that does not use the dual.
    var generator = RandomGenerator(seed: 11)
    let points = (0..<40).map { _ in [generator.nextNormal(), generator.nextNormal(), generator.nextNormal()]
    }
    // Overlapping classes: the label follows a noisy linear rule.
    let positives = Set(
      points.indices.filter { points[$0][0] + 0.5 * points[$0][1] + 0.8 * generator.nextNormal() > 0.2 })
    var heads = LinearHeads(featureCount: 3, outputCount: 1)
    let cost: Float = 0.7
    Self.exact(cost: cost).fitMargins(
      &heads, rows: Self.rows(points), examples: Self.binary(rows: points.count, positives: positives))
    var gradient = heads.weights + [heads.bias[0]]
    for (index, point) in points.enumerated() {
      let y: Float = positives.contains(index) ? 1 : -1
      let margin = y * (zip(point, heads.weights).reduce(0) { $0 + $1.0 * $1.1 } + heads.bias[0])
      let slack = max(0, 1 - margin)
      for (j, value) in (point + [1]).enumerated() { gradient[j] -= 2 * cost * y * value * slack }
    }
    #expect(gradient.allSatisfy { abs($0) < 1e-3 }, "primal gradient \(gradient)")
    // The problem is not separable, so some rows sit inside the margin.
    #expect(heads.weights.contains { abs($0) > 0.1 })
  }

  @Test func fitsTheTemperatureByMaximumLikelihood() {
    // Scores +1 for four rows, three of them positive. Platt's targets are 4/5 for a positive and
    // 1/3 for the negative, so the objective is 3(0.8 log σ(T) + 0.2 log σ(−T)) + (1/3 log σ(T) +
    // 2/3 log σ(−T)) = 41/15 log σ(T) + 19/15 log σ(−T), maximal at σ(T) = 41/60: T = ln(41/19).
    var heads = LinearHeads(featureCount: 1, outputCount: 1)
    heads.weights = [1]
    let examples = Self.binary(rows: 4, positives: [0, 1, 2])
    let temperature = LinearSVMTrainer.fitTemperature(
      heads, rows: Self.rows([[1], [1], [1], [1]]), examples: examples, seed: 0)
    #expect(abs(temperature - logf(41.0 / 19)) < 1e-3)
  }

  @Test func foldsAncestorMarginsIntoPathEnds() throws {
    // Ends a1, a2 under a, and b1 under b: the folded score of a1 must be its own one-vs-rest
    // margin plus λ times the margin of a, each solved on its own.
    let taxonomy = try smallTaxonomy()
    let a = try #require(taxonomy.index(of: "a"))
    let b = try #require(taxonomy.index(of: "b"))
    let a1 = try #require(taxonomy.index(of: "a1"))
    let a2 = try #require(taxonomy.index(of: "a2"))
    let b1 = try #require(taxonomy.index(of: "b1"))
    var generator = RandomGenerator(seed: 5)
    var points: [[Float]] = []
    var paths: [[Int]] = []
    for (path, center) in [([a, a1], [1, 0, 0]), ([a, a2], [0.6, 0.8, 0]), ([b, b1], [0, 0.3, 1])]
      as [([Int], [Float])]
    {
      for _ in 0..<10 {
        points.append(center.map { $0 + 0.6 * generator.nextNormal() })
        paths.append(path)
      }
    }
    let rows = Self.rows(points)
    let layout = OutputLayout.flat(taxonomy, nodes: [a1, a2, b1], multiPath: false)
    var folded = LinearHeads(featureCount: 3, outputCount: 3)
    let lambda: Float = 0.5
    Self.exact().fitFlatWithAncestors(
      &folded, layout: layout, rows: rows, paths: paths, taxonomy: taxonomy, ancestorWeight: lambda)
    func margins(of node: Int) -> LinearHeads {
      var heads = LinearHeads(featureCount: 3, outputCount: 1)
      let positives = Set(paths.indices.filter { paths[$0].contains(node) })
      Self.exact().fitMargins(
        &heads, rows: rows, examples: Self.binary(rows: paths.count, positives: positives))
      return heads
    }
    let own = margins(of: a1)
    let parent = margins(of: a)
    for j in 0..<3 {
      #expect(abs(folded.weights[j * 3 + 0] - (own.weights[j] + lambda * parent.weights[j])) < 1e-3)
    }
    #expect(abs(folded.bias[0] - (own.bias[0] + lambda * parent.bias[0])) < 1e-3)
  }

  @Test func trainsACalibratedClassifierThatPredictsTheToyCorpus() throws {
    let (taxonomy, documents) = try toyCorpus()
    var settings = ClassifierConfiguration()
    settings.method = .flat
    settings.loss = .svm
    settings.minimumDocumentFrequency = 1
    let model = try HierarchicalClassifier.train(
      taxonomy: taxonomy, documents: documents, configuration: settings)
    let predictions = try model.predict(["apricot pie", "an almond", "blueberry jam"], topK: 3)
    #expect(
      predictions.map { $0.paths.first?.map(taxonomy.id) } == [["a", "a1"], ["a", "a2"], ["b", "b1"]])
    for prediction in predictions {
      // Path probabilities over all three ends sum to one, the best above one half.
      #expect(abs(prediction.pathScores.reduce(0, +) - 1) < 1e-3)
      #expect(prediction.pathScores[0] > 0.5)
    }
  }
}
