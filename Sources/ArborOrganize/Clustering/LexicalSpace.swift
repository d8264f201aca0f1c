/// A fitted TF-IDF SVD space (``LexicalFeatures/fit(texts:dimension:seed:)``): its vocabulary, idf and
/// right singular vectors `V_k`, so that a new text with TF-IDF row `a` folds in as `a V_k`, the
/// coordinates `U_k Σ_k` give the fitted texts (Deerwester et al. 1990, "folding in").
struct LexicalSpace {
  /// Column of every phrase of the vocabulary.
  var columns: [String: Int32]
  /// Smoothed idf of every column.
  var idf: [Float]
  /// `V_k`, row-major `[idf.count, dimension]`.
  var projection: [Float]
  /// `k`, the width of the coordinates.
  var dimension: Int

  /// The coordinates `a V_k` of `texts`, row-major `[texts.count, dimension]` (zero rows for texts with
  /// no phrase of the vocabulary).
  func coordinates(of texts: [String]) -> [Float] {
    let table = PhraseTable(texts: texts, keepingStopWords: true)
    let column = table.phrases.map { columns[$0] ?? -1 }
    let rows = LexicalFeatures.weightedRows(table.documents, column: column, idf: idf)
    return LexicalFeatures.multiply(rows, projection, width: dimension, rows: texts.count)
  }
}
