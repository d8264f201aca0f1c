import COpenBLAS

extension LinearHeads {
  /// Writes the scores of every output for rows `documents` into `out` (`documents.count × outputCount`,
  /// row-major), the same numbers ``scores(_:row:range:into:)`` gives row by row.
  ///
  /// The block's entries are regrouped by feature (a counting sort over the columns), so each weight row
  /// is read from memory once per block instead of once per document that has the feature: the weights
  /// are far larger than the caches, and reading them dominates scoring. Within a document the features
  /// are still added in ascending column order after the bias, so the sums are bit-identical to the
  /// row-by-row scores. `columnStarts` is scratch of at least `featureCount + 1` elements.
  package func scores(
    _ rows: SparseRows, documents: Range<Int>, into out: UnsafeMutablePointer<Float>,
    columnStarts: UnsafeMutablePointer<Int32>
  ) {
    let m = outputCount
    let n = documents.count
    guard n > 0 else { return }
    bias.withUnsafeBufferPointer { b in
      for i in 0..<n { (out + i * m).update(from: b.baseAddress!, count: m) }
    }
    let first = rows.offsets[documents.lowerBound]
    let entryCount = rows.offsets[documents.upperBound] - first
    guard entryCount > 0 else { return }
    columnStarts.update(repeating: 0, count: featureCount + 1)
    let documentOfEntry = UnsafeMutablePointer<Int32>.allocate(capacity: entryCount)
    let valueOfEntry = UnsafeMutablePointer<Float>.allocate(capacity: entryCount)
    defer {
      documentOfEntry.deallocate()
      valueOfEntry.deallocate()
    }
    rows.columns.withUnsafeBufferPointer { columns in
      rows.values.withUnsafeBufferPointer { values in
        for entry in first..<(first + entryCount) { columnStarts[Int(columns[entry]) + 1] += 1 }
        for c in 0..<featureCount { columnStarts[c + 1] += columnStarts[c] }
        // Placing documents in order keeps each column's entries in document order.
        for (i, d) in documents.enumerated() {
          for entry in rows.offsets[d]..<rows.offsets[d + 1] {
            let c = Int(columns[entry])
            let slot = Int(columnStarts[c])
            columnStarts[c] += 1
            documentOfEntry[slot] = Int32(i)
            valueOfEntry[slot] = values[entry]
          }
        }
      }
    }
    // columnStarts[c] now holds the end of column c; walk the columns in order.
    func apply(_ w: UnsafeBufferPointer<Float>) {
      var start = 0
      for c in 0..<featureCount {
        let end = Int(columnStarts[c])
        if end > start {
          let row = w.baseAddress! + c * m
          for slot in start..<end {
            cblas_saxpy(Int32(m), valueOfEntry[slot], row, 1, out + Int(documentOfEntry[slot]) * m, 1)
          }
        }
        start = end
      }
    }
    withWeights(apply)
  }
}
