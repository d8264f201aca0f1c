/// The file formats Arbor reads and writes taxonomies in.
public enum TaxonomyFormat: String, CaseIterable, Sendable {
  /// Arbor JSON (`Schemas/taxonomy.schema.json`); read and write.
  case json
  /// Arbor XML (`Schemas/taxonomy.xsd`); read and write.
  case xml
  /// SKOS in RDF/XML; read and write.
  case skos
  /// WordNet 3.0 database files (`data.noun`, `data.verb`); read only.
  case wordnet
  /// OBO 1.2 flat files; read only.
  case obo
  /// Tab-separated `parent<TAB>child` edge lists; read and write.
  case tsv
  /// TExEval's three-column `id<TAB>term<TAB>hypernym` files; read and write.
  case taxo

  /// Whether Arbor can write this format.
  public var isWritable: Bool {
    switch self {
    case .wordnet, .obo: return false
    default: return true
    }
  }

  /// Whether the first element of an XML prefix is `rdf:RDF` (or `RDF` in a default namespace).
  static func rootElementIsRDF(_ prefix: [UInt8]) -> Bool {
    let text = String(decoding: prefix.prefix(4096), as: UTF8.self)
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "<") {
      let after = rest[rest.index(after: open)...]
      if after.hasPrefix("?") || after.hasPrefix("!") {
        // Skip the declaration, comments and a doctype.
        guard let close = after.firstIndex(of: ">") else { return false }
        rest = after[after.index(after: close)...]
        continue
      }
      let name = after.prefix { !" \t\r\n/>".contains($0) }
      return name == "rdf:RDF" || name == "RDF" || name.hasSuffix(":RDF")
    }
    return false
  }

  /// The format a path's name implies, looking at the content where the extension is ambiguous.
  ///
  /// `.xml` files whose first element is `rdf:RDF` are read as SKOS.
  public static func detect(path: String, prefix: [UInt8] = []) -> TaxonomyFormat? {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let lower = name.lowercased()
    if lower == "data.noun" || lower == "data.verb" { return .wordnet }
    guard let dot = lower.lastIndex(of: ".") else { return nil }
    switch lower[lower.index(after: dot)...] {
    case "json": return .json
    case "xml":
      return rootElementIsRDF(prefix) ? .skos : .xml
    case "rdf", "skos", "owl": return .skos
    case "obo": return .obo
    case "tsv", "tab": return .tsv
    case "taxo": return .taxo
    default: return nil
    }
  }
}

/// Options for reading a taxonomy.
public struct TaxonomyReadOptions: Sendable {
  /// The preferred language of SKOS labels; labels without a language tag are the fallback.
  public var language = "en"
  /// For TSV edge lists: an optional `id<TAB>label` file.
  public var labelsPath: String?

  /// Default options.
  public init(language: String = "en", labelsPath: String? = nil) {
    self.language = language
    self.labelsPath = labelsPath
  }
}

extension Taxonomy {
  /// Reads a taxonomy from a file, in the given format or the one its name implies.
  public static func read(
    from path: String, format: TaxonomyFormat? = nil, options: TaxonomyReadOptions = .init()
  ) throws(TaxonomyError) -> Taxonomy {
    let bytes = try ArborFile.readBytes(path)
    guard let format = format ?? TaxonomyFormat.detect(path: path, prefix: Array(bytes.prefix(4096))) else {
      throw TaxonomyError(
        .io,
        "cannot tell the format from the file name; pass --format (one of: "
          + TaxonomyFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")",
        at: SourceLocation(file: path))
    }
    return try parse(bytes, format: format, file: path, options: options)
  }

  /// Parses a taxonomy from bytes in a given format; `file` names the source in diagnostics.
  public static func parse(
    _ bytes: [UInt8], format: TaxonomyFormat, file: String? = nil, options: TaxonomyReadOptions = .init()
  ) throws(TaxonomyError) -> Taxonomy {
    switch format {
    case .json: return try ArborJSONFormat.read(bytes, file: file)
    case .xml: return try ArborXMLFormat.read(bytes, file: file)
    case .skos: return try SKOSFormat.read(bytes, file: file, language: options.language)
    case .wordnet: return try WordNetFormat.read(bytes, file: file)
    case .obo: return try OBOFormat.read(bytes, file: file)
    case .tsv:
      let labels = try options.labelsPath.map { path throws(TaxonomyError) in
        (try ArborFile.readBytes(path), path)
      }
      return try EdgeListFormat.read(bytes, file: file, labels: labels)
    case .taxo: return try TExEvalFormat.read(bytes, file: file)
    }
  }

  /// The taxonomy serialized in a writable format.
  public func serialized(as format: TaxonomyFormat) throws(TaxonomyError) -> String {
    switch format {
    case .json: return ArborJSONFormat.write(self)
    case .xml: return ArborXMLFormat.write(self)
    case .skos: return SKOSFormat.write(self)
    case .tsv: return EdgeListFormat.write(self)
    case .taxo: return TExEvalFormat.write(self)
    case .wordnet, .obo:
      throw TaxonomyError(.io, "Arbor reads the \(format.rawValue) format but does not write it")
    }
  }

  /// Writes the taxonomy atomically in the given format or the one the path's name implies.
  public func write(to path: String, format: TaxonomyFormat? = nil) throws(TaxonomyError) {
    guard let format = format ?? TaxonomyFormat.detect(path: path) else {
      throw TaxonomyError(
        .io, "cannot tell the output format from the file name; pass --to", at: SourceLocation(file: path))
    }
    try ArborFile.writeAtomically(try serialized(as: format), to: path)
  }
}
