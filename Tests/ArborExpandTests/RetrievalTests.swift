import ArborText
import ArborTree
import Foundation
import Testing

@testable import ArborExpand

@Suite struct RetrievalTests {
  let encoder = BagOfWordsEncoder(dimension: 64)

  @Test func topIndicesMatchesAFullSort() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20 {
      let scores = (0..<200).map { _ in Float(Int.random(in: 0..<50, using: &generator)) }
      let reference = scores.indices.sorted {
        scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1)
      }
      #expect(topIndices(scores, count: 17) == Array(reference.prefix(17)))
    }
    #expect(topIndices([1, 2], count: 5) == [1, 0])
    #expect(topIndices([1, 2], count: 0) == [])
  }

  @Test func lexicalCosineMatchesSparseDotProducts() {
    let texts = ["a small dog", "a large boat", "dog and boat", "nothing shared"]
    let index = LexicalIndex(texts: texts)
    var scores = [Float](repeating: 0, count: texts.count)
    var touched: [Int32] = []
    let query = index.row("small dog boat")
    index.accumulate(query, into: &scores, touched: &touched)
    for (node, text) in texts.enumerated() {
      // Reference: the dot product of the two TF-IDF rows computed by ArborText.
      let expected = query.dot(index.model.transform(text))
      #expect(abs(scores[node] - expected) < 1e-5, "node \(node)")
    }
    #expect(Set(touched) == [0, 1, 2])
  }

  @Test func hiddenNodeLeavesEveryChannelAndItsParentsCentroid() throws {
    let taxonomy = try ToyTaxonomy.make()
    let index = ToyTaxonomy.index(taxonomy, encoder: encoder)
    let hidden = try #require(taxonomy.index(of: "dog-2"))
    let dog = try #require(taxonomy.index(of: "dog"))
    let text = ExpansionText.nodeTexts(of: taxonomy)[hidden]
    let evidence = try #require(
      index.evidence(vectors: encoder.encode([text]), texts: [text], excluded: [hidden]).first)
    #expect(evidence.dense[hidden] < -1)
    #expect(evidence.lexical[hidden] == 0)
    // Reference centroid: mean of the other five dog members, computed here from their vectors.
    let members = taxonomy.children(of: dog).filter { $0 != hidden }
    var centroid = [Float](repeating: 0, count: encoder.dimension)
    for member in members {
      for j in 0..<encoder.dimension {
        centroid[j] += index.nodeVectors.storage[member * encoder.dimension + j]
      }
    }
    let norm = centroid.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let query = evidence.query
    let expected = zip(query, centroid).reduce(0) { $0 + $1.0 * $1.1 } / norm
    let row = Int(index.internalRow[dog])
    #expect(abs(evidence.centroid[row] - expected) < 1e-4)
    let (candidates, _) = index.candidates(for: evidence, settings: RetrievalSettings())
    #expect(!candidates.nodes.contains(hidden))
    #expect(candidates.nodes.contains(dog))
  }

  @Test func featuresOfAParentCountItsVisibleChildrenAndVotes() throws {
    let taxonomy = try ToyTaxonomy.make()
    let index = ToyTaxonomy.index(taxonomy, encoder: encoder)
    let hidden = try #require(taxonomy.index(of: "boat-0"))
    let boat = try #require(taxonomy.index(of: "boat"))
    let text = ExpansionText.nodeTexts(of: taxonomy)[hidden]
    let evidence = try #require(
      index.evidence(vectors: encoder.encode([text]), texts: [text], excluded: [hidden]).first)
    var settings = RetrievalSettings()
    settings.voteDepth = 3
    let (candidates, _) = index.candidates(for: evidence, settings: settings)
    let row = try #require(candidates.nodes.firstIndex(of: boat))
    let f = Array(
      candidates.features[(row * CandidateFeatures.count)..<((row + 1) * CandidateFeatures.count)])
    // Five visible children: log(1 + 5)/4; depth 1: 1/16; not a leaf.
    #expect(abs(f[9] - logf(6) / 4) < 1e-6)
    #expect(abs(f[10] - 1.0 / 16) < 1e-6)
    #expect(f[11] == 0)
    // The three nodes most similar to "boat type 0: a ... kind of boat" are boat members, so all
    // three dense votes go to "boat": count 3 / voteDepth 3.
    #expect(abs(f[4] - 1) < 1e-6)
    // Max dense similarity over visible children, checked against the dense row directly.
    let expectedMax =
      taxonomy.children(of: boat).filter { $0 != hidden }.map { evidence.dense[$0] }.max() ?? 0
    #expect(f[2] == expectedMax)
  }
}
