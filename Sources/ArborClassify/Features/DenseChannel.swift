import ArborText
import ArborTree

/// Sentence vectors from a BERT encoder, appended to the sparse TF-IDF row as extra features.
///
/// Lexical and semantic evidence complement each other on WordNet glosses: MiniLM vectors
/// beside word and character TF-IDF added 1.7 points of hF1 to a linear SVM on the full
/// wn-noun-gloss training split and about 4 at 7,500 documents (docs/classification.md). Vectors are unit length and
/// multiplied by `weight`; they are cached on disk by ArborText's embedding cache.
package struct DenseChannel: Sendable {
  let encoder: SentenceEncoder
  let weight: Float

  var dimension: Int { encoder.dimension }

  init(directory: String, weight: Float) throws(TaxonomyError) {
    do {
      encoder = try SentenceEncoder(directory: directory)
    } catch {
      throw TaxonomyError(.io, error.message, at: SourceLocation(file: error.path))
    }
    self.weight = weight
  }

  /// `[texts.count, dimension]` vectors, from the cache where possible.
  func vectors(_ texts: [String]) throws(TaxonomyError) -> [Float] {
    do {
      return try EmbeddingCache().encode(texts, with: encoder) { done, total in
        if stderrIsTerminalForProgress, total > 1000 { printProgress("encoding \(done)/\(total)") }
      }
    } catch {
      throw TaxonomyError(.io, error.message, at: SourceLocation(file: error.path))
    }
  }

  /// Rows with the dense vector appended after column `offset`.
  func appending(to rows: SparseRows, texts: [String], offset: Int) throws(TaxonomyError) -> SparseRows {
    let vectors = try vectors(texts)
    let width = dimension
    var result = SparseRows()
    result.columns.reserveCapacity(rows.columns.count + texts.count * width)
    result.values.reserveCapacity(rows.values.count + texts.count * width)
    for row in 0..<rows.count {
      let range = rows.offsets[row]..<rows.offsets[row + 1]
      result.append(
        columns: rows.columns[range] + (0..<width).map { Int32(offset + $0) },
        values: rows.values[range] + vectors[(row * width)..<((row + 1) * width)].map { $0 * weight })
    }
    return result
  }
}
