import ArborClassify
import ArborTree
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct PathDecoderTests {
  let taxonomy: Taxonomy
  init() throws { taxonomy = try smallTaxonomy() }
  func n(_ id: String) -> Int { taxonomy.index(of: id)! }

  func logScores(_ probabilities: [String: Float]) -> [Float] {
    var scores = [Float](repeating: -.infinity, count: taxonomy.count)
    for (id, p) in probabilities { scores[n(id)] = logf(p) }
    return scores
  }

  @Test func bestValidPathBeatsPerLevelArgmax() {
    // Per-level argmax would pick a (0.6) and b1 (its level's best, 0.9): an invalid path.
    // Paths: a/a1 = 0.6 × 0.3, a/a2 = 0.6 × 0.2, b/b1 = 0.4 × 0.9 = 0.36 is best.
    let scores = logScores(["a": 0.6, "b": 0.4, "a1": 0.3, "a2": 0.2, "b1": 0.9])
    let paths = scores.withUnsafeBufferPointer {
      PathDecoder(taxonomy: taxonomy).decode(logScores: $0, count: 3)
    }
    #expect(paths.map { $0.nodes.map(taxonomy.id) } == [["b", "b1"], ["a", "a1"], ["a", "a2"]])
    #expect(abs(paths[0].logScore - logf(0.36)) < 1e-6)
  }

  @Test func narrowBeamPrunesEarly() {
    let scores = logScores(["a": 0.6, "b": 0.4, "a1": 0.3, "a2": 0.2, "b1": 0.9])
    let greedy = scores.withUnsafeBufferPointer {
      PathDecoder(taxonomy: taxonomy, beamWidth: 1).decode(logScores: $0)
    }
    #expect(greedy.first?.nodes.map(taxonomy.id) == ["a", "a1"])
  }

  @Test func stopThresholdEndsAtAnInternalNode() {
    let scores = logScores(["a": 0.9, "b": 0.1, "a1": 0.4, "a2": 0.35, "b1": 0.9])
    let decoder = PathDecoder(taxonomy: taxonomy, stopThreshold: 0.5)
    let best = scores.withUnsafeBufferPointer { decoder.decode(logScores: $0) }
    #expect(best.first?.nodes.map(taxonomy.id) == ["a"])
  }

  @Test func multiPathKeepsOnlyChildrenOfKeptParents() {
    var probabilities = [Float](repeating: 0, count: taxonomy.count)
    probabilities[n("a")] = 0.7
    probabilities[n("a1")] = 0.8
    probabilities[n("a2")] = 0.2
    probabilities[n("b")] = 0.3
    probabilities[n("b1")] = 0.95  // confident, but its parent is not kept
    let thresholds = [Float](repeating: 0.5, count: taxonomy.count)
    let decoder = PathDecoder(taxonomy: taxonomy)
    let nodes = probabilities.withUnsafeBufferPointer { p in
      thresholds.withUnsafeBufferPointer { t in decoder.decodeMultiPath(probabilities: p, thresholds: t) }
    }
    #expect(Set(nodes.map(taxonomy.id)) == ["a", "a1"])
  }
}
