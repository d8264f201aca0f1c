/// SKOS concept schemes in RDF/XML, read through libxml2.
enum SKOSFormat {
  static func read(_ bytes: [UInt8], file: String?, language: String) throws(TaxonomyError) -> Taxonomy {
    throw TaxonomyError(.io, "SKOS reading is not implemented yet", at: SourceLocation(file: file))
  }

  static func write(_ taxonomy: Taxonomy) -> String { "" }
}
