/// Tab-separated edge lists: one `parent<TAB>child` per line, with an optional `id<TAB>label` file.
///
/// Blank lines and lines starting with `#` are skipped; a line with a single
/// field declares a node without a parent. Nodes take the order in which they
/// first appear. The writer visits nodes parents-first (``Taxonomy/topologicalOrder``)
/// and emits a parentless node as a single-field line and every other node's edges,
/// so each node first appears at its own lines and reading back keeps the order.
enum EdgeListFormat {
  static func read(_ bytes: [UInt8], file: String?, labels: ([UInt8], String)?) throws(TaxonomyError)
    -> Taxonomy
  {
    var labelByID: [String: String] = [:]
    var problems: [TaxonomyDiagnostic] = []
    if let (labelBytes, labelFile) = labels {
      try forEachRecord(labelBytes, file: labelFile) { fields, location in
        guard fields.count == 2 else {
          problems.append(
            .init(.syntax, "expected 'id<TAB>label', found \(fields.count) fields", at: location))
          return
        }
        labelByID[fields[0]] = fields[1]
      }
    }
    var order: [String] = []
    var firstLine: [String: SourceLocation] = [:]
    firstLine.reserveCapacity(bytes.count / 16)
    var edges: [(String, String, SourceLocation)] = []
    func see(_ id: String, _ location: SourceLocation) {
      if firstLine[id] == nil {
        firstLine[id] = location
        order.append(id)
      }
    }
    try forEachRecord(bytes, file: file) { fields, location in
      switch fields.count {
      case 1: see(fields[0], location)
      case 2:
        see(fields[0], location)
        see(fields[1], location)
        edges.append((fields[0], fields[1], location))
      default:
        problems.append(
          .init(.syntax, "expected 'parent<TAB>child', found \(fields.count) fields", at: location))
      }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    var builder = TaxonomyBuilder()
    for id in order { builder.addNode(TaxonomyNode(id: id, label: labelByID[id]), at: firstLine[id]) }
    for (parent, child, location) in edges { builder.addEdge(parent: parent, child: child, at: location) }
    if builder.nodeCount == 0 {
      throw TaxonomyError(.syntax, "no edges found", at: SourceLocation(file: file))
    }
    return try builder.build()
  }

  /// Calls `body` with the tab-separated fields and location of every non-blank, non-comment line.
  static func forEachRecord(
    _ bytes: [UInt8], file: String?, _ body: ([String], SourceLocation) -> Void
  ) throws(TaxonomyError) {
    var fields: [String] = []
    fields.reserveCapacity(4)
    var lineNumber = 0
    var start = 0
    let count = bytes.count
    while start < count {
      var end = start
      while end < count && bytes[end] != 0x0A { end += 1 }
      lineNumber += 1
      defer { start = end + 1 }
      var lineEnd = end
      if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      if lineEnd == start || bytes[start] == UInt8(ascii: "#") { continue }
      fields.removeAll(keepingCapacity: true)
      var fieldStart = start
      for i in start...lineEnd where i == lineEnd || bytes[i] == 0x09 {
        let field: String? = bytes.withUnsafeBufferPointer {
          String(validating: UnsafeBufferPointer(rebasing: $0[fieldStart..<i]), as: UTF8.self)
        }
        guard let field else {
          throw TaxonomyError(.syntax, "invalid UTF-8", at: SourceLocation(file: file, line: lineNumber))
        }
        fields.append(field)
        fieldStart = i + 1
      }
      body(fields, SourceLocation(file: file, line: lineNumber))
    }
  }

  static func write(_ taxonomy: Taxonomy) -> String {
    var out = ""
    for node in taxonomy.topologicalOrder {
      let parents = taxonomy.parents(of: node)
      if parents.isEmpty { out += taxonomy.id(node) + "\n" }
      for parent in parents {
        out += taxonomy.id(parent) + "\t" + taxonomy.id(node) + "\n"
      }
    }
    return out
  }
}

/// TExEval's `.taxo` files: `id<TAB>term<TAB>hypernym` per line; terms serve as ids and labels.
enum TExEvalFormat {
  static func read(_ bytes: [UInt8], file: String?) throws(TaxonomyError) -> Taxonomy {
    var problems: [TaxonomyDiagnostic] = []
    var order: [String] = []
    var firstLine: [String: SourceLocation] = [:]
    var edges: [(String, String, SourceLocation)] = []
    try EdgeListFormat.forEachRecord(bytes, file: file) { fields, location in
      guard fields.count == 3 else {
        problems.append(
          .init(.syntax, "expected 'id<TAB>term<TAB>hypernym', found \(fields.count) fields", at: location))
        return
      }
      for term in [fields[2], fields[1]] where firstLine[term] == nil {
        firstLine[term] = location
        order.append(term)
      }
      edges.append((fields[2], fields[1], location))
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    var builder = TaxonomyBuilder()
    for term in order { builder.addNode(TaxonomyNode(id: term), at: firstLine[term]) }
    for (parent, child, location) in edges { builder.addEdge(parent: parent, child: child, at: location) }
    if builder.nodeCount == 0 {
      throw TaxonomyError(.syntax, "no edges found", at: SourceLocation(file: file))
    }
    return try builder.build()
  }

  static func write(_ taxonomy: Taxonomy) -> String {
    var out = ""
    var counter = 0
    for node in taxonomy.topologicalOrder {
      for parent in taxonomy.parents(of: node) {
        counter += 1
        out += "\(counter)\t" + taxonomy.id(node) + "\t" + taxonomy.id(parent) + "\n"
      }
    }
    return out
  }
}
