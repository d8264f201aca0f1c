/// Row operations on row-major `[Float]` matrices that several modules share.
package enum RowVectors {
  /// `Σ_j x[row, j]²` of a row-major matrix `dimension` wide.
  package static func squaredNorm(_ matrix: [Float], row: Int, dimension: Int) -> Float {
    var total: Float = 0
    for j in 0..<dimension { total += matrix[row * dimension + j] * matrix[row * dimension + j] }
    return total
  }

  /// Scales row `row` of a row-major matrix `dimension` wide to unit length; a zero row stays zero.
  package static func normalize(_ matrix: inout [Float], row: Int, dimension: Int) {
    let norm = squaredNorm(matrix, row: row, dimension: dimension)
    guard norm > 0 else { return }
    let scale = 1 / norm.squareRoot()
    for j in 0..<dimension { matrix[row * dimension + j] *= scale }
  }

  /// Scales every row of a row-major matrix `dimension` wide to unit length; zero rows stay zero.
  package static func normalizeRows(_ matrix: inout [Float], dimension: Int) {
    guard dimension > 0 else { return }
    for row in 0..<(matrix.count / dimension) { normalize(&matrix, row: row, dimension: dimension) }
  }
}
