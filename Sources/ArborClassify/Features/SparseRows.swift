/// Rows of sparse features in compressed-sparse-row layout.
package struct SparseRows: Sendable {
  /// Row `r` holds entries `offsets[r]..<offsets[r + 1]`.
  package var offsets: [Int] = [0]
  /// Column of each entry.
  package var columns: [Int32] = []
  /// Value of each entry.
  package var values: [Float] = []

  package init() {}

  /// The number of rows.
  package var count: Int { offsets.count - 1 }

  /// Appends a row.
  package mutating func append(
    columns rowColumns: some Sequence<Int32>, values rowValues: some Sequence<Float>
  ) {
    columns.append(contentsOf: rowColumns)
    values.append(contentsOf: rowValues)
    precondition(columns.count == values.count, "one value per column")
    offsets.append(columns.count)
  }

  /// Appends all rows of another set.
  package mutating func append(contentsOf other: SparseRows) {
    let base = columns.count
    columns.append(contentsOf: other.columns)
    values.append(contentsOf: other.values)
    offsets.append(contentsOf: other.offsets.dropFirst().map { $0 + base })
  }
}
