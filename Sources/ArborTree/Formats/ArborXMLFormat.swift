import CLibXML2

/// Arbor XML, specified by `Schemas/taxonomy.xsd`, read through libxml2 and validated against the schema.
///
/// ```xml
/// <taxonomy xmlns="https://arbor.dev/ns/taxonomy/1" version="1">
///   <node id="dog">
///     <label>dog</label>
///     <altLabel>domestic dog</altLabel>
///     <definition>a member of the genus Canis</definition>
///     <parent ref="canine"/>
///     <attribute key="source">wordnet</attribute>
///   </node>
/// </taxonomy>
/// ```
///
/// It carries what Arbor JSON carries, in the same order, so conversions between the two are
/// lossless. See `docs/formats.md`.
enum ArborXMLFormat {
  static let version = "1"

  static func read(_ bytes: [UInt8], file: String?) throws(TaxonomyError) -> Taxonomy {
    let document = try SafeXMLDocument.parse(bytes, file: file, allowDoctype: false)
    guard let root = document.rootElement else {
      throw TaxonomyError(.syntax, "the document has no root element", at: .init(file: file))
    }
    guard SafeXMLDocument.isElement(root, "taxonomy", namespace: ArborXMLSchema.namespace) else {
      let namespace =
        SafeXMLDocument.namespaceURI(root).map { " in namespace \($0)" } ?? " without a namespace"
      throw TaxonomyError(
        .schema,
        "expected the root element <taxonomy xmlns=\"\(ArborXMLSchema.namespace)\">, found "
          + "<\(SafeXMLDocument.qualifiedName(root))>\(namespace)",
        at: document.location(of: root))
    }
    try ArborXMLSchema.validate(document)

    var builder = TaxonomyBuilder()
    var problems: [TaxonomyDiagnostic] = []
    var syntheticIDs: [String] = []
    for element in SafeXMLDocument.elements(of: root) {
      let location = document.location(of: element)
      let node: ParsedNode
      do {
        node = try readNode(element, document: document)
      } catch {
        problems += error.diagnostics
        continue
      }
      if node.synthetic { syntheticIDs.append(node.fields.id) }
      builder.addNode(node.fields, at: location)
      for (parent, parentLocation) in node.parents {
        builder.addEdge(parent: parent, child: node.fields.id, at: parentLocation)
      }
    }
    if syntheticIDs.count > 1 {
      problems.append(
        .init(
          .schema,
          "several nodes are marked synthetic=\"true\" (\(syntheticIDs.joined(separator: ", "))); "
            + "at most one may be", at: .init(file: file)))
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    builder.declaredSyntheticRootID = syntheticIDs.first
    return try builder.build(file: file)
  }

  private struct ParsedNode {
    var fields: TaxonomyNode
    var parents: [(String, SourceLocation)]
    var synthetic: Bool
  }

  /// Reads one schema-valid `<node>` element.
  private static func readNode(_ element: xmlNodePtr, document: SafeXMLDocument) throws(TaxonomyError)
    -> ParsedNode
  {
    let location = document.location(of: element)
    let escaped = isTrue(SafeXMLDocument.attribute(element, "escaped"))
    var failure: TaxonomyDiagnostic?
    func decode(_ raw: String, _ what: String, at where: SourceLocation) -> String {
      guard escaped else { return raw }
      if let decoded = XMLTextEscaping.backslashUnescaped(raw) { return decoded }
      if failure == nil {
        failure = .init(
          .schema, "malformed escape in \(what) of a node marked escaped=\"true\": expected \\\\ or \\uXXXX",
          at: `where`)
      }
      return raw
    }
    let id = decode(SafeXMLDocument.attribute(element, "id") ?? "", "the id", at: location)
    var label: String?
    var alternatives: [String] = []
    var definition: String?
    var parents: [(String, SourceLocation)] = []
    var attributes: [String: String] = [:]
    for child in SafeXMLDocument.elements(of: element) {
      let childLocation = document.location(of: child)
      let name = SafeXMLDocument.localName(child)
      switch name {
      case "label":
        label = decode(SafeXMLDocument.text(of: child) ?? "", "<label>", at: childLocation)
      case "altLabel":
        alternatives.append(decode(SafeXMLDocument.text(of: child) ?? "", "<altLabel>", at: childLocation))
      case "definition":
        definition = decode(SafeXMLDocument.text(of: child) ?? "", "<definition>", at: childLocation)
      case "parent":
        let ref = decode(SafeXMLDocument.attribute(child, "ref") ?? "", "a parent ref", at: childLocation)
        parents.append((ref, childLocation))
      case "attribute":
        let key = decode(SafeXMLDocument.attribute(child, "key") ?? "", "an attribute key", at: childLocation)
        let value = decode(SafeXMLDocument.text(of: child) ?? "", "an attribute value", at: childLocation)
        if attributes.updateValue(value, forKey: key) != nil, failure == nil {
          failure = .init(.schema, "node '\(id)' has two attributes with key '\(key)'", at: childLocation)
        }
      default:
        // The schema admits nothing else; kept as a guard should the two ever drift apart.
        if failure == nil {
          failure = .init(.schema, "unexpected element <\(name)> in a node", at: childLocation)
        }
      }
    }
    if let failure { throw TaxonomyError([failure]) }
    return ParsedNode(
      fields: TaxonomyNode(
        id: id, label: label, alternativeLabels: alternatives, definition: definition, attributes: attributes),
      parents: parents, synthetic: isTrue(SafeXMLDocument.attribute(element, "synthetic")))
  }

  /// `xs:boolean` true: `true` or `1`, surrounding white space collapsed.
  private static func isTrue(_ value: String?) -> Bool {
    guard let value = value?.trimmingSpaces() else { return false }
    return value == "true" || value == "1"
  }

  static func write(_ taxonomy: Taxonomy) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(estimatedSize(taxonomy))
    XMLTextEscaping.appendMarkup(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<taxonomy xmlns=\"https://arbor.dev/ns/taxonomy/1\" version=\"1\">\n",
      to: &out)
    for node in taxonomy.indices {
      let parents = taxonomy.parents(of: node)
      let attributes = taxonomy.attributes(node)
      let alternatives = taxonomy.alternativeLabels(node)
      let definition = taxonomy.definition(node)
      var escaped =
        XMLTextEscaping.containsNonXMLCharacter(taxonomy.id(node))
        || XMLTextEscaping.containsNonXMLCharacter(taxonomy.label(node))
        || alternatives.contains(where: XMLTextEscaping.containsNonXMLCharacter)
        || definition.map(XMLTextEscaping.containsNonXMLCharacter) ?? false
        || parents.contains { XMLTextEscaping.containsNonXMLCharacter(taxonomy.id($0)) }
      escaped =
        escaped
        || attributes.contains {
          XMLTextEscaping.containsNonXMLCharacter($0.key) || XMLTextEscaping.containsNonXMLCharacter($0.value)
        }
      func string(_ s: String) -> String { escaped ? XMLTextEscaping.backslashEscaped(s) : s }

      XMLTextEscaping.appendMarkup("  <node id=\"", to: &out)
      XMLTextEscaping.appendAttribute(string(taxonomy.id(node)), to: &out)
      XMLTextEscaping.appendMarkup("\"", to: &out)
      if node == taxonomy.root && taxonomy.hasSyntheticRoot {
        XMLTextEscaping.appendMarkup(" synthetic=\"true\"", to: &out)
      }
      if escaped { XMLTextEscaping.appendMarkup(" escaped=\"true\"", to: &out) }
      XMLTextEscaping.appendMarkup(">\n    <label>", to: &out)
      XMLTextEscaping.appendText(string(taxonomy.label(node)), to: &out)
      XMLTextEscaping.appendMarkup("</label>\n", to: &out)
      for alternative in alternatives {
        XMLTextEscaping.appendMarkup("    <altLabel>", to: &out)
        XMLTextEscaping.appendText(string(alternative), to: &out)
        XMLTextEscaping.appendMarkup("</altLabel>\n", to: &out)
      }
      if let definition {
        XMLTextEscaping.appendMarkup("    <definition>", to: &out)
        XMLTextEscaping.appendText(string(definition), to: &out)
        XMLTextEscaping.appendMarkup("</definition>\n", to: &out)
      }
      for parent in parents {
        XMLTextEscaping.appendMarkup("    <parent ref=\"", to: &out)
        XMLTextEscaping.appendAttribute(string(taxonomy.id(parent)), to: &out)
        XMLTextEscaping.appendMarkup("\"/>\n", to: &out)
      }
      for key in attributes.keys.sorted() {
        XMLTextEscaping.appendMarkup("    <attribute key=\"", to: &out)
        XMLTextEscaping.appendAttribute(string(key), to: &out)
        XMLTextEscaping.appendMarkup("\">", to: &out)
        XMLTextEscaping.appendText(string(attributes[key] ?? ""), to: &out)
        XMLTextEscaping.appendMarkup("</attribute>\n", to: &out)
      }
      XMLTextEscaping.appendMarkup("  </node>\n", to: &out)
    }
    XMLTextEscaping.appendMarkup("</taxonomy>\n", to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// A generous guess of the output size, so the buffer grows at most once or twice.
  private static func estimatedSize(_ taxonomy: Taxonomy) -> Int {
    var size = 128
    for node in taxonomy.indices {
      size += 64 + taxonomy.id(node).utf8.count + taxonomy.label(node).utf8.count
      size += taxonomy.definition(node)?.utf8.count ?? 0
      for alternative in taxonomy.alternativeLabels(node) { size += 24 + alternative.utf8.count }
      for parent in taxonomy.parents(of: node) { size += 24 + taxonomy.id(parent).utf8.count }
    }
    return size + size / 8
  }
}
