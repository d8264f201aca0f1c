import ArborClassify
import ArborTree
import Testing

func smallTaxonomy() throws -> Taxonomy {
  var builder = TaxonomyBuilder()
  for id in ["r", "a", "b", "a1", "a2", "b1"] { builder.addNode(TaxonomyNode(id: id)) }
  for (p, c) in [("r", "a"), ("r", "b"), ("a", "a1"), ("a", "a2"), ("b", "b1")] {
    builder.addEdge(parent: p, child: c)
  }
  return try builder.build()
}

@Suite struct FewShotSamplerTests {
  let taxonomy: Taxonomy
  let documents: [LabelledDocument]
  init() throws {
    taxonomy = try smallTaxonomy()
    var docs: [LabelledDocument] = []
    for i in 0..<5 { docs.append(LabelledDocument(id: "x\(i)", text: "", labels: ["a", "a1"])) }
    for i in 0..<3 { docs.append(LabelledDocument(id: "y\(i)", text: "", labels: ["a2"])) }
    docs.append(LabelledDocument(id: "z", text: "", labels: ["b", "b1"]))
    documents = docs
  }

  func pathCounts(_ picked: [Int]) -> [String: Int] {
    var counts: [String: Int] = [:]
    for i in picked { counts[documents[i].labels.last!, default: 0] += 1 }
    return counts
  }

  @Test func takesKPerPathOrAllThereAre() {
    for seed in 0..<20 as Range<UInt64> {
      let picked = FewShotSampler(shots: 2, seed: seed).sample(documents, taxonomy: taxonomy)
      #expect(pathCounts(picked) == ["a1": 2, "a2": 2, "b1": 1])
      #expect(picked == picked.sorted())
    }
    let one = FewShotSampler(shots: 1, seed: 3).sample(documents, taxonomy: taxonomy)
    #expect(pathCounts(one) == ["a1": 1, "a2": 1, "b1": 1])
  }

  @Test func sameSeedSameSampleAndSeedsDiffer() {
    let first = FewShotSampler(shots: 2, seed: 7).sample(documents, taxonomy: taxonomy)
    #expect(FewShotSampler(shots: 2, seed: 7).sample(documents, taxonomy: taxonomy) == first)
    let samples = Set(
      (0..<10 as Range<UInt64>).map {
        FewShotSampler(shots: 2, seed: $0).sample(documents, taxonomy: taxonomy)
      })
    #expect(samples.count > 1)
  }

  @Test func multiPathDocumentNeverPushesAPathPastK() {
    var docs = documents
    docs.append(LabelledDocument(id: "m", text: "", labels: ["a1", "b1"]))
    for seed in 0..<30 as Range<UInt64> {
      let picked = FewShotSampler(shots: 1, seed: seed).sample(docs, taxonomy: taxonomy)
      var counts: [String: Int] = [:]
      for i in picked {
        for end in docs[i].labels where ["a1", "a2", "b1"].contains(end) { counts[end, default: 0] += 1 }
      }
      #expect(counts.values.allSatisfy { $0 == 1 })
      #expect(counts.count == 3)
    }
  }
}
