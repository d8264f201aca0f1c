import ArborRL
import ArborTensor
import ArborTree
import Foundation
import Testing

@testable import ArborOrganize

/// `TopicTreePolicy`: `organize add`'s placement as a tree-path policy, its gradients, fine-tuning on
/// corrections, and the tuned centroids a model file keeps.
@Suite struct TopicTreePolicyTests {
  /// root → t1 (t1.1, t1.2, t1.3), t2 (t2.1, t2.2): eight nodes; `sums` unnormalised, row-major.
  static func tinyTree(dimension: Int, sums: [Float]) -> TopicTree {
    var nodes = [TopicTree.Node(id: TopicTree.rootID, parent: nil)]
    for (id, parent) in [
      ("t1", 0), ("t2", 0), ("t1.1", 1), ("t1.2", 1), ("t1.3", 1), ("t2.1", 2), ("t2.2", 2),
    ] {
      nodes.append(TopicTree.Node(id: id, parent: parent, size: 2))
      nodes[parent].children.append(nodes.count - 1)
    }
    return TopicTree(nodes: nodes, dimension: dimension, sums: sums, documentIDs: [], documentLeaves: [])
  }

  /// Seeded normal numbers.
  static func normals(_ count: Int, seed: UInt64) -> [Float] {
    var generator = RandomGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextNormal() }
  }

  static func model(_ tree: TopicTree) -> TopicTreeModel {
    TopicTreeModel(
      tree: tree, documentVectors: [], encoderIdentity: "test", encoderName: "builtin", builtinDimension: 8)
  }

  /// The leaf `organize add --placement greedy` gives each vector, each added alone to a copy of `model`.
  static func greedyPlacements(_ model: TopicTreeModel, vectors: [Float]) throws -> [Int] {
    let dimension = model.tree.dimension
    return try (0..<(vectors.count / dimension)).map { row in
      var copy = model
      let addition = try copy.add(
        ids: ["new-\(row)"], texts: [""],
        vectors: Array(vectors[(row * dimension)..<((row + 1) * dimension)]),
        maxLeaf: 1000, seed: 1, namer: nil, placement: .greedy)
      return addition.paths[0].last ?? 0
    }
  }

  static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var dot = 0.0
    var aa = 0.0
    var bb = 0.0
    for (x, y) in zip(a, b) {
      dot += Double(x) * Double(y)
      aa += Double(x) * Double(x)
      bb += Double(y) * Double(y)
    }
    return dot / (aa.squareRoot() * bb.squareRoot())
  }

  @Test func childDistributionIsSoftmaxOfCosinesOverTemperatureAndGreedyIsAddsGreedyPlacement() throws {
    let dimension = 4
    let tree = Self.tinyTree(dimension: dimension, sums: Self.normals(8 * dimension, seed: 3).map { $0 * 3 })
    let policy = try TopicTreePolicy(tree: tree)
    #expect(policy.temperature == 0.05)
    let taxonomy = policy.actionSpace.taxonomy
    #expect(taxonomy.count == 8 && taxonomy.root == 0)
    for node in tree.nodes.indices { #expect(taxonomy.id(node) == tree.nodes[node].id) }

    let x: [Float] = [0.3, -0.2, 0.5, 0.1]  // not unit length: the cosine ignores it
    let width = policy.actionSpace.maximumActionCount
    #expect(width == 3)
    let queries = [
      PolicyQuery(context: 0, node: 0), PolicyQuery(context: 0, node: 1), .init(context: 0, node: 2),
    ]
    let rows = policy.distributions(for: queries, in: [x]).storage
    for (q, query) in queries.enumerated() {
      let children = tree.nodes[query.node].children
      let logits = children.map { child in
        Self.cosine(x[...], tree.sums[(child * dimension)..<((child + 1) * dimension)]) / 0.05
      }
      let largest = logits.max() ?? 0
      let normaliser = logits.map { exp($0 - largest) }.reduce(0, +)
      for (a, logit) in logits.enumerated() {
        let expected = exp(logit - largest) / normaliser
        #expect(abs(Double(expf(rows[q * width + a])) - expected) < 1e-4, "node \(query.node) action \(a)")
      }
      for a in children.count..<width { #expect(expf(rows[q * width + a]) == 0) }
    }

    // Greedy decoding is `--placement greedy`'s choice on the same vectors, untuned and tuned.
    let vectors = Self.normals(40 * dimension, seed: 9)
    let contexts = policy.contexts(vectors: vectors)
    let untuned = Self.model(tree)
    #expect(
      policy.greedyPaths(for: contexts).map(\.terminal)
        == (try Self.greedyPlacements(untuned, vectors: vectors)))
    var moved = policy
    moved.parameters[moved.centroids].storage = Self.normals(8 * dimension, seed: 11)
    let tuned = untuned.updating(with: moved)
    let placements = try Self.greedyPlacements(tuned, vectors: vectors)
    #expect(moved.greedyPaths(for: contexts).map(\.terminal) == placements)
    #expect(placements != (try Self.greedyPlacements(untuned, vectors: vectors)))
  }

  @Test func pathLogProbabilityGradientMatchesFiniteDifferences() throws {
    let dimension = 3
    let tree = Self.tinyTree(dimension: dimension, sums: Self.normals(8 * dimension, seed: 5))
    var policy = try TopicTreePolicy(tree: tree, temperature: 0.25)
    let contexts: [[Float]] = [[0.4, -0.7, 0.2]]
    // log p(root → t1 → t1.2).
    let queries = [PolicyQuery(context: 0, node: 0), PolicyQuery(context: 0, node: 1)]
    let actions = [0, 1]
    let width = policy.actionSpace.maximumActionCount
    func logProbability(_ policy: TopicTreePolicy) -> Double {
      let rows = policy.distributions(for: queries, in: contexts).storage
      return Double(rows[actions[0]]) + Double(rows[width + actions[1]])
    }
    let tape = Tape()
    let logProbabilities = policy.logProbabilities(for: queries, in: contexts, on: tape)
    var pick = [Float](repeating: 0, count: 2 * width)
    pick[actions[0]] = 1
    pick[width + actions[1]] = 1
    tape.backward((logProbabilities * tape.constant(Tensor(shape: [2, width], storage: pick))).sum())
    let gradients = tape.gradients(for: policy.parameters)
    let centroids = try #require(policy.parameters.id(named: TopicTreePolicy.centroidsName))
    var nonzero = 0
    for element in 0..<policy.parameters[centroids].count {
      let original = policy.parameters[centroids].storage[element]
      let h: Float = 1e-2
      policy.parameters[centroids].storage[element] = original + h
      let plus = logProbability(policy)
      policy.parameters[centroids].storage[element] = original - h
      let minus = logProbability(policy)
      policy.parameters[centroids].storage[element] = original
      let numeric = (plus - minus) / Double(2 * h)
      let analytic = Double(gradients[centroids].storage[element])
      #expect(abs(numeric - analytic) < 3e-3 + 0.03 * abs(numeric), "element \(element)")
      if abs(numeric) > 1e-3 { nonzero += 1 }
    }
    // Rows t1, t2 (root decision) and t1.1–t1.3 (decision at t1) move the path; root, t2.1, t2.2 do not.
    #expect(nonzero >= 12)
    for node in [0, 6, 7] {
      for j in 0..<dimension { #expect(gradients[centroids].storage[node * dimension + j] == 0) }
    }
  }

  @Test func correctionRewardScoresPathsDownToTheCorrectedNode() throws {
    let tree = Self.tinyTree(dimension: 2, sums: Self.normals(16, seed: 1))
    let taxonomy = try TopicTreePolicy(tree: tree).actionSpace.taxonomy
    var exact = TopicCorrectionReward(
      base: PathReward(taxonomy: taxonomy, terms: [(.exact, 1)]), taxonomy: taxonomy)
    // Internal correction t1 (index 1): every path through it is exact; others are not.
    #expect(exact.reward(predicted: [1, 3], gold: [1]) == 1)
    #expect(exact.reward(predicted: [1, 5], gold: [1]) == 1)
    #expect(exact.reward(predicted: [2, 6], gold: [1]) == 0)
    // Leaf correction: unchanged.
    #expect(exact.reward(predicted: [1, 3], gold: [3]) == 1)
    #expect(exact.reward(predicted: [1, 4], gold: [3]) == 0)
    var plain = PathReward(taxonomy: taxonomy, terms: [(.exact, 1)])
    #expect(plain.reward(predicted: [1, 3], gold: [1]) == 0)
    var hf1 = TopicCorrectionReward(
      base: PathReward(taxonomy: taxonomy, terms: [(.hf1, 1)]), taxonomy: taxonomy)
    #expect(abs(hf1.reward(predicted: [1, 4], gold: [3]) - 0.5) < 1e-9)
  }

  /// A student tree whose centroids are random, corrections from a teacher tree of the same shape (every
  /// fourth one names only the teacher's top-level topic); fine-tuning the student on the corrections.
  @Test func finetuningOnCorrectionsMovesGreedyPlacementTowardsThem() throws {
    let dimension = 6
    let student = Self.tinyTree(dimension: dimension, sums: Self.normals(8 * dimension, seed: 21))
    let teacher = Self.tinyTree(dimension: dimension, sums: Self.normals(8 * dimension, seed: 22))
    let vectors = Self.normals(120 * dimension, seed: 23)
    let teacherLeaves = try Self.greedyPlacements(Self.model(teacher), vectors: vectors)
    let golds = teacherLeaves.enumerated().map { row, leaf in
      row % 4 == 3 ? [teacher.nodes[leaf].parent ?? leaf] : [leaf]
    }
    func agreement(_ model: TopicTreeModel) throws -> Int {
      let leaves = try Self.greedyPlacements(model, vectors: vectors)
      return zip(leaves, golds).filter { leaf, gold in model.tree.path(to: leaf).contains(gold[0]) }.count
    }
    let start = Self.model(student)
    let policy = try start.policy()
    let contexts = policy.contexts(vectors: vectors)
    let taxonomy = policy.actionSpace.taxonomy
    var reward = TopicCorrectionReward(
      base: PathReward(taxonomy: taxonomy, terms: [(.exact, 1)]), taxonomy: taxonomy)
    var trainer = PolicyTrainer(
      policy: policy, optimizer: AdamW(learningRate: 0.02, weightDecay: 0), settings: TrainingSettings(),
      seed: 4)
    var generator = RandomGenerator(seed: 5)
    for _ in 0..<60 {
      let batch = (0..<16).map { _ in generator.nextInt(below: contexts.count) }
      _ = trainer.step(contexts: batch.map { contexts[$0] }, golds: batch.map { golds[$0] }, reward: &reward)
    }
    let tuned = start.updating(with: trainer.policy, note: "test")
    let before = try agreement(start)
    let after = try agreement(tuned)
    #expect(after > before, "before \(before), after \(after) of \(golds.count)")
    #expect(after >= before + 20, "before \(before), after \(after) of \(golds.count)")
    // Sums, sizes and ids are kept; only the placement centroids changed.
    #expect(tuned.tree.sums == start.tree.sums && tuned.tree.nodes == start.tree.nodes)
    #expect(tuned.tree.tunedCentroids?.count == 8 * dimension)

    // The tuned centroids survive the file, and an old file (no tuned centroids) still reads.
    let directory = OrganizeTestSupport.temporaryDirectory("policy")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try tuned.write(to: directory + "/tuned.safetensors")
    try start.write(to: directory + "/plain.safetensors")
    let reread = try TopicTreeModel.read(from: directory + "/tuned.safetensors")
    #expect(reread.tree.tunedCentroids == tuned.tree.tunedCentroids && reread.finetuning == "test")
    #expect(try agreement(reread) == after)
    #expect(try TopicTreeModel.read(from: directory + "/plain.safetensors").tree.tunedCentroids == nil)
    #expect(TopicTreeModel.isModelFile(directory + "/tuned.safetensors"))

    // Growing a tuned tree with splits keeps every id and gives the new nodes tuned rows too.
    var grown = reread
    let addition = try grown.add(
      ids: (0..<120).map { "d\($0)" }, texts: Array(repeating: "", count: 120), vectors: vectors, maxLeaf: 20,
      seed: 2, namer: nil, placement: .greedy)
    #expect(!addition.splitLeaves.isEmpty)
    #expect(Array(grown.tree.nodes.prefix(8).map(\.id)) == start.tree.nodes.map(\.id))
    #expect(grown.tree.tunedCentroids?.count == grown.tree.nodes.count * dimension)
  }
}
