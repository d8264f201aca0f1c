import CLibXML2

/// An XML document parsed by libxml2 with settings that cannot reach outside the input.
///
/// Parsing uses `XML_PARSE_NONET` and never `NOENT`, `DTDLOAD`, `DTDATTR` or `HUGE`, so
/// libxml2's default limits (depth 256, 10 MB per text node) stay in force, no DTD or
/// entity is ever loaded and no entity reference is substituted. On top of that an
/// external-entity loader that refuses everything is installed process-wide, and the
/// parse stops with an error at the first entity declaration: entities could otherwise
/// expand into content (billion laughs) or read local files (XXE). Arbor XML also refuses
/// any `<!DOCTYPE>`.
///
/// Errors are collected per parser context (no process-wide handler), each with its line.
/// Element lines are recorded in full in each element's `_private` field, since libxml2's
/// own `line` field stops at 65535.
package final class SafeXMLDocument {
  /// The parsed tree; freed with the document.
  let document: xmlDocPtr
  /// The file name used in diagnostics.
  let file: String?

  private init(document: xmlDocPtr, file: String?) {
    self.document = document
    self.file = file
  }

  deinit { xmlFreeDoc(document) }

  /// The root element.
  var rootElement: xmlNodePtr? { xmlDocGetRootElement(document) }

  /// Parses `bytes`, or throws every well-formedness problem found, with lines.
  ///
  /// - Parameter allowDoctype: whether a `<!DOCTYPE>` without entity declarations is accepted.
  static func parse(_ bytes: [UInt8], file: String?, allowDoctype: Bool) throws(TaxonomyError)
    -> SafeXMLDocument
  {
    SafeXMLSetup.ensure()
    guard bytes.count <= Int(Int32.max) else {
      throw TaxonomyError(
        .io, "the file is larger than 2 GiB, which libxml2 cannot parse", at: .init(file: file))
    }
    guard let context = xmlNewParserCtxt() else {
      throw TaxonomyError(.io, "libxml2 could not create a parser (out of memory?)", at: .init(file: file))
    }
    defer { xmlFreeParserCtxt(context) }
    let state = ParseState(file: file, allowDoctype: allowDoctype)
    let unmanaged = Unmanaged.passRetained(state)
    defer { unmanaged.release() }
    context.pointee._private = unmanaged.toOpaque()
    installHandlers(context)

    // Anything libxml2 still prints through the thread's generic handler is dropped,
    // then the handler is reset to libxml2's default for this thread.
    arbor_xml_silence_generic_errors()
    defer { arbor_xml_restore_generic_errors() }

    let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)
    let parsed = bytes.withUnsafeBufferPointer { buffer in
      buffer.baseAddress.flatMap { base in
        base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
          xmlCtxtReadMemory(context, $0, Int32(buffer.count), nil, nil, options)
        }
      }
    }
    if state.diagnostics.isEmpty && (parsed == nil || context.pointee.wellFormed == 0) {
      state.diagnostics.append(.init(.syntax, "not well-formed XML", at: .init(file: file)))
    }
    guard let parsed, state.diagnostics.isEmpty else {
      if let parsed { xmlFreeDoc(parsed) }
      if bytes.isEmpty {
        throw TaxonomyError(.syntax, "the file is empty, expected an XML document", at: .init(file: file))
      }
      throw TaxonomyError(state.diagnostics)
    }
    return SafeXMLDocument(document: parsed, file: file)
  }

  /// Replaces the SAX callbacks that matter for safety and line numbers.
  private static func installHandlers(_ context: xmlParserCtxtPtr) {
    guard let sax = context.pointee.sax else { return }
    sax.pointee.serror = { userData, error in
      guard let userData, let error else { return }
      let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
      ParseState.of(context)?.record(error.pointee)
    }
    sax.pointee.entityDecl = { userData, name, _, _, _, _ in
      guard let userData else { return }
      let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
      let entity = name.map { String(cString: $0) } ?? "?"
      ParseState.of(context)?.refuse(
        "entity declarations are not accepted (found <!ENTITY \(entity) ...>): entities could expand "
          + "without bound or read local files", context: context)
    }
    sax.pointee.internalSubset = { userData, name, externalID, systemID in
      guard let userData else { return }
      let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
      guard let state = ParseState.of(context) else { return }
      if !state.allowDoctype {
        state.refuse("a <!DOCTYPE> is not accepted in Arbor XML", context: context)
        return
      }
      xmlSAX2InternalSubset(userData, name, externalID, systemID)
    }
    sax.pointee.reference = { userData, name in
      guard let userData else { return }
      let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
      let entity = name.map { String(cString: $0) } ?? "?"
      ParseState.of(context)?.refuse("entity reference &\(entity); is not accepted", context: context)
    }
    sax.pointee.startElementNs = {
      userData, localName, prefix, uri, namespaceCount, namespaces,
      attributeCount, defaultedCount, attributes in
      xmlSAX2StartElementNs(
        userData, localName, prefix, uri, namespaceCount, namespaces, attributeCount, defaultedCount,
        attributes)
      guard let userData else { return }
      let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
      guard let node = context.pointee.node, let input = context.pointee.input else { return }
      node.pointee._private = UnsafeMutableRawPointer(bitPattern: Int(input.pointee.line))
      ParseState.of(context)?.textLength = 0
    }
    sax.pointee.endElementNs = { userData, localName, prefix, uri in
      xmlSAX2EndElementNs(userData, localName, prefix, uri)
      guard let userData else { return }
      ParseState.of(userData.assumingMemoryBound(to: xmlParserCtxt.self))?.textLength = 0
    }
    // libxml2 2.9 does not stop a run of character data at its 10 MB text limit by itself; this does.
    let characters: charactersSAXFunc = { userData, characters, length in
      guard let userData else { return }
      let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
      if let state = ParseState.of(context) {
        state.textLength += Int(length)
        if state.textLength > ParseState.maximumTextLength {
          state.refuse(
            "a text node longer than \(ParseState.maximumTextLength / 1_000_000) MB; Arbor reads no such text",
            context: context)
          return
        }
      }
      xmlSAX2Characters(userData, characters, length)
    }
    // One function for both, so white space between elements is counted too and kept as before.
    sax.pointee.characters = characters
    sax.pointee.ignorableWhitespace = characters
  }
}

/// What one parse collects; reached from C callbacks through the parser context's `_private`.
private final class ParseState {
  let file: String?
  let allowDoctype: Bool
  var diagnostics: [TaxonomyDiagnostic] = []
  /// Bytes of character data since the last start or end tag.
  var textLength = 0
  static let maximumDiagnostics = 20
  /// libxml2's own limit without `XML_PARSE_HUGE` (`XML_MAX_TEXT_LENGTH`).
  static let maximumTextLength = 10_000_000

  init(file: String?, allowDoctype: Bool) {
    self.file = file
    self.allowDoctype = allowDoctype
  }

  static func of(_ context: xmlParserCtxtPtr) -> ParseState? {
    guard let raw = context.pointee._private else { return nil }
    return Unmanaged<ParseState>.fromOpaque(raw).takeUnretainedValue()
  }

  /// Keeps errors (not warnings) with their line.
  func record(_ error: xmlError) {
    guard error.level.rawValue >= XML_ERR_ERROR.rawValue, diagnostics.count < Self.maximumDiagnostics else {
      return
    }
    var message = error.message.map { String(cString: $0) } ?? "XML error \(error.code)"
    // libxml2 puts details (the offending bytes) on a second line; diagnostics are one line each.
    message = message.trimmingSpaces().split(separator: "\n").joined(separator: "; ")
    let kind: TaxonomyDiagnostic.Kind = error.domain == Int32(XML_FROM_SCHEMASV.rawValue) ? .schema : .syntax
    diagnostics.append(
      .init(kind, message, at: .init(file: file, line: error.line > 0 ? Int(error.line) : nil)))
  }

  /// Records a refusal at the parser's current line and stops the parser.
  func refuse(_ message: String, context: xmlParserCtxtPtr) {
    let line = context.pointee.input.map { Int($0.pointee.line) }
    if diagnostics.count < Self.maximumDiagnostics {
      diagnostics.append(.init(.syntax, message, at: .init(file: file, line: line)))
    }
    xmlStopParser(context)
  }
}

/// One-time, process-wide libxml2 setup.
enum SafeXMLSetup {
  /// Initializes libxml2 and installs the refusing external-entity loader, once.
  static func ensure() { _ = installed }

  private static let installed: Bool = {
    xmlInitParser()
    xmlSetExternalEntityLoader { _, _, _ in nil }
    return true
  }()
}

// MARK: - Walking the tree

extension SafeXMLDocument {
  /// The 1-based line where an element's start tag ends, as the parser recorded it.
  static func line(of node: xmlNodePtr) -> Int? {
    var current: xmlNodePtr? = node
    while let candidate = current {
      if candidate.pointee.type == XML_ELEMENT_NODE, let raw = candidate.pointee._private {
        return Int(bitPattern: raw)
      }
      current = candidate.pointee.parent
    }
    let fallback = Int(xmlGetLineNo(node))
    return fallback > 0 ? fallback : nil
  }

  /// The location of an element in diagnostics.
  func location(of node: xmlNodePtr) -> SourceLocation {
    SourceLocation(file: file, line: Self.line(of: node))
  }

  /// The element children of a node, in document order.
  static func elements(of node: xmlNodePtr) -> ElementSequence {
    ElementSequence(first: node.pointee.children)
  }

  /// Whether the element has this local name in this namespace.
  static func isElement(_ node: xmlNodePtr, _ name: StaticString, namespace: StaticString) -> Bool {
    guard let ns = node.pointee.ns, let href = ns.pointee.href else { return false }
    return xmlStrEqual(node.pointee.name, name.utf8Start) != 0 && xmlStrEqual(href, namespace.utf8Start) != 0
  }

  /// The element's namespace URI, or `nil` when it has none.
  static func namespaceURI(_ node: xmlNodePtr) -> String? {
    node.pointee.ns?.pointee.href.map { String(cString: $0) }
  }

  /// The element's local name.
  static func localName(_ node: xmlNodePtr) -> String {
    node.pointee.name.map { String(cString: $0) } ?? ""
  }

  /// The element's name as written, with its prefix.
  static func qualifiedName(_ node: xmlNodePtr) -> String {
    if let prefix = node.pointee.ns?.pointee.prefix { return String(cString: prefix) + ":" + localName(node) }
    return localName(node)
  }

  /// The value of an attribute with this local name and namespace (`nil` for no namespace).
  static func attribute(_ node: xmlNodePtr, _ name: StaticString, namespace: StaticString? = nil) -> String? {
    var attribute = node.pointee.properties
    while let current = attribute {
      defer { attribute = current.pointee.next }
      guard xmlStrEqual(current.pointee.name, name.utf8Start) != 0 else { continue }
      let href = current.pointee.ns?.pointee.href
      switch (namespace, href) {
      case (nil, nil): return attributeValue(current)
      case (let expected?, let actual?) where xmlStrEqual(actual, expected.utf8Start) != 0:
        return attributeValue(current)
      default: continue
      }
    }
    return nil
  }

  /// The text of an attribute node (its children are text nodes).
  static func attributeValue(_ attribute: xmlAttrPtr) -> String {
    var child = attribute.pointee.children
    if let only = child, only.pointee.next == nil, let content = only.pointee.content {
      return String(cString: content)
    }
    var text = ""
    while let current = child {
      if let content = current.pointee.content { text += String(cString: content) }
      child = current.pointee.next
    }
    return text
  }

  /// The concatenated text and CDATA children of an element; `nil` when it has element children.
  static func text(of node: xmlNodePtr) -> String? {
    var child = node.pointee.children
    if let only = child, only.pointee.next == nil, only.pointee.type == XML_TEXT_NODE,
      let content = only.pointee.content
    {
      return String(cString: content)
    }
    var text = ""
    while let current = child {
      defer { child = current.pointee.next }
      switch current.pointee.type {
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if let content = current.pointee.content { text += String(cString: content) }
      case XML_COMMENT_NODE, XML_PI_NODE: continue
      default: return nil
      }
    }
    return text
  }

  /// Whether a text node holds only XML white space.
  static func isBlank(_ node: xmlNodePtr) -> Bool {
    guard var p = node.pointee.content else { return true }
    while p.pointee != 0 {
      switch p.pointee {
      case 0x20, 0x09, 0x0A, 0x0D: p += 1
      default: return false
      }
    }
    return true
  }
}

/// The element children of a node.
struct ElementSequence: Sequence, IteratorProtocol {
  var cursor: xmlNodePtr?

  init(first: xmlNodePtr?) { cursor = first }

  mutating func next() -> xmlNodePtr? {
    while let node = cursor {
      cursor = node.pointee.next
      if node.pointee.type == XML_ELEMENT_NODE { return node }
    }
    return nil
  }
}
