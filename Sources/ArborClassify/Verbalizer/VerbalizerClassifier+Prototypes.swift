import ArborTensor
import ArborText
import ArborTree

/// Label prototypes: a nearest-prototype prior added to the verbalizer's level scores.
///
/// For each node v at level d the prototype is the unit vector
/// `p_v = normalize(normalize(Σ_{training documents through v} x̂) + normalize(t̂_v))`, with x̂ a
/// document's unit sentence vector and t̂_v that of the node's own text (labels and definition); a node
/// without training documents keeps its text's vector. At prediction the level-d scores become
/// `s_d + κ · x̂ P_dᵀ` (κ = `VerbalizerSettings.prototypeWeight`), so each level stays a softmax and
/// the decoder, the policy and the reported probabilities all see the same combined scores. This is
/// the nearest-class-mean rule of prototypical networks (Snell et al. 2017) with the label text as one
/// more member of every class, which is what keeps it useful at one shot per path.
extension VerbalizerClassifier {
  /// Unit-length sentence vectors of `texts`, `[texts.count, prototypeWidth]` flattened: mean-pooled
  /// BERT states (cached on disk, as `arbor embed` computes them) or the built-in document vector.
  package func sentenceVectors(_ texts: [String]) throws(TaxonomyError) -> [Float] {
    var values: [Float]
    switch encoder.kind {
    case .builtin(let builtin):
      values = builtin.encode(texts)
    case .bert(let masks):
      do {
        values = try EmbeddingCache().encode(texts, with: masks.sentence) { done, total in
          if stderrIsTerminalForProgress { printProgress("sentence vectors \(done)/\(total)") }
        }
      } catch {
        throw TaxonomyError(.io, error.message, at: SourceLocation(file: error.path))
      }
    }
    RowVectors.normalizeRows(&values, dimension: prototypeWidth)
    return values
  }

  /// Width of the sentence vectors that prototypes live in.
  package var prototypeWidth: Int {
    switch encoder.kind {
    case .builtin(let builtin): return builtin.dimension
    case .bert(let masks): return masks.sentence.dimension
    }
  }

  /// One `[nodes at d, prototypeWidth]` tensor of unit prototypes per level, from the training
  /// documents' gold paths and the nodes' texts.
  func labelPrototypes(documents: [String], gold: [GoldLabels]) throws(TaxonomyError) -> [Tensor] {
    let width = prototypeWidth
    let documentVectors = try sentenceVectors(documents)
    let labelVectors = try sentenceVectors(Self.labelTexts(taxonomy, levels))
    var result: [Tensor] = []
    var labelRow = 0
    for level in 0..<levels.levelCount {
      let count = levels.nodes[level].count
      var sums = [Float](repeating: 0, count: count * width)
      for (document, labels) in gold.enumerated() {
        for node in labels.path where levels.position[node] >= 0 && taxonomy.depth(of: node) == level + 1 {
          let target = levels.position[node] * width
          let source = document * width
          for k in 0..<width { sums[target + k] += documentVectors[source + k] }
        }
      }
      for row in 0..<count {
        RowVectors.normalize(&sums, row: row, dimension: width)
        let source = (labelRow + row) * width
        for k in 0..<width { sums[row * width + k] += labelVectors[source + k] }
        RowVectors.normalize(&sums, row: row, dimension: width)
      }
      labelRow += count
      result.append(Tensor(shape: [count, width], storage: sums))
    }
    return result
  }

  /// `κ · x̂ P_dᵀ` for every level: `[rows, nodes at d]` tensors, or nothing when prototypes are off.
  func prototypeScores(_ texts: [String]) throws(TaxonomyError) -> [Tensor] {
    guard !prototypes.isEmpty else { return [] }
    let vectors = Tensor(shape: [texts.count, prototypeWidth], storage: try sentenceVectors(texts))
    let weight = settings.prototypeWeight
    return prototypes.map { prototype in
      var scores = vectors.matmul(prototype, transposeOther: true)
      scores.storage.withUnsafeMutableBufferPointer { buffer in
        for index in buffer.indices { buffer[index] *= weight }
      }
      return scores
    }
  }

  /// The unit prototype of `node` (`prototypeWidth` numbers), or nil without prototypes or below the
  /// levels.
  package func prototype(of node: Int) -> [Float]? {
    guard !prototypes.isEmpty, node >= 0, node < taxonomy.count, levels.position[node] >= 0 else {
      return nil
    }
    let level = taxonomy.depth(of: node) - 1
    guard level >= 0, level < prototypes.count else { return nil }
    let width = prototypeWidth
    let row = levels.position[node]
    return Array(prototypes[level].storage[(row * width)..<((row + 1) * width)])
  }
}
