import ArborTree

/// The file formats of document collections.
public enum CollectionFormat: String, Sendable, CaseIterable {
  /// One JSON object per line: `id`, `title`, `abstract` or `text`, optional `keywords`, `year`, others.
  case jsonl
  /// BibTeX `.bib`.
  case bibtex
  /// RIS (Research Information Systems) tagged format.
  case ris
  /// CSL-JSON, as Zotero exports it: a JSON array of items.
  case cslJSON = "csl-json"
}

/// What reading a collection gave.
public struct CollectionReading: Sendable {
  /// The records with text, in file order.
  public var records: [CollectionRecord]
  /// How many entries had no text and were skipped.
  public var skippedWithoutText: Int
  /// Warnings worth showing the user (entries without title, ...), each naming file and line.
  public var warnings: [TaxonomyDiagnostic]

  /// Creates a reading.
  public init(records: [CollectionRecord], skippedWithoutText: Int = 0, warnings: [TaxonomyDiagnostic] = []) {
    self.records = records
    self.skippedWithoutText = skippedWithoutText
    self.warnings = warnings
  }
}

/// Reads document collections (JSONL, BibTeX, RIS, CSL-JSON).
public enum CollectionReader {
  /// Reads `path` in `format` (default: from the file name); with `strict`, entries without text are errors.
  public static func read(
    _ path: String, format: CollectionFormat? = nil, strict: Bool = false
  ) throws(TaxonomyError) -> CollectionReading {
    // Placeholder until the readers land (issue 9, organize-io).
    throw TaxonomyError(
      .io, "collection readers are not implemented yet", at: SourceLocation(file: path, line: nil))
  }
}
