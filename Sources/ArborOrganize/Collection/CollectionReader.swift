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

  /// The format a file name's extension names (`.jsonl`/`.ndjson`, `.bib`, `.ris`, `.json`), if any.
  public init?(path: String) {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
    switch name[name.index(after: dot)...].lowercased() {
    case "jsonl", "ndjson": self = .jsonl
    case "bib", "bibtex": self = .bibtex
    case "ris": self = .ris
    case "json": self = .cslJSON
    default: return nil
    }
  }
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
///
/// Every reader accepts a UTF-8 byte-order mark and CRLF line ends. Malformed entries are collected
/// (up to ``maximumErrors``) and thrown together as one `TaxonomyError`, each naming `FILE:LINE` and what
/// was expected, so no partial collection is ever returned. Entries whose title and text are both empty
/// are skipped and counted, or are errors with `strict`. Ids must be unique within a file.
public enum CollectionReader {
  /// The most errors collected before reading stops.
  public static let maximumErrors = 20

  /// Reads `path` in `format` (default: from the file name); with `strict`, entries without text are errors.
  public static func read(
    _ path: String, format: CollectionFormat? = nil, strict: Bool = false
  ) throws(TaxonomyError) -> CollectionReading {
    guard let format = format ?? CollectionFormat(path: path) else {
      throw TaxonomyError(
        .io,
        "cannot tell the collection format from the file name; expected the extension .jsonl, .ndjson, "
          + ".bib, .ris or .json (CSL-JSON), or name the format",
        at: SourceLocation(file: path))
    }
    let bytes = try ArborFile.readBytes(path)
    return try read(bytes: bytes, format: format, file: path, strict: strict)
  }

  /// Reads a collection held in memory; `file` names it in diagnostics.
  public static func read(
    bytes: [UInt8], format: CollectionFormat, file: String? = nil, strict: Bool = false
  ) throws(TaxonomyError) -> CollectionReading {
    var log = CollectionLog(file: file)
    var entries: [CollectionRecord] = []
    switch format {
    case .jsonl: entries = readJSONLines(bytes, log: &log)
    case .cslJSON: entries = readCSLJSON(bytes, log: &log)
    case .bibtex:
      let text = decodeText(bytes, log: &log)
      var parser = BibTeXParser(text: text, log: log)
      entries = parser.parse()
      log = parser.log
    case .ris:
      let text = decodeText(bytes, log: &log)
      entries = readRIS(text, log: &log)
    }
    let reading = finish(entries, strict: strict, log: &log)
    if !log.errors.isEmpty { throw TaxonomyError(log.errors) }
    return reading
  }

  /// Drops entries without text (or rejects them with `strict`) and rejects duplicate ids.
  private static func finish(
    _ entries: [CollectionRecord], strict: Bool, log: inout CollectionLog
  ) -> CollectionReading {
    var records: [CollectionRecord] = []
    records.reserveCapacity(entries.count)
    var skipped = 0
    var firstLineOfID: [String: Int?] = [:]
    firstLineOfID.reserveCapacity(entries.count)
    for entry in entries {
      if let first = firstLineOfID.updateValue(entry.location?.line, forKey: entry.id) {
        let seen = first.map { " (first at line \($0))" } ?? ""
        log.error(
          .duplicateID, "duplicate id '\(entry.id)'\(seen); ids must be unique", line: entry.location?.line)
        continue
      }
      if entry.title.isEmpty && entry.text.isEmpty {
        if strict {
          log.error(
            .schema, "entry '\(entry.id)' has no text: expected a title, an abstract or a text",
            line: entry.location?.line)
        }
        skipped += 1
        continue
      }
      records.append(entry)
    }
    return CollectionReading(records: records, skippedWithoutText: skipped, warnings: log.warnings)
  }

  /// The text of a file: UTF-8 without a byte-order mark, or Latin-1 (with a warning) when it is not UTF-8.
  static func decodeText(_ bytes: [UInt8], log: inout CollectionLog) -> String {
    let start = hasByteOrderMark(bytes) ? 3 : 0
    let body = bytes[start...]
    if let text = String(validating: body, as: UTF8.self) { return text }
    var line = 1
    var offset = start
    while offset < bytes.count {
      let lead = bytes[offset]
      if lead < 0x80 {
        if lead == 0x0A { line += 1 }
        offset += 1
        continue
      }
      let length: Int
      switch lead {
      case 0xC2...0xDF: length = 2
      case 0xE0...0xEF: length = 3
      case 0xF0...0xF4: length = 4
      default: length = 0
      }
      guard length > 0, offset + length <= bytes.count,
        String(validating: bytes[offset..<offset + length], as: UTF8.self) != nil
      else { break }
      offset += length
    }
    log.warning("the file is not valid UTF-8 (first bad byte on this line); read it as Latin-1", line: line)
    return String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
  }

  /// Whether the bytes start with the UTF-8 byte-order mark EF BB BF.
  static func hasByteOrderMark(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
  }
}

/// The errors and warnings of one read, each located in the file.
struct CollectionLog {
  /// The file named in every diagnostic.
  let file: String?
  /// Errors so far (reading stops adding at `CollectionReader.maximumErrors`).
  private(set) var errors: [TaxonomyDiagnostic] = []
  /// Warnings so far.
  private(set) var warnings: [TaxonomyDiagnostic] = []

  init(file: String?) {
    self.file = file
  }

  /// Whether enough errors were collected to stop.
  var isFull: Bool { errors.count >= CollectionReader.maximumErrors }

  /// Records an error at `line`.
  mutating func error(_ kind: TaxonomyDiagnostic.Kind, _ message: String, line: Int?) {
    guard !isFull else { return }
    errors.append(TaxonomyDiagnostic(kind, message, at: SourceLocation(file: file, line: line)))
  }

  /// Records a warning at `line`.
  mutating func warning(_ message: String, line: Int?) {
    warnings.append(TaxonomyDiagnostic(.schema, message, at: SourceLocation(file: file, line: line)))
  }

  /// The location of `line` in this file.
  func location(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }
}
