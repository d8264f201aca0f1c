import ArborTensor
import ArborTree
import Foundation
import Testing

@testable import ArborContinual

@Suite struct LearnerTests {
  @Test func growingAHeadKeepsOldWeightsAndAdamState() {
    var head = LevelHead(dimension: 3)
    head.addClass(10)
    head.addClass(11)
    let gw: [Float] = [0.5, -1, 2, 1, 0, -0.5]
    let gb: [Float] = [0.1, -0.2]
    gw.withUnsafeBufferPointer { w in
      gb.withUnsafeBufferPointer { b in
        head.adamStep(weightGradient: w, biasGradient: b, step: 1, optimizer: AdamSettings())
      }
    }
    // First Adam step moves every parameter with a non-zero gradient by −lr · sign(g) (bias-corrected).
    #expect(abs(head.weights[0] + 1e-3) < 1e-6)
    #expect(abs(head.weights[1] - 1e-3) < 1e-6)
    #expect(head.weights[4] == 0)
    let before = (head.weights, head.bias, head.weightMoment1, head.weightMoment2, head.biasMoment1)
    head.addClass(12, weights: [7, 8, 9], bias: 0.25)
    head.addClass(10)  // already present: no change
    #expect(head.count == 3)
    #expect(Array(head.weights[0..<6]) == before.0)
    #expect(Array(head.bias[0..<2]) == before.1)
    #expect(Array(head.weightMoment1[0..<6]) == before.2)
    #expect(Array(head.weightMoment2[0..<6]) == before.3)
    #expect(Array(head.biasMoment1[0..<2]) == before.4)
    #expect(Array(head.weights[6..<9]) == [7, 8, 9])
    #expect(head.bias[2] == 0.25)
    #expect(
      head.weightMoment1[6..<9].allSatisfy { $0 == 0 } && head.weightMoment2[6..<9].allSatisfy { $0 == 0 })
    #expect(head.row[12] == 2 && head.classes == [10, 11, 12])
  }

  /// Vectors clustered by leaf: each leaf a random centre plus noise.
  func clustered(_ labels: [Int], dimension: Int, seed: UInt64, noise: Float = 0.3) -> [Float] {
    var centres = RandomGenerator(seed: 99)
    var table: [Int: [Float]] = [:]
    for leaf in Set(labels).sorted() { table[leaf] = (0..<dimension).map { _ in centres.nextNormal() } }
    var random = RandomGenerator(seed: seed)
    return labels.flatMap { label in (table[label] ?? []).map { $0 + noise * random.nextNormal() } }
  }

  @Test(arguments: [ContinualMethod.arbor, .erHier, .plFMS, .finetune])
  func pathDecodingIsAlwaysValid(method: ContinualMethod) throws {
    let tree = try smallTaxonomy()
    var settings = LearnerConfiguration.method(method, memorySize: 20)
    settings.decoding = .path
    var learner = ContinualLearner(configuration: settings, taxonomy: tree, levels: 3, dimension: 8, seed: 1)
    let leafNodes = leaves.compactMap { tree.index(of: $0) }
    var random = RandomGenerator(seed: 4)
    for step in 0..<30 {
      // Labels at every level, as a multi-depth stream would bring them.
      let labels = (0..<16).map { _ -> Int in
        let leaf = leafNodes[random.nextInt(below: leafNodes.count)]
        // Coarse to fine: level 1 at steps 0, 3, …, level 2 at 1, 4, …, level 3 at 2, 5, ….
        let chain = Array(([leaf] + tree.ancestors(of: leaf).filter { $0 != tree.root }).reversed())
        return chain[min(chain.count - 1, step % 3)]
      }
      learner.observe(clustered(labels, dimension: 8, seed: UInt64(step)), labels: labels)
    }
    learner.prepareForPrediction()
    var probe = RandomGenerator(seed: 5)
    let vectors = (0..<(200 * 8)).map { _ in probe.nextNormal() }
    let predictions = learner.predict(vectors, rows: 200)
    // Valid in the learner's own tree: each predicted node lies below the previous one through the
    // placements the learner made (the taxonomy's parents with the known hierarchy).
    func placedAncestors(_ node: Int) -> [Int] {
      var chain: [Int] = []
      var current = node
      while let up = learner.parent[current] {
        chain.append(up)
        current = up
      }
      return chain
    }
    for r in 0..<200 {
      var previous = -1
      var predicted = 0
      for l in 0..<3 {
        let node = predictions[r * 3 + l]
        guard node >= 0 else { continue }
        predicted += 1
        if previous >= 0 { #expect(placedAncestors(node).contains(previous)) }
        if settings.hierarchy == .known, previous >= 0 {
          #expect(tree.ancestors(of: node).contains(previous))
        }
        previous = node
      }
      switch settings.hierarchy {
      case .known:
        // Every class has its whole chain: decoding runs from level 1 to a leaf.
        #expect(predicted == 3)
      case .inferred:
        #expect(predicted >= 1)
      case .none:
        // No placements: a path is a single class.
        #expect(predicted == 1)
      }
    }
  }

  @Test func knownHierarchyTrainsAncestorsAndSeparatesClusters() throws {
    let tree = try smallTaxonomy()
    var learner = ContinualLearner(
      configuration: .method(.arbor), taxonomy: tree, levels: 3, dimension: 6, seed: 1)
    let leafNodes = leaves.compactMap { tree.index(of: $0) }
    var random = RandomGenerator(seed: 8)
    for step in 0..<20 {
      let labels = (0..<16).map { _ in leafNodes[random.nextInt(below: leafNodes.count)] }
      learner.observe(clustered(labels, dimension: 6, seed: UInt64(step), noise: 0.2), labels: labels)
    }
    // Ancestors became classes from fine labels alone.
    for id in ["A", "B", "A1", "A2", "B1"] { #expect(learner.knows(try #require(tree.index(of: id)))) }
    learner.prepareForPrediction()
    let probeLabels = (0..<100).map { leafNodes[$0 % leafNodes.count] }
    let predictions = learner.predict(clustered(probeLabels, dimension: 6, seed: 77, noise: 0.2), rows: 100)
    let right = (0..<100).filter { predictions[$0 * 3 + 2] == probeLabels[$0] }.count
    #expect(right >= 95)
  }

  @Test(arguments: [MemoryPolicy.balanced, .importance])
  func balancedMemoryStaysWithinBudgetAndBalanced(policy: MemoryPolicy) {
    var memory = RehearsalMemory(capacity: 60, dimension: 2, policy: policy)
    var random = RandomGenerator(seed: 3)
    let vector: [Float] = [1, 2]
    // Level 0: classes 1, 2 (class 1 nine times as frequent); level 1: classes 10, 11, 12.
    for i in 0..<3000 {
      let (label, level): (Int, Int) =
        i < 1500 ? (i % 10 == 0 ? 2 : 1, 0) : (10 + i % 3, 1)
      vector.withUnsafeBufferPointer { memory.offer($0, label: label, level: level, random: &random) }
      #expect(memory.count <= 60)
    }
    let counts = Dictionary(grouping: memory.labels, by: { $0 }).mapValues(\.count)
    // Each level 30 slots; level 0 split 15 / 15, level 1 split 10 / 10 / 10.
    #expect(counts == [1: 15, 2: 15, 10: 10, 11: 10, 12: 10])
  }

  @Test func reservoirKeepsTheBudgetAndAUniformSample() {
    var memory = RehearsalMemory(capacity: 100, dimension: 1, policy: .reservoir)
    var random = RandomGenerator(seed: 11)
    for i in 0..<10_000 {
      let v: [Float] = [Float(i)]
      v.withUnsafeBufferPointer { memory.offer($0, label: i < 5000 ? 0 : 1, level: 0, random: &random) }
    }
    #expect(memory.count == 100)
    let early = memory.labels.filter { $0 == 0 }.count
    // Binomial(100, 0.5): within 4 standard deviations.
    #expect(abs(early - 50) <= 20)
  }

  @Test func importanceEvictsTheSampleWhoseLossDecreasedLeast() {
    var memory = RehearsalMemory(capacity: 3, dimension: 1, policy: .importance)
    var random = RandomGenerator(seed: 1)
    for value: Float in [0, 1, 2] {
      [value].withUnsafeBufferPointer { memory.offer($0, label: 5, level: 0, random: &random) }
    }
    memory.updateImportance(losses: [1, 1, 1])
    memory.updateImportance(losses: [0.2, 0.9, 0.5])  // decreases 0.8, 0.1, 0.5
    [Float(9)].withUnsafeBufferPointer { memory.offer($0, label: 5, level: 0, random: &random) }
    #expect(memory.vectors == [0, 9, 2])
  }
}
