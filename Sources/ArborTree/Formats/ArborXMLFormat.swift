/// Arbor XML, specified by `Schemas/taxonomy.xsd`, read through libxml2 and validated against the schema.
enum ArborXMLFormat {
  static func read(_ bytes: [UInt8], file: String?) throws(TaxonomyError) -> Taxonomy {
    throw TaxonomyError(.io, "Arbor XML reading is not implemented yet", at: SourceLocation(file: file))
  }

  static func write(_ taxonomy: Taxonomy) -> String { "" }
}
