import CLibXML2

/// The SKOS statements of an RDF/XML document, collected per subject in document order.
///
/// This is a small RDF/XML reader (RDF 1.1 XML Syntax, § 2) that understands what SKOS
/// taxonomies use: node elements (`rdf:Description` or typed, e.g. `skos:Concept`) with
/// `rdf:about`, `rdf:ID` or `rdf:nodeID`; property elements whose object is `rdf:resource`,
/// `rdf:nodeID`, a nested node element, `rdf:parseType="Resource"`, `"Collection"` or
/// `"Literal"`, or text with an inherited `xml:lang`; literal property attributes; `xml:base`.
/// Only SKOS labels, definitions, hierarchy and top-concept properties, `rdfs:label` and
/// `rdf:type` are kept; everything else is skipped.
struct SKOSDescriptions {
  static let rdf: StaticString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  static let skosNamespace: StaticString = "http://www.w3.org/2004/02/skos/core#"
  static let skos = "\(skosNamespace)"
  static let rdfs: StaticString = "http://www.w3.org/2000/01/rdf-schema#"
  static let xml: StaticString = "http://www.w3.org/XML/1998/namespace"
  static let conceptType = skos + "Concept"
  static let schemeType = skos + "ConceptScheme"
  static let collectionTypes = [skos + "Collection", skos + "OrderedCollection"]

  /// The properties the reader keeps; recognized by comparing libxml2's interned names, without strings.
  enum Property {
    case type, prefLabel, altLabel, definition, rdfsLabel, broader, narrower, hasTopConcept, topConceptOf
    case other

    static func of(namespace: UnsafePointer<xmlChar>?, name: UnsafePointer<xmlChar>?) -> Property {
      guard let namespace, let name else { return .other }
      func named(_ candidate: StaticString) -> Bool { xmlStrEqual(name, candidate.utf8Start) != 0 }
      if xmlStrEqual(namespace, skosNamespace.utf8Start) != 0 {
        if named("prefLabel") { return .prefLabel }
        if named("altLabel") { return .altLabel }
        if named("definition") { return .definition }
        if named("broader") { return .broader }
        if named("narrower") { return .narrower }
        if named("hasTopConcept") { return .hasTopConcept }
        if named("topConceptOf") { return .topConceptOf }
        return .other
      }
      if xmlStrEqual(namespace, rdf.utf8Start) != 0 { return named("type") ? .type : .other }
      if xmlStrEqual(namespace, rdfs.utf8Start) != 0 { return named("label") ? .rdfsLabel : .other }
      return .other
    }

    /// The usual prefixed name, for messages.
    var name: String {
      switch self {
      case .type: return "rdf:type"
      case .rdfsLabel: return "rdfs:label"
      case .other: return "property"
      default: return "skos:\(self)"
      }
    }
  }

  /// A literal with its language tag (`nil` when it has none).
  struct Literal: Hashable {
    var text: String
    var language: String?
  }

  /// A reference to another resource, with the line that made it.
  struct Link {
    var target: String
    var line: Int?
  }

  /// What the document says about one subject.
  struct Subject {
    var id: String
    var line: Int?
    var types: [String] = []
    var prefLabels: [Literal] = []
    var altLabels: [Literal] = []
    var definitions: [Literal] = []
    var rdfsLabels: [Literal] = []
    var hasRelations = false

    var isConcept: Bool { types.contains(SKOSDescriptions.conceptType) }
    var isScheme: Bool { types.contains(SKOSDescriptions.schemeType) }
    var isCollection: Bool { types.contains { SKOSDescriptions.collectionTypes.contains($0) } }
  }

  /// A hierarchy edge, from `skos:broader` or `skos:narrower`.
  struct Edge {
    var parent: String
    var child: String
    var property: String
    var line: Int?
  }

  /// A top-concept link, from `skos:hasTopConcept` or `skos:topConceptOf`.
  struct TopLink {
    var scheme: String
    var concept: String
    var property: String
    var line: Int?
  }

  let document: SafeXMLDocument
  private(set) var subjects: [Subject] = []
  private(set) var subjectIndex: [String: Int] = [:]
  private(set) var edges: [Edge] = []
  private(set) var topLinks: [TopLink] = []
  private(set) var problems: [TaxonomyDiagnostic] = []
  private var blankCounter = 0

  /// The in-scope `xml:lang` and `xml:base`.
  private struct Scope {
    var language: String?
    var base: String?
  }

  init(document: SafeXMLDocument) { self.document = document }

  /// Reads the document: an `rdf:RDF` root, or a single node element as the root.
  mutating func collect() throws(TaxonomyError) {
    guard let root = document.rootElement else {
      throw TaxonomyError(.syntax, "the document has no root element", at: .init(file: document.file))
    }
    let scope = scoped(root, Scope())
    if SafeXMLDocument.isElement(root, "RDF", namespace: Self.rdf) {
      for element in SafeXMLDocument.elements(of: root) { nodeElement(element, scope) }
    } else if SafeXMLDocument.namespaceURI(root) == Self.skos
      || SafeXMLDocument.isElement(root, "Description", namespace: Self.rdf)
    {
      nodeElement(root, scope)
    } else {
      throw TaxonomyError(
        .schema,
        "expected RDF/XML with the root element <rdf:RDF>, found <\(SafeXMLDocument.qualifiedName(root))>",
        at: document.location(of: root))
    }
  }

  // MARK: Node and property elements

  /// The subject id a node element names, and whether it is an anonymous blank node.
  private mutating func subjectID(of element: xmlNodePtr, _ outer: Scope) -> (id: String, anonymous: Bool) {
    let scope = scoped(element, outer)
    if let about = SafeXMLDocument.attribute(element, "about", namespace: Self.rdf) {
      return (Self.resolve(about, against: scope.base), false)
    }
    if let name = SafeXMLDocument.attribute(element, "ID", namespace: Self.rdf) {
      return (Self.resolve("#" + name, against: scope.base), false)
    }
    if let nodeID = SafeXMLDocument.attribute(element, "nodeID", namespace: Self.rdf) {
      return ("_:" + nodeID, false)
    }
    blankCounter += 1
    return ("_:arbor-blank-\(blankCounter)", true)
  }

  /// Reads a node element whose subject id is already known.
  private mutating func nodeElement(
    _ element: xmlNodePtr, _ outer: Scope, subject: (id: String, anonymous: Bool)
  ) {
    let scope = scoped(element, outer)
    let line = SafeXMLDocument.line(of: element)
    let index = self.subject(subject.id, line: line)
    if SafeXMLDocument.isElement(element, "Concept", namespace: Self.skosNamespace) {
      addType(Self.conceptType, to: index)
    } else if !SafeXMLDocument.isElement(element, "Description", namespace: Self.rdf) {
      addType(
        SafeXMLDocument.namespaceURI(element).map { $0 + SafeXMLDocument.localName(element) }, to: index)
    }
    propertyAttributes(element, subject: index, scope: scope)
    for child in SafeXMLDocument.elements(of: element) { propertyElement(child, subject: index, scope) }
    if subject.anonymous && subjects[index].isConcept {
      problems.append(
        .init(
          .schema, "a skos:Concept without rdf:about or rdf:ID; Arbor needs an IRI to use as the node id",
          at: .init(file: document.file, line: line)))
    }
  }

  /// Reads a node element and returns its subject id.
  @discardableResult
  private mutating func nodeElement(_ element: xmlNodePtr, _ outer: Scope) -> String {
    let subject = subjectID(of: element, outer)
    nodeElement(element, outer, subject: subject)
    return subject.id
  }

  /// Literal-valued attributes on a node element (`skos:prefLabel="..."`), and `rdf:type`.
  private mutating func propertyAttributes(_ element: xmlNodePtr, subject index: Int, scope: Scope) {
    var attribute = element.pointee.properties
    while let current = attribute {
      defer { attribute = current.pointee.next }
      let property = Property.of(namespace: current.pointee.ns?.pointee.href, name: current.pointee.name)
      guard property != .other else { continue }
      let value = SafeXMLDocument.attributeValue(current)
      if property == .type {
        addType(Self.resolve(value, against: scope.base), to: index)
      } else {
        addLiteral(property, Literal(text: value, language: scope.language), to: index, line: nil)
      }
    }
  }

  /// A property element: its object is a resource, a nested node, a blank node or a literal.
  private mutating func propertyElement(_ element: xmlNodePtr, subject index: Int, _ outer: Scope) {
    let property = Property.of(namespace: element.pointee.ns?.pointee.href, name: element.pointee.name)
    let scope = scoped(element, outer)
    let line = SafeXMLDocument.line(of: element)
    var location: SourceLocation { SourceLocation(file: document.file, line: line) }
    var name: String { SafeXMLDocument.qualifiedName(element) }
    var elements = SafeXMLDocument.elements(of: element)
    let firstChild = elements.next()
    let hasSeveralChildren = elements.next() != nil
    var objects: [String] = []
    var literal: Literal?
    // Nested descriptions are read after this property's own statement, so statements keep the
    // order of their start tags.
    var nested: [(xmlNodePtr, (id: String, anonymous: Bool))] = []
    var blankProperties: (index: Int, children: [xmlNodePtr])?
    if let resource = SafeXMLDocument.attribute(element, "resource", namespace: Self.rdf) {
      objects = [Self.resolve(resource, against: scope.base)]
      if firstChild != nil || !(SafeXMLDocument.text(of: element).map(Self.isBlank) ?? true) {
        problems.append(
          .init(.schema, "<\(name)> has rdf:resource and content; expected one or the other", at: location))
      }
    } else if let nodeID = SafeXMLDocument.attribute(element, "nodeID", namespace: Self.rdf) {
      objects = ["_:" + nodeID]
    } else {
      switch SafeXMLDocument.attribute(element, "parseType", namespace: Self.rdf) {
      case "Resource":
        blankCounter += 1
        let blank = "_:arbor-blank-\(blankCounter)"
        blankProperties = (subject(blank, line: line), Array(SafeXMLDocument.elements(of: element)))
        objects = [blank]
      case "Collection":
        nested = SafeXMLDocument.elements(of: element).map { ($0, subjectID(of: $0, scope)) }
        objects = nested.map(\.1.id)
      case "Literal":
        literal = Literal(text: Self.allText(element), language: scope.language)
      default:
        if hasSeveralChildren {
          let count = Array(SafeXMLDocument.elements(of: element)).count
          problems.append(
            .init(.schema, "<\(name)> holds \(count) elements; expected one node element", at: location))
        }
        if let firstChild {
          nested = [(firstChild, subjectID(of: firstChild, scope))]
          objects = [nested[0].1.id]
        } else {
          literal = Literal(text: SafeXMLDocument.text(of: element) ?? "", language: scope.language)
        }
      }
    }
    defer {
      for (child, subject) in nested { nodeElement(child, scope, subject: subject) }
      if let (blankIndex, blankChildren) = blankProperties {
        for child in blankChildren { propertyElement(child, subject: blankIndex, scope) }
      }
    }
    if let literal {
      addLiteral(property, literal, to: index, line: line)
      return
    }
    let id = subjects[index].id
    for object in objects {
      switch property {
      case .type: addType(object, to: index)
      case .broader:
        edges.append(Edge(parent: object, child: id, property: property.name, line: line))
        subjects[index].hasRelations = true
      case .narrower:
        edges.append(Edge(parent: id, child: object, property: property.name, line: line))
        subjects[index].hasRelations = true
      case .hasTopConcept:
        topLinks.append(TopLink(scheme: id, concept: object, property: property.name, line: line))
      case .topConceptOf:
        topLinks.append(TopLink(scheme: object, concept: id, property: property.name, line: line))
        subjects[index].hasRelations = true
      case .prefLabel, .altLabel, .definition:
        problems.append(
          .init(.schema, "<\(name)> names a resource; expected a literal (text content)", at: location))
      case .rdfsLabel, .other: break
      }
    }
  }

  private mutating func addLiteral(_ property: Property, _ literal: Literal, to index: Int, line: Int?) {
    switch property {
    case .prefLabel: Self.insert(literal, into: &subjects[index].prefLabels)
    case .altLabel: Self.insert(literal, into: &subjects[index].altLabels)
    case .definition: Self.insert(literal, into: &subjects[index].definitions)
    case .rdfsLabel: Self.insert(literal, into: &subjects[index].rdfsLabels)
    case .broader, .narrower, .hasTopConcept, .topConceptOf:
      problems.append(
        .init(
          .schema,
          "<\(property.name)> has no rdf:resource; expected rdf:resource=\"...\" or a nested description "
            + "of the concept",
          at: .init(file: document.file, line: line ?? subjects[index].line)))
    case .type, .other: break
    }
  }

  /// RDF graphs are sets: a repeated literal is the same statement.
  private static func insert(_ literal: Literal, into list: inout [Literal]) {
    if !list.contains(literal) { list.append(literal) }
  }

  private mutating func addType(_ type: String?, to index: Int) {
    guard let type, !subjects[index].types.contains(type) else { return }
    subjects[index].types.append(type)
  }

  private mutating func subject(_ id: String, line: Int?) -> Int {
    if let index = subjectIndex[id] { return index }
    subjects.append(Subject(id: id, line: line))
    subjectIndex[id] = subjects.count - 1
    return subjects.count - 1
  }

  // MARK: Scope, IRIs, text

  private func scoped(_ element: xmlNodePtr, _ outer: Scope) -> Scope {
    var scope = outer
    if let language = SafeXMLDocument.attribute(element, "lang", namespace: Self.xml) {
      scope.language = language.isEmpty ? nil : language
    }
    if let base = SafeXMLDocument.attribute(element, "base", namespace: Self.xml) {
      scope.base = Self.resolve(base, against: outer.base)
    }
    return scope
  }

  /// Resolves a reference against `xml:base` as RFC 3986 § 5.2 does; without a base, or for an absolute
  /// reference, the reference is kept as written.
  static func resolve(_ reference: String, against base: String?) -> String {
    guard let base, !hasScheme(reference), let colon = base.firstIndex(of: ":") else { return reference }
    // The base's components (§ 3): scheme ":" ["//" authority] path ["?" query] ["#" fragment].
    let scheme = base[..<colon]
    var rest = base[base.index(after: colon)...]
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    var authority: Substring?
    if rest.hasPrefix("//") {
      let start = rest.index(rest.startIndex, offsetBy: 2)
      let end = rest[start...].firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
      authority = rest[start..<end]
      rest = rest[end...]
    }
    let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
    let basePath = rest[..<queryStart]
    let baseQuery = rest[queryStart...]
    let prefix = String(scheme) + ":" + (authority.map { "//" + $0 } ?? "")

    if reference.hasPrefix("//") { return String(scheme) + ":" + reference }
    if reference.isEmpty { return prefix + basePath + baseQuery }
    if reference.hasPrefix("#") { return prefix + basePath + baseQuery + reference }
    if reference.hasPrefix("?") { return prefix + basePath + reference }
    let pathEnd = reference.firstIndex { $0 == "?" || $0 == "#" } ?? reference.endIndex
    let referencePath = reference[..<pathEnd]
    let suffix = reference[pathEnd...]
    if referencePath.hasPrefix("/") { return prefix + removingDotSegments(referencePath) + suffix }
    // Merge (§ 5.2.3): the base path up to its last slash, then the reference's path.
    let merged: String
    if authority != nil && basePath.isEmpty {
      merged = "/" + referencePath
    } else if let slash = basePath.lastIndex(of: "/") {
      merged = String(basePath[...slash] + referencePath)
    } else {
      merged = String(referencePath)
    }
    return prefix + removingDotSegments(Substring(merged)) + suffix
  }

  /// RFC 3986 § 5.2.4: removes `.` and `..` segments from a path.
  static func removingDotSegments(_ path: Substring) -> String {
    var input = path
    var output = ""
    func dropLastSegment() {
      if let slash = output.lastIndex(of: "/") { output.removeSubrange(slash...) } else { output = "" }
    }
    while !input.isEmpty {
      if input.hasPrefix("../") {
        input = input.dropFirst(3)
      } else if input.hasPrefix("./") {
        input = input.dropFirst(2)
      } else if input.hasPrefix("/./") {
        input = input.dropFirst(2)
      } else if input == "/." {
        input = "/"
      } else if input.hasPrefix("/../") {
        input = input.dropFirst(3)
        dropLastSegment()
      } else if input == "/.." {
        input = "/"
        dropLastSegment()
      } else if input == "." || input == ".." {
        input = ""
      } else {
        let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
        let end = input[start...].firstIndex(of: "/") ?? input.endIndex
        output += input[..<end]
        input = input[end...]
      }
    }
    return output
  }

  /// Whether a reference starts with `scheme:` (RFC 3986 § 3.1).
  static func hasScheme(_ reference: String) -> Bool {
    var first = true
    for byte in reference.utf8 {
      switch byte {
      case UInt8(ascii: ":"): return !first
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): break
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
        if first { return false }
      default: return false
      }
      first = false
    }
    return false
  }

  private static func isBlank(_ text: String) -> Bool {
    text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
  }

  /// All descendant text of an element, for `rdf:parseType="Literal"`.
  private static func allText(_ element: xmlNodePtr) -> String {
    var text = ""
    var child = element.pointee.children
    while let current = child {
      switch current.pointee.type {
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if let content = current.pointee.content { text += String(cString: content) }
      case XML_ELEMENT_NODE: text += allText(current)
      default: break
      }
      child = current.pointee.next
    }
    return text
  }
}
