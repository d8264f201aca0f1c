import ArborTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The records of one gold or prediction JSONL file, held in flat arrays.
///
/// Each line is an object `{"id": ..., "labels": [node ids]}`; a prediction may carry
/// `"scores": {node id: number}` or `"ranking": [node ids]` instead of or beside `"labels"`, and a
/// clustering prediction `"path": [cluster ids, top-down]`. See `Schemas/gold-record.schema.json` and
/// `Schemas/prediction-record.schema.json`. Labels are stored per record as distinct node indices,
/// deepest first and then by index, with the root dropped; rankings keep their order (best first).
public struct EvaluationRecords: Sendable {
  /// The file the records came from, for messages.
  public let file: String
  var recordIDs = ByteStringList()
  /// The 1-based line of each record.
  var lines: [Int32] = []
  var labelOffsets: [Int32] = [0]
  var labelNodes: [Int32] = []
  var rankingOffsets: [Int32] = [0]
  var rankingNodes: [Int32] = []
  /// The scores of the rankings that came from `"scores"`, best first; other rankings have none.
  var rankingScores: [Double] = []
  var scoreOffsets: [Int32] = [0]
  var pathOffsets: [Int32] = [0]
  var pathClusters: [Int32] = []
  /// Cluster ids named in `"path"` arrays.
  var clusterIDs = ByteStringTable()
  /// Whether any record carries `"scores"` or `"ranking"`.
  public private(set) var hasRankings = false
  /// Whether any record carries `"path"`.
  public private(set) var hasPaths = false
  /// How many labels naming unknown node ids were dropped (with `ignoringUnknown`).
  public private(set) var droppedUnknownCount = 0
  /// The first few unknown ids dropped, for a warning.
  public private(set) var droppedUnknownExamples: [String] = []

  /// The number of records.
  public var count: Int { lines.count }

  /// The id of record `i`.
  public func id(_ record: Int) -> String { recordIDs.string(record) }

  /// The record's labels: distinct node indices, deepest first, then by index.
  public func labels(_ record: Int) -> ArraySlice<Int32> {
    labelNodes[Int(labelOffsets[record])..<Int(labelOffsets[record + 1])]
  }

  /// The record's ranking, best first (from `"ranking"`, `"scores"` or, failing those, `"labels"`).
  public func ranking(_ record: Int) -> ArraySlice<Int32> {
    rankingNodes[Int(rankingOffsets[record])..<Int(rankingOffsets[record + 1])]
  }

  /// The scores beside ``ranking(_:)`` when it came from `"scores"`; empty for an ordered list.
  public func rankingScores(_ record: Int) -> ArraySlice<Double> {
    rankingScores[Int(scoreOffsets[record])..<Int(scoreOffsets[record + 1])]
  }

  /// The record's predicted cluster path, top-down, as indices into ``clusterID(_:)``.
  public func path(_ record: Int) -> ArraySlice<Int32> {
    pathClusters[Int(pathOffsets[record])..<Int(pathOffsets[record + 1])]
  }

  /// The id of a cluster named in a `"path"`.
  public func clusterID(_ cluster: Int) -> String { clusterIDs.string(cluster) }

  /// The number of distinct cluster ids named in `"path"` arrays.
  public var clusterCount: Int { clusterIDs.count }

  /// The index of the record with this id, or `nil`.
  ///
  /// A linear scan; to join two files use ``aligned(to:)``.
  public func index(of id: String) -> Int? {
    var copy = id
    return copy.withUTF8 { query in
      let hash = ByteStringTable.hash(query)
      for record in 0..<count where recordIDs.hashes[record] == hash {
        if recordIDs.withBytes(record, { $0.elementsEqual(query) }) { return record }
      }
      return nil
    }
  }

  /// Builds records in memory, for tests and other modules; ids must be distinct and known.
  public init(
    file: String = "<memory>", hierarchy: LabelHierarchy, records: [(id: String, labels: [String])]
  ) throws(TaxonomyError) {
    var text = ""
    for record in records {
      text += "{\"id\":" + JSONWriter.quoted(record.id) + ",\"labels\":["
      text += record.labels.map(JSONWriter.quoted).joined(separator: ",") + "]}\n"
    }
    self = try Self.parse(Array(text.utf8), file: file, hierarchy: hierarchy)
  }

  private init(file: String) { self.file = file }

  /// Reads a JSONL file of records.
  ///
  /// Throws a ``TaxonomyError`` naming `file:line` for syntax errors, fields of the wrong type,
  /// duplicate record ids, unknown node ids (unless `ignoringUnknown`, which drops them and counts
  /// them in ``droppedUnknownCount``) and files without records.
  public static func read(
    from path: String, hierarchy: LabelHierarchy, ignoringUnknown: Bool = false, keepingRoot: Bool = false
  ) throws(TaxonomyError) -> EvaluationRecords {
    // Map the file rather than copy it: no second buffer, no zeroed pages.
    let fd = open(path, O_RDONLY)
    if fd >= 0 {
      defer { close(fd) }
      var info = stat()
      if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
        let mapped = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED
      {
        defer { munmap(mapped, Int(info.st_size)) }
        _ = madvise(mapped, Int(info.st_size), MADV_SEQUENTIAL)
        let bytes = UnsafeBufferPointer(
          start: mapped.assumingMemoryBound(to: UInt8.self), count: Int(info.st_size))
        var reader = RecordReader(file: path, hierarchy: hierarchy, ignoringUnknown: ignoringUnknown)
        reader.keepingRoot = keepingRoot
        try reader.run(bytes)
        return reader.records
      }
    }
    let bytes = try ArborFile.readBytes(path)
    return try parse(
      bytes, file: path, hierarchy: hierarchy, ignoringUnknown: ignoringUnknown, keepingRoot: keepingRoot)
  }

  /// Parses JSONL bytes; `file` names the source in messages. Labels naming the root are dropped
  /// unless `keepingRoot` (taxonomy expansion may name the root as a gold parent).
  public static func parse(
    _ bytes: [UInt8], file: String, hierarchy: LabelHierarchy, ignoringUnknown: Bool = false,
    keepingRoot: Bool = false
  ) throws(TaxonomyError) -> EvaluationRecords {
    var reader = RecordReader(file: file, hierarchy: hierarchy, ignoringUnknown: ignoringUnknown)
    reader.keepingRoot = keepingRoot
    let result: Result<EvaluationRecords, TaxonomyError> = bytes.withUnsafeBufferPointer { buffer in
      do throws(TaxonomyError) {
        try reader.run(buffer)
        return .success(reader.records)
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// For each record of `gold`, the index of the record with the same id here, or -1; and how many
  /// records here have no gold record.
  public func aligned(to gold: EvaluationRecords) -> (indices: [Int32], missing: Int, extra: Int) {
    var indices = [Int32](repeating: -1, count: gold.count)
    var missing = 0
    var matched = 0
    var table: ByteStringTable?
    for record in 0..<gold.count {
      if record < count && recordIDs.equals(record, gold.recordIDs, record) {
        // Files in the same order need no lookup.
        indices[record] = Int32(record)
        matched += 1
        continue
      }
      if table == nil {
        var built = ByteStringTable(capacity: count)
        for i in 0..<count { recordIDs.withBytes(i) { _ = built.insert($0) } }
        table = built
      }
      if let found = gold.recordIDs.withBytes(record, { table?.find($0) }) {
        indices[record] = found
        matched += 1
      } else {
        missing += 1
      }
    }
    return (indices, missing, count - matched)
  }

  fileprivate static func empty(_ file: String) -> EvaluationRecords { EvaluationRecords(file: file) }

  fileprivate mutating func noteDropped(_ id: String) {
    droppedUnknownCount += 1
    if droppedUnknownExamples.count < 5 && !droppedUnknownExamples.contains(id) {
      droppedUnknownExamples.append(id)
    }
  }

  fileprivate mutating func reserve(lines: Int, bytes: Int) {
    recordIDs.reserve(count: lines, bytes: lines * 8)
    self.lines.reserveCapacity(lines)
    labelOffsets.reserveCapacity(lines + 1)
    rankingOffsets.reserveCapacity(lines + 1)
    scoreOffsets.reserveCapacity(lines + 1)
    pathOffsets.reserveCapacity(lines + 1)
    labelNodes.reserveCapacity(bytes / 16)
  }

  fileprivate mutating func markRankings() { hasRankings = true }
  fileprivate mutating func markPaths() { hasPaths = true }
}

/// One token of a scanned record line, before it is committed.
private struct ScannedField {
  enum Kind { case id, label, rank, score, cluster }
  var kind: Kind
  var start: Int
  var end: Int
  var score: Double
}

/// Scans JSONL lines: a fast path over raw bytes for plain records, the full JSON parser otherwise.
private struct RecordReader {
  let file: String
  let hierarchy: LabelHierarchy
  let ignoringUnknown: Bool
  var records: EvaluationRecords
  var problems: [TaxonomyDiagnostic] = []
  var unknownCount = 0
  var unknownExamples: [(String, Int)] = []
  var fields: [ScannedField] = []
  var labelScratch: [Int32] = []
  var rankScratch: [(node: Int32, score: Double, order: Int32)] = []
  var rankMarks: [UInt32] = []
  var rankGeneration: UInt32 = 0
  var keepingRoot = false
  var writtenLabels: [Int32] = []

  init(file: String, hierarchy: LabelHierarchy, ignoringUnknown: Bool) {
    self.file = file
    self.hierarchy = hierarchy
    self.ignoringUnknown = ignoringUnknown
    records = .empty(file)
  }

  func location(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }

  mutating func problem(_ kind: TaxonomyDiagnostic.Kind, _ message: String, line: Int) {
    if problems.count < 20 { problems.append(.init(kind, message, at: location(line))) }
  }

  mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) throws(TaxonomyError) {
    // Size the tables from a cheap line count.
    var lineCount = 0
    if let base = bytes.baseAddress {
      var s = 0
      while s < bytes.count, let found = memchr(base + s, 0x0A, bytes.count - s) {
        lineCount += 1
        s = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
      }
    }
    records.reserve(lines: lineCount + 1, bytes: bytes.count)
    var start = 0
    var line = 1
    let base = bytes.baseAddress
    while start < bytes.count {
      var end = bytes.count
      if let base, let found = memchr(base + start, 0x0A, bytes.count - start) {
        end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
      }
      let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
      if !Self.isBlank(slice) {
        fields.removeAll(keepingCapacity: true)
        if scanFast(bytes, start, end) {
          commit(bytes, line: line)
        } else {
          fields.removeAll(keepingCapacity: true)
          parseSlow(slice, line: line)
        }
      }
      start = end + 1
      line += 1
    }
    if unknownCount > 0 {
      let shown = unknownExamples.map { "'\($0.0)' (line \($0.1))" }.joined(separator: ", ")
      let more = unknownCount > unknownExamples.count ? ", ..." : ""
      problems.insert(
        .init(
          .unknownID,
          "\(unknownCount) label(s) name node ids that are not in the taxonomy: \(shown)\(more); "
            + "pass --ignore-unknown to drop them", at: SourceLocation(file: file)), at: 0)
    }
    for (first, repeated) in records.recordIDs.repeats() {
      problem(
        .duplicateID,
        "duplicate record id '\(records.recordIDs.string(repeated))' (first at line \(records.lines[first]))",
        line: Int(records.lines[repeated]))
    }
    if !problems.isEmpty {
      // Unknown-id summary first, then by line.
      let ordered = problems.enumerated().sorted { a, b in
        let la = a.element.location?.line ?? 0
        let lb = b.element.location?.line ?? 0
        return la != lb ? la < lb : a.offset < b.offset
      }.map(\.element)
      throw TaxonomyError(ordered)
    }
    if records.count == 0 {
      throw TaxonomyError(.schema, "no records: expected one JSON object per line", at: location(1))
    }
  }

  static func isBlank(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
    for b in s where b != 0x20 && b != 0x09 && b != 0x0D { return false }
    return true
  }

  // MARK: Fast path

  /// Scans a plain record: string keys and values without escapes, known keys only.
  /// Returns false (and leaves nothing committed) on anything else.
  mutating func scanFast(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var p = start
    func ws() { while p < end, b[p] == 0x20 || b[p] == 0x09 || b[p] == 0x0D { p += 1 } }
    func string() -> (Int, Int)? {
      guard p < end, b[p] == 0x22 else { return nil }
      p += 1
      let s = p
      while p < end {
        let c = b[p]
        if c == 0x22 {
          p += 1
          return (s, p - 1)
        }
        if c == 0x5C || c < 0x20 { return nil }
        p += 1
      }
      return nil
    }
    func stringArray(_ kind: ScannedField.Kind) -> Bool {
      guard p < end, b[p] == 0x5B else { return false }
      p += 1
      ws()
      if p < end, b[p] == 0x5D {
        p += 1
        return true
      }
      while true {
        ws()
        guard let (s, e) = string() else { return false }
        fields.append(ScannedField(kind: kind, start: s, end: e, score: .nan))
        ws()
        guard p < end else { return false }
        if b[p] == 0x2C {
          p += 1
        } else if b[p] == 0x5D {
          p += 1
          return true
        } else {
          return false
        }
      }
    }
    ws()
    guard p < end, b[p] == 0x7B else { return false }
    p += 1
    ws()
    if p < end, b[p] == 0x7D { return false }
    var sawID = false
    while true {
      ws()
      guard let (ks, ke) = string() else { return false }
      ws()
      guard p < end, b[p] == 0x3A else { return false }
      p += 1
      ws()
      let key = UnsafeBufferPointer(rebasing: b[ks..<ke])
      if Self.equal(key, "id") {
        if sawID { return false }
        sawID = true
        if let (s, e) = string() {
          fields.append(ScannedField(kind: .id, start: s, end: e, score: .nan))
        } else {
          let s = p
          while p < end, b[p] >= 0x30 && b[p] <= 0x39 { p += 1 }
          if p == s || (b[s] == 0x30 && p - s > 1) { return false }
          fields.append(ScannedField(kind: .id, start: s, end: p, score: .nan))
        }
      } else if Self.equal(key, "labels") {
        guard stringArray(.label) else { return false }
      } else if Self.equal(key, "ranking") {
        guard stringArray(.rank) else { return false }
      } else if Self.equal(key, "path") {
        guard stringArray(.cluster) else { return false }
      } else if Self.equal(key, "scores") {
        guard p < end, b[p] == 0x7B else { return false }
        p += 1
        ws()
        if p < end, b[p] == 0x7D {
          p += 1
        } else {
          while true {
            ws()
            guard let (s, e) = string() else { return false }
            ws()
            guard p < end, b[p] == 0x3A else { return false }
            p += 1
            ws()
            guard p < end, b[p] == 0x2D || (b[p] >= 0x30 && b[p] <= 0x39) else { return false }
            // Copy the number's characters (digits, sign, point, exponent) and let strtod read them.
            let s0 = p
            while p < end, p - s0 < 63 {
              let c = b[p]
              guard (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c | 0x20 == 0x65 else {
                break
              }
              p += 1
            }
            let length = p - s0
            guard Self.isJSONNumber(b, s0, p) else { return false }
            let value: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text in
              for i in 0..<length { text[i] = CChar(bitPattern: b[s0 + i]) }
              text[length] = 0
              var stop: UnsafeMutablePointer<CChar>?
              let v = strtod(text.baseAddress!, &stop)
              guard let stop, stop - text.baseAddress! == length else { return .nan }
              return v
            }
            if !value.isFinite { return false }
            fields.append(ScannedField(kind: .score, start: s, end: e, score: value))
            ws()
            guard p < end else { return false }
            if b[p] == 0x2C {
              p += 1
            } else if b[p] == 0x7D {
              p += 1
              break
            } else {
              return false
            }
          }
        }
      } else {
        // Another field (say, a document's "text"): skip a plain value, or leave the line to the
        // full parser.
        guard Self.skipPlainValue(b, &p, end) else { return false }
      }
      ws()
      guard p < end else { return false }
      if b[p] == 0x2C {
        p += 1
      } else if b[p] == 0x7D {
        p += 1
        break
      } else {
        return false
      }
    }
    ws()
    return p == end && sawID
  }

  /// Whether `b[start..<end]` is a JSON number (RFC 8259 grammar).
  static func isJSONNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var i = start
    func digits() -> Int {
      let s = i
      while i < end, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
      return i - s
    }
    if i < end, b[i] == 0x2D { i += 1 }
    guard i < end else { return false }
    if b[i] == 0x30 {
      i += 1
    } else if digits() == 0 {
      return false
    }
    if i < end, b[i] == 0x2E {
      i += 1
      if digits() == 0 { return false }
    }
    if i < end, b[i] | 0x20 == 0x65 {
      i += 1
      if i < end, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
      if digits() == 0 { return false }
    }
    return i == end
  }

  /// Skips an ASCII string (with valid escapes), a number, `true`, `false`, `null`, or an array of
  /// such values nested at most `depth` deep (such as `arbor classify`'s `"paths"`) at `p`.
  /// Returns false for anything else (objects, non-ASCII text), which the full parser takes.
  static func skipPlainValue(
    _ b: UnsafeBufferPointer<UInt8>, _ p: inout Int, _ end: Int, depth: Int = 3
  ) -> Bool {
    guard p < end else { return false }
    let c = b[p]
    if c == 0x5B {
      guard depth > 0 else { return false }
      p += 1
      func ws() { while p < end, b[p] == 0x20 || b[p] == 0x09 || b[p] == 0x0D { p += 1 } }
      ws()
      if p < end, b[p] == 0x5D {
        p += 1
        return true
      }
      while true {
        ws()
        guard skipPlainValue(b, &p, end, depth: depth - 1) else { return false }
        ws()
        guard p < end else { return false }
        if b[p] == 0x2C {
          p += 1
        } else if b[p] == 0x5D {
          p += 1
          return true
        } else {
          return false
        }
      }
    }
    if c == 0x22 {
      p += 1
      while p < end {
        let x = b[p]
        if x == 0x22 {
          p += 1
          return true
        }
        if x < 0x20 || x >= 0x80 { return false }
        if x == 0x5C {
          guard p + 1 < end else { return false }
          switch b[p + 1] {
          case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: p += 2
          case 0x75:
            guard p + 5 < end else { return false }
            for k in p + 2..<p + 6 {
              let h = b[k] | 0x20
              guard (h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66) else { return false }
            }
            // Surrogates need pairing checks: leave them to the full parser.
            if b[p + 2] | 0x20 == 0x64, b[p + 3] >= 0x38 { return false }
            p += 6
          default: return false
          }
          continue
        }
        p += 1
      }
      return false
    }
    if c == 0x2D || (c >= 0x30 && c <= 0x39) {
      let s = p
      while p < end {
        let x = b[p]
        guard (x >= 0x30 && x <= 0x39) || x == 0x2E || x == 0x2D || x == 0x2B || x | 0x20 == 0x65 else {
          break
        }
        p += 1
      }
      return isJSONNumber(b, s, p)
    }
    for literal: StaticString in ["true", "false", "null"] {
      let n = literal.utf8CodeUnitCount
      if p + n <= end && equal(UnsafeBufferPointer(rebasing: b[p..<p + n]), literal) {
        p += n
        return true
      }
    }
    return false
  }

  static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
    let n = literal.utf8CodeUnitCount
    if bytes.count != n { return false }
    let s = literal.utf8Start
    for i in 0..<n where bytes[i] != s[i] { return false }
    return true
  }

  // MARK: Slow path

  mutating func parseSlow(_ slice: UnsafeBufferPointer<UInt8>, line: Int) {
    let value: JSONValue
    do {
      value = try JSONParser.parse(slice, firstLine: line)
    } catch {
      problem(.syntax, "invalid JSON: \(error.message) (column \(error.column))", line: line)
      return
    }
    guard case .object(let pairs) = value else {
      problem(.schema, "expected a JSON object per line, found \(value.typeName)", line: line)
      return
    }
    var text: [UInt8] = []
    var pending: [ScannedField] = []
    func add(_ kind: ScannedField.Kind, _ s: String, _ score: Double = .nan) {
      let start = text.count
      text.append(contentsOf: s.utf8)
      pending.append(ScannedField(kind: kind, start: start, end: text.count, score: score))
    }
    var sawID = false
    for (key, field) in pairs {
      switch key {
      case "id":
        if sawID {
          problem(.schema, "field \"id\" appears twice", line: line)
          return
        }
        sawID = true
        if let s = field.stringValue {
          add(.id, s)
        } else if let n = field.numberValue, n == n.rounded(), abs(n) < 1e15 {
          add(.id, String(Int64(n)))
        } else {
          problem(.schema, "field \"id\" must be a string or an integer, found \(field.typeName)", line: line)
          return
        }
      case "labels", "ranking", "path":
        guard let items = field.arrayValue else {
          problem(
            .schema, "field \"\(key)\" must be an array of strings, found \(field.typeName)", line: line)
          return
        }
        let kind: ScannedField.Kind = key == "labels" ? .label : key == "ranking" ? .rank : .cluster
        for item in items {
          guard let s = item.stringValue else {
            problem(.schema, "field \"\(key)\" must hold strings, found \(item.typeName)", line: line)
            return
          }
          add(kind, s)
        }
      case "scores":
        guard let entries = field.objectValue else {
          problem(
            .schema, "field \"scores\" must be an object {node id: number}, found \(field.typeName)",
            line: line)
          return
        }
        for (node, score) in entries {
          guard let n = score.numberValue else {
            problem(.schema, "field \"scores\": the score of '\(node)' must be a number", line: line)
            return
          }
          add(.score, node, n)
        }
      default:
        continue  // Extra fields are allowed and ignored.
      }
    }
    guard sawID else {
      problem(.schema, "missing field \"id\"", line: line)
      return
    }
    fields = pending
    text.append(0)
    text.withUnsafeBufferPointer { commit(UnsafeBufferPointer(rebasing: $0[0..<$0.count - 1]), line: line) }
  }

  // MARK: Commit

  mutating func commit(_ b: UnsafeBufferPointer<UInt8>, line: Int) {
    labelScratch.removeAll(keepingCapacity: true)
    rankScratch.removeAll(keepingCapacity: true)
    writtenLabels.removeAll(keepingCapacity: true)
    var sawRanking = false
    var sawScores = false
    var idField: ScannedField?
    for field in fields {
      let bytes = UnsafeBufferPointer(rebasing: b[field.start..<field.end])
      switch field.kind {
      case .id:
        idField = field
      case .cluster:
        records.markPaths()
        records.pathClusters.append(records.clusterIDs.insert(bytes).index)
      case .label, .rank, .score:
        if field.kind == .rank { sawRanking = true }
        if field.kind == .score { sawScores = true }
        guard let node = hierarchy.nodeIDs.find(bytes) else {
          let id = String(decoding: bytes, as: UTF8.self)
          if ignoringUnknown {
            records.noteDropped(id)
          } else {
            unknownCount += 1
            if unknownExamples.count < 5 && !unknownExamples.contains(where: { $0.0 == id }) {
              unknownExamples.append((id, line))
            }
          }
          continue
        }
        if field.kind == .label {
          if keepingRoot || Int(node) != hierarchy.root {
            labelScratch.append(node)
            writtenLabels.append(node)
          }
        } else {
          rankScratch.append((node, field.score, Int32(rankScratch.count)))
        }
      }
    }
    if sawRanking && sawScores {
      problem(.schema, "give either \"ranking\" or \"scores\", not both", line: line)
    }
    guard let idField else { return }
    let idBytes = UnsafeBufferPointer(rebasing: b[idField.start..<idField.end])
    records.recordIDs.append(idBytes)  // repeats are found after the last line
    records.lines.append(Int32(line))
    // Labels: distinct, deepest first (then by index), so closures can skip covered ancestors.
    let depths = hierarchy.depths
    var topDown = true  // a path written from the top: strictly increasing depth
    var k = 1
    while k < labelScratch.count {
      if depths[Int(labelScratch[k - 1])] >= depths[Int(labelScratch[k])] {
        topDown = false
        break
      }
      k += 1
    }
    if topDown {
      labelScratch.reverse()  // already distinct and in the order the sort would give
    } else {
      labelScratch.sort { depths[Int($0)] != depths[Int($1)] ? depths[Int($0)] > depths[Int($1)] : $0 < $1 }
    }
    var previous: Int32 = -1
    for node in labelScratch where node != previous {
      records.labelNodes.append(node)
      previous = node
    }
    records.labelOffsets.append(Int32(records.labelNodes.count))
    // Ranking: "scores" sorted by score (stable), "ranking" as written, else the labels as written.
    if sawScores {
      records.markRankings()
      rankScratch.sort { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }
    } else if sawRanking {
      records.markRankings()
    } else {
      for node in writtenLabels { rankScratch.append((node, .nan, Int32(rankScratch.count))) }
    }
    if rankScratch.count <= 16 {
      // Short lists: repeats found by comparison, without touching a node-sized array.
      for (i, entry) in rankScratch.enumerated() {
        var repeated = false
        for j in 0..<i where rankScratch[j].node == entry.node {
          repeated = true
          break
        }
        if repeated { continue }  // Repeats keep their first (best) place.
        records.rankingNodes.append(entry.node)
        if sawScores { records.rankingScores.append(entry.score) }
      }
    } else {
      rankGeneration &+= 1
      if rankMarks.count != hierarchy.count { rankMarks = [UInt32](repeating: 0, count: hierarchy.count) }
      for entry in rankScratch where rankMarks[Int(entry.node)] != rankGeneration {
        rankMarks[Int(entry.node)] = rankGeneration
        records.rankingNodes.append(entry.node)
        if sawScores { records.rankingScores.append(entry.score) }
      }
    }
    records.rankingOffsets.append(Int32(records.rankingNodes.count))
    records.scoreOffsets.append(Int32(records.rankingScores.count))
    records.pathOffsets.append(Int32(records.pathClusters.count))
  }
}
