import ArborText
import ArborTree
import Foundation

@testable import ArborExpand

/// A small deterministic encoder for tests: each lower-cased word adds a fixed pseudo-random ±1
/// vector (from an FNV-1a hash of the word), rows scaled to unit length. Texts sharing words get
/// similar vectors; nothing else does.
struct BagOfWordsEncoder: TextEncoder {
  let dimension: Int
  var identity: String { "test-bag-of-words:d\(dimension)" }

  func encode(_ texts: [String]) -> [Float] {
    var output = [Float](repeating: 0, count: texts.count * dimension)
    for (row, text) in texts.enumerated() {
      let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
      for word in words {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for j in 0..<dimension {
          hash = hash &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
          output[row * dimension + j] += (hash >> 63) == 0 ? 1 : -1
        }
      }
      var squares: Float = 0
      for j in 0..<dimension { squares += output[row * dimension + j] * output[row * dimension + j] }
      if squares > 0 { for j in 0..<dimension { output[row * dimension + j] /= squares.squareRoot() } }
    }
    return output
  }
}

/// A toy taxonomy: root → 6 categories → 6 members each, every member's definition names its
/// category's word and one of a few shared filler words, so that the right parent of a new
/// "a kind of WORD" term is clear from the siblings (and from the category's own text).
enum ToyTaxonomy {
  static let categories = ["dog", "boat", "fruit", "tree", "metal", "dance"]
  static let fillers = ["small", "large", "old", "bright", "common", "rare"]

  static func make() throws -> Taxonomy {
    var builder = TaxonomyBuilder()
    builder.addNode(
      TaxonomyNode(
        id: "root", label: "entity", alternativeLabels: [], definition: "anything", attributes: [:]))
    for (c, category) in categories.enumerated() {
      builder.addNode(
        TaxonomyNode(
          id: category, label: category, alternativeLabels: [], definition: "the class of every \(category)",
          attributes: ["kind": "category"]))
      builder.addEdge(parent: "root", child: category)
      for m in 0..<6 {
        let id = "\(category)-\(m)"
        builder.addNode(
          TaxonomyNode(
            id: id, label: "\(category) type \(m)", alternativeLabels: [],
            definition: "a \(fillers[(m + c) % 6]) kind of \(category)", attributes: [:]))
        builder.addEdge(parent: category, child: id)
      }
    }
    return try builder.build()
  }

  static func index(_ taxonomy: Taxonomy, encoder: some TextEncoder) -> ExpansionIndex {
    let texts = ExpansionText.nodeTexts(of: taxonomy)
    return ExpansionIndex(
      taxonomy: taxonomy, nodeVectors: encoder.encode(texts), dimension: encoder.dimension, nodeTexts: texts)
  }
}
