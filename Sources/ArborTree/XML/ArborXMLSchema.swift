import CLibXML2

/// `Schemas/taxonomy.xsd`, compiled once by libxml2's XML Schema API and shared by every reader.
///
/// A compiled `xmlSchema` is read-only during validation, so one copy serves all threads; each
/// validation makes its own context with its own error handler.
package enum ArborXMLSchema {
  /// The target namespace of Arbor XML.
  package static let namespace: StaticString = "https://arbor.dev/ns/taxonomy/1"

  /// The compiled schema, or the reason it failed to compile (a bug, reported rather than crashed on).
  private static let compiled: Result<CompiledSchema, TaxonomyError> = compile()

  private final class CompiledSchema: @unchecked Sendable {
    let schema: xmlSchemaPtr
    init(_ schema: xmlSchemaPtr) { self.schema = schema }
  }

  /// Collects validation messages; reached from C through the `ctx` pointer.
  private final class Collector {
    let file: String?
    var diagnostics: [TaxonomyDiagnostic] = []
    init(file: String?) { self.file = file }
  }

  private static func compile() -> Result<CompiledSchema, TaxonomyError> {
    SafeXMLSetup.ensure()
    let collector = Collector(file: "Schemas/taxonomy.xsd")
    let parserContext = text.withCString { xmlSchemaNewMemParserCtxt($0, Int32(text.utf8.count)) }
    guard let parserContext else {
      return .failure(TaxonomyError(.io, "libxml2 could not read the embedded Arbor XML schema"))
    }
    defer { xmlSchemaFreeParserCtxt(parserContext) }
    let unmanaged = Unmanaged.passRetained(collector)
    defer { unmanaged.release() }
    xmlSchemaSetParserStructuredErrors(parserContext, collect, unmanaged.toOpaque())
    arbor_xml_silence_generic_errors()
    defer { arbor_xml_restore_generic_errors() }
    guard let schema = xmlSchemaParse(parserContext) else {
      var diagnostics = collector.diagnostics
      if diagnostics.isEmpty { diagnostics = [.init(.io, "the embedded Arbor XML schema does not compile")] }
      return .failure(TaxonomyError(diagnostics))
    }
    return .success(CompiledSchema(schema))
  }

  /// The structured error handler for schema parsing and validation.
  private static let collect: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
    guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue, collector.diagnostics.count < 20 else {
      return
    }
    let message = error.pointee.message.map { String(cString: $0) }?.trimmingSpaces() ?? "schema error"
    var line: Int? = error.pointee.line > 0 ? Int(error.pointee.line) : nil
    if let raw = error.pointee.node {
      let node = raw.assumingMemoryBound(to: xmlNode.self)
      line = SafeXMLDocument.line(of: node) ?? line
    }
    collector.diagnostics.append(.init(.schema, message, at: .init(file: collector.file, line: line)))
  }

  /// Validates a parsed document against the schema, or throws every violation with its line.
  static func validate(_ document: SafeXMLDocument) throws(TaxonomyError) {
    let schema: CompiledSchema
    switch compiled {
    case .success(let compiledSchema): schema = compiledSchema
    case .failure(let error): throw error
    }
    guard let validator = xmlSchemaNewValidCtxt(schema.schema) else {
      throw TaxonomyError(.io, "libxml2 could not create a schema validator", at: .init(file: document.file))
    }
    defer { xmlSchemaFreeValidCtxt(validator) }
    let collector = Collector(file: document.file)
    let unmanaged = Unmanaged.passRetained(collector)
    defer { unmanaged.release() }
    xmlSchemaSetValidStructuredErrors(validator, collect, unmanaged.toOpaque())
    arbor_xml_silence_generic_errors()
    defer { arbor_xml_restore_generic_errors() }
    let status = xmlSchemaValidateDoc(validator, document.document)
    if status == 0 { return }
    var diagnostics = collector.diagnostics.map { diagnostic in
      var diagnostic = diagnostic
      diagnostic.message = "does not match Schemas/taxonomy.xsd: " + diagnostic.message
      return diagnostic
    }
    if diagnostics.isEmpty {
      diagnostics = [
        .init(
          .schema, "does not match Schemas/taxonomy.xsd (libxml2 status \(status))",
          at: .init(file: document.file))
      ]
    }
    throw TaxonomyError(diagnostics)
  }
}
