import ArborTensor

/// A fitted TF-IDF SVD space (``LexicalFeatures/fit(texts:dimension:seed:)``): its vocabulary, idf and
/// right singular vectors `V_k`, so that a new text with TF-IDF row `a` folds in as `a V_k`, the
/// coordinates `U_k Σ_k` give the fitted texts (Deerwester et al. 1990, "folding in").
///
/// `V_k = Aᵀ Q · W_k Σ_k⁻¹` is kept as its two factors (`basis` and `rotation`).
struct LexicalSpace {
  /// The phrase of every column.
  var vocabulary: [String]
  /// Smoothed idf of every column.
  var idf: [Float]
  /// `Aᵀ Q`, row-major `[idf.count, width]`.
  var basis: [Float]
  /// `W_k Σ_k⁻¹`, row-major `[width, dimension]`.
  var rotation: [Float]
  /// `l`, the width of the randomized range.
  var width: Int
  /// `k`, the width of the coordinates.
  var dimension: Int

  /// The coordinates `a V_k` of `texts`, row-major `[texts.count, dimension]` (zero rows for texts with
  /// no phrase of the vocabulary).
  func coordinates(of texts: [String]) -> [Float] {
    guard !texts.isEmpty else { return [] }
    let table = PhraseTable(texts: texts, keepingStopWords: true)
    var columnOf: [String: Int32] = [:]
    columnOf.reserveCapacity(vocabulary.count)
    for (index, phrase) in vocabulary.enumerated() { columnOf[phrase] = Int32(index) }
    let column = table.phrases.map { columnOf[$0] ?? -1 }
    let rows = LexicalFeatures.weightedRows(table.documents, column: column, idf: idf)
    let inBasis = LexicalFeatures.multiply(rows, basis, width: width, rows: texts.count)
    return Tensor(shape: [texts.count, width], storage: inBasis)
      .matmul(Tensor(shape: [width, dimension], storage: rotation)).storage
  }
}
