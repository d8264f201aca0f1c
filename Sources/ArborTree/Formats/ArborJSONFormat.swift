/// Arbor JSON: one object with `format`, `version` and a `nodes` array, one node per line.
///
/// See `docs/formats.md` and `Schemas/taxonomy.schema.json`.
enum ArborJSONFormat {
  static let formatName = "arbor-taxonomy"
  static let version = 1

  static func read(_ bytes: [UInt8], file: String?) throws(TaxonomyError) -> Taxonomy {
    let value: JSONValue
    let lines: [Int]
    do {
      (value, lines) = try JSONParser.parseRecordingObjectLines(bytes)
    } catch {
      throw TaxonomyError(
        .syntax, "invalid JSON: \(error.message)", at: SourceLocation(file: file, line: error.line))
    }
    let top = SourceLocation(file: file, line: 1)
    guard case .object = value else {
      throw TaxonomyError(.schema, "expected a JSON object with a \"nodes\" array", at: top)
    }
    if let format = value["format"], format.stringValue != formatName {
      throw TaxonomyError(.schema, "field \"format\" must be \"\(formatName)\"", at: top)
    }
    if let version = value["version"], version.numberValue != Double(Self.version) {
      throw TaxonomyError(
        .schema, "field \"version\" must be \(Self.version); this Arbor reads version 1", at: top)
    }
    guard let nodes = value["nodes"]?.arrayValue else {
      throw TaxonomyError(.schema, "missing array field \"nodes\"", at: top)
    }
    // Object lines are in pre-order: the top object, then each node with its nested objects.
    var objectCursor = 1
    var builder = TaxonomyBuilder()
    var problems: [TaxonomyDiagnostic] = []
    for (position, node) in nodes.enumerated() {
      let line = objectCursor < lines.count ? lines[objectCursor] : nil
      objectCursor += node.objectCount
      let location = SourceLocation(file: file, line: line)
      func fail(_ message: String) {
        problems.append(.init(.schema, "node \(position + 1): \(message)", at: location))
      }
      guard case .object(let fields) = node else {
        fail("expected an object, found \(node.typeName)")
        continue
      }
      var id: String?
      var label: String?
      var alternatives: [String] = []
      var definition: String?
      var attributes: [String: String] = [:]
      var parents: [String] = []
      var ok = true
      var synthetic = false
      for (key, field) in fields {
        switch key {
        case "id":
          guard let s = field.stringValue else { fail("\"id\" must be a string"); ok = false; continue }
          id = s
        case "label":
          guard let s = field.stringValue else { fail("\"label\" must be a string"); ok = false; continue }
          label = s
        case "definition":
          guard let s = field.stringValue else {
            fail("\"definition\" must be a string"); ok = false; continue
          }
          definition = s
        case "altLabels", "parents":
          guard let items = field.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            fail("\"\(key)\" must be an array of strings")
            ok = false
            continue
          }
          let strings = items.compactMap(\.stringValue)
          if key == "parents" { parents = strings } else { alternatives = strings }
        case "attributes":
          guard let pairs = field.objectValue, pairs.allSatisfy({ $0.value.stringValue != nil }) else {
            fail("\"attributes\" must be an object of strings")
            ok = false
            continue
          }
          for (k, v) in pairs { attributes[k] = v.stringValue }
        case "synthetic":
          guard case .bool(let flag) = field else {
            fail("\"synthetic\" must be a boolean"); ok = false; continue
          }
          synthetic = flag
        default:
          fail("unknown field \"\(key)\"")
          ok = false
        }
      }
      guard let id else {
        fail("missing field \"id\"")
        continue
      }
      guard ok else { continue }
      if synthetic { builder.declaredSyntheticRootID = id }
      builder.addNode(
        TaxonomyNode(
          id: id, label: label, alternativeLabels: alternatives, definition: definition,
          attributes: attributes),
        at: location)
      for parent in parents { builder.addEdge(parent: parent, child: id, at: location) }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    return try builder.build(file: file)
  }

  static func write(_ taxonomy: Taxonomy) -> String {
    var out = "{\n  \"format\": \"\(formatName)\",\n  \"version\": \(version),\n  \"nodes\": [\n"
    for node in taxonomy.indices {
      out += "    {\"id\": " + JSONWriter.quoted(taxonomy.id(node))
      out += ", \"label\": " + JSONWriter.quoted(taxonomy.label(node))
      let alternatives = taxonomy.alternativeLabels(node)
      if !alternatives.isEmpty {
        out += ", \"altLabels\": [" + alternatives.map(JSONWriter.quoted).joined(separator: ", ") + "]"
      }
      if let definition = taxonomy.definition(node) {
        out += ", \"definition\": " + JSONWriter.quoted(definition)
      }
      out +=
        ", \"parents\": ["
        + taxonomy.parents(of: node).map { JSONWriter.quoted(taxonomy.id($0)) }
        .joined(separator: ", ") + "]"
      let attributes = taxonomy.attributes(node)
      if !attributes.isEmpty {
        out += ", \"attributes\": {"
        out += attributes.keys.sorted().map {
          JSONWriter.quoted($0) + ": " + JSONWriter.quoted(attributes[$0]!)
        }
        .joined(separator: ", ")
        out += "}"
      }
      if node == taxonomy.root && taxonomy.hasSyntheticRoot { out += ", \"synthetic\": true" }
      out += node == taxonomy.count - 1 ? "}\n" : "},\n"
    }
    out += "  ]\n}\n"
    return out
  }
}
