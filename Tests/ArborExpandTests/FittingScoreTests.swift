import ArborTensor
import ArborTree
import Foundation
import Testing

@testable import ArborExpand

@Suite struct FittingScoreTests {
  @Test func fittingScoreIsTheProductOfHEFsFourTerms() {
    var parts = RankingParts(nodes: [10, 11, 12], logits: [2, 0, -1])
    parts.reranked = 2
    parts.path = [0.9, 0.5]
    parts.current = [0.6, 0.8]
    parts.parentForward = [0.7, nil]  // the second anchor is the root
    parts.childBackward = [nil, 0.4]  // the first anchor is a leaf
    var constants = FittingConstants()
    constants.rootForward = 0.5
    constants.leafBackward = 0.25
    constants.retrievalWeight = 0
    let positions = TaxonomyExpander.positions(from: parts, constants: constants, limit: 3)
    // Hand-computed: F(10) = 0.6·0.9·0.7·0.25 = 0.0945; F(11) = 0.8·0.5·0.5·0.4 = 0.08.
    #expect(positions.map(\.node) == [10, 11, 12])
    #expect(abs((positions[0].fittingScore ?? 0) - 0.0945) < 1e-6)
    #expect(abs((positions[1].fittingScore ?? 0) - 0.08) < 1e-6)
    #expect(positions[2].fittingScore == nil)
    #expect(positions[2].score < positions[1].score)
    // With β = 1 the retrieval probability σ(logit) multiplies in: σ(2)·0.0945 < σ(0)·0.08? No:
    // 0.8808·0.0945 = 0.0832 > 0.5·0.08 = 0.04, so the order stays; check the values.
    constants.retrievalWeight = 1
    let weighted = TaxonomyExpander.positions(from: parts, constants: constants, limit: 2)
    #expect(abs(weighted[0].score - 0.0945 * 0.880797) < 1e-5)
    #expect(abs(weighted[1].score - 0.08 * 0.5) < 1e-6)
  }

  @Test func egoTreeHoldsAncestorsAnchorAndMostSimilarChildren() throws {
    let taxonomy = try ToyTaxonomy.make()
    let encoder = BagOfWordsEncoder(dimension: 64)
    let index = ToyTaxonomy.index(taxonomy, encoder: encoder)
    let text = "a rare kind of fruit"
    let evidence = try #require(
      index.evidence(vectors: encoder.encode([text]), texts: [text], excluded: [-1]).first)
    let fruit = try #require(taxonomy.index(of: "fruit"))
    let tree = index.egoTree(of: fruit, for: evidence)
    #expect(tree.nodes.first == taxonomy.root)
    #expect(tree.nodes[1] == fruit)
    #expect(tree.segments.map(\.rawValue) == [2, 3, 4, 4, 4])
    // The member whose definition shares "rare" comes first among the children.
    let rare = taxonomy.children(of: fruit).first { taxonomy.definition($0)?.contains("rare") == true }
    #expect(tree.nodes[2] == rare)
  }

  @Test func trainedModelPlacesNewMembersAndSurvivesSaveAndLoad() throws {
    let taxonomy = try ToyTaxonomy.make()
    let encoder = BagOfWordsEncoder(dimension: 64)
    let index = ToyTaxonomy.index(taxonomy, encoder: encoder)
    var settings = ExpansionTrainingSettings()
    settings.pseudoQueryCount = 30
    settings.heldOutCount = 6
    settings.coherenceEpochs = 1
    settings.queriesPerStep = 6
    settings.minimumCoherenceSteps = 30
    settings.minimumCoherenceQueries = 10
    settings.rerankCount = 5
    settings.retrieval.candidateCount = 10
    let trainer = ExpansionTrainer(
      index: index, nodeTexts: ExpansionText.nodeTexts(of: taxonomy), settings: settings)
    let model = trainer.train(encoderName: "test", encoderIdentity: encoder.identity)
    let expander = try TaxonomyExpander(index: index, model: model)
    let terms = ToyTaxonomy.categories.map { "new \($0): a common kind of \($0)" }
    let ranked = expander.rank(queryVectors: encoder.encode(terms), texts: terms, limit: 5)
    let correct = zip(ToyTaxonomy.categories, ranked).filter { taxonomy.id($0.1[0].node) == $0.0 }.count
    #expect(correct >= 5, "\(ranked.map { $0.map { taxonomy.id($0.node) } })")
    for positions in ranked {
      #expect(zip(positions, positions.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
    // Hiding nothing is plain ranking; a hidden node never comes back, even for its own text.
    let unhidden = expander.rank(
      queryVectors: encoder.encode(terms), texts: terms, hiding: terms.map { _ in -1 }, limit: 5)
    #expect(unhidden == ranked)
    let texts = ExpansionText.nodeTexts(of: taxonomy)
    for member in taxonomy.indices where taxonomy.isLeaf(member) {
      let own = expander.rank(
        queryVectors: encoder.encode([texts[member]]), texts: [texts[member]], hiding: [member], limit: 20)
      #expect(!own[0].contains { $0.node == member })
    }

    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "expand-\(UUID().uuidString).arbor"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let loaded = try ExpansionModel.load(from: path)
    #expect(loaded.constants == model.constants)
    let again = try TaxonomyExpander(index: index, model: loaded).rank(
      queryVectors: encoder.encode(terms), texts: terms, limit: 5)
    #expect(again == ranked)
  }

  @Test func loadingRejectsOtherFiles() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "other-\(UUID().uuidString).safetensors"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try SafeTensorsFile.write(
      [(name: "x", tensor: Tensor(zeros: [2]))], metadata: ["format": "arbor"], to: path)
    #expect(throws: SafeTensorsError.self) { try ExpansionModel.load(from: path) }
  }
}

@Suite struct PositionStepTests {
  @Test func stepScoresCoverEveryChildAndSumToOne() throws {
    let taxonomy = try ToyTaxonomy.make()
    let encoder = BagOfWordsEncoder(dimension: 32)
    let index = ToyTaxonomy.index(taxonomy, encoder: encoder)
    var generator = RandomGenerator(seed: 3)
    let model = ExpansionModel(
      encoderName: "test", encoderIdentity: encoder.identity, dimension: 32, retrieval: RetrievalSettings(),
      rerankCount: 5, constants: FittingConstants(), scorer: RetrievalScorer(generator: &generator),
      coherence: CoherenceModel(dimension: 32, generator: &generator))
    let expander = try TaxonomyExpander(index: index, model: model)
    let text = "a kind of boat"
    let step = expander.stepScores(queryVector: encoder.encode([text]), text: text, at: taxonomy.root)
    #expect(Set(step.children.map(\.node)) == Set(taxonomy.children(of: taxonomy.root)))
    #expect(abs(step.forward + step.current + step.backward - 1) < 1e-5)
    #expect(step.children.allSatisfy { $0.probability > 0 && $0.probability < 1 })
    #expect(zip(step.children, step.children.dropFirst()).allSatisfy { $0.probability >= $1.probability })
  }
}
