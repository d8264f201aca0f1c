/// SKOS concept schemes in RDF/XML, read through libxml2.
///
/// Every `skos:Concept` becomes a node whose id is its IRI (`rdf:about` as written, or resolved
/// against `xml:base` when one is set). Labels and definitions take the preferred language,
/// then a matching language range, then untagged text, then the first language found.
/// `skos:broader` and `skos:narrower` give edges in either direction, deduplicated. When several
/// concepts have no broader concept, or a top concept (`skos:hasTopConcept`,
/// `skos:topConceptOf`) has one, a synthetic root goes above them: the concept scheme's IRI and
/// label when the file has exactly one scheme, `arbor:root` otherwise. Concept schemes are not
/// nodes. See `docs/formats.md`.
enum SKOSFormat {
  static func read(_ bytes: [UInt8], file: String?, language: String) throws(TaxonomyError) -> Taxonomy {
    let document = try SafeXMLDocument.parse(bytes, file: file, allowDoctype: true)
    var descriptions = SKOSDescriptions(document: document)
    try descriptions.collect()
    var problems = descriptions.problems
    let subjects = descriptions.subjects
    func location(_ line: Int?) -> SourceLocation { SourceLocation(file: file, line: line) }

    // Concepts: typed skos:Concept, or using the hierarchy or top-concept properties, or named by
    // them, unless typed as a scheme or collection.
    var named = Set<String>()
    for edge in descriptions.edges {
      named.insert(edge.parent)
      named.insert(edge.child)
    }
    for link in descriptions.topLinks { named.insert(link.concept) }
    let concepts = subjects.filter { subject in
      subject.isConcept
        || (!subject.isScheme && !subject.isCollection
          && (subject.hasRelations || named.contains(subject.id)))
    }
    let conceptIDs = Set(concepts.map(\.id))
    let schemes = subjects.filter(\.isScheme)
    guard !concepts.isEmpty else {
      throw TaxonomyError(
        .schema,
        "no skos:Concept found (expected skos:Concept elements or rdf:Description with rdf:type "
          + "skos:Concept)", at: location(nil))
    }
    func check(_ target: String, named property: String, line: Int?, role: String) -> Bool {
      if conceptIDs.contains(target) { return true }
      let what: String
      if let index = descriptions.subjectIndex[target] {
        what = subjects[index].isScheme ? "a skos:ConceptScheme" : "described here but not as a concept"
      } else {
        what = "not described in this file"
      }
      problems.append(
        .init(.unknownID, "\(property) names <\(target)> as a \(role), which is \(what)", at: location(line)))
      return false
    }

    var builder = TaxonomyBuilder()
    for concept in concepts {
      builder.addNode(
        TaxonomyNode(
          id: concept.id,
          label: (Self.chosen(concept.prefLabels, language: language).first
            ?? Self.chosen(concept.rdfsLabels, language: language).first)?.text,
          alternativeLabels: Self.chosen(concept.altLabels, language: language).map(\.text),
          definition: Self.chosen(concept.definitions, language: language).first?.text),
        at: location(concept.line))
    }
    var hasParent = Set<String>()
    for edge in descriptions.edges {
      let parentOK = check(edge.parent, named: edge.property, line: edge.line, role: "broader concept")
      let childOK = check(edge.child, named: edge.property, line: edge.line, role: "narrower concept")
      guard parentOK && childOK else { continue }
      builder.addEdge(parent: edge.parent, child: edge.child, at: location(edge.line))
      if edge.parent != edge.child { hasParent.insert(edge.child) }
    }
    var topsWithParents: [String] = []
    var seenTops = Set<String>()
    for link in descriptions.topLinks {
      guard check(link.concept, named: link.property, line: link.line, role: "top concept") else { continue }
      if seenTops.insert(link.concept).inserted && hasParent.contains(link.concept) {
        topsWithParents.append(link.concept)
      }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }

    let parentless = concepts.map(\.id).filter { !hasParent.contains($0) }
    if parentless.count > 1 || !topsWithParents.isEmpty {
      var rootID = Taxonomy.syntheticRootID
      var rootLabel = "root"
      if schemes.count == 1, !conceptIDs.contains(schemes[0].id) {
        rootID = schemes[0].id
        rootLabel =
          (Self.chosen(schemes[0].prefLabels, language: language).first
          ?? Self.chosen(schemes[0].rdfsLabels, language: language).first)?.text ?? rootLabel
      }
      builder.addNode(TaxonomyNode(id: rootID, label: rootLabel), at: location(schemes.first?.line))
      for top in parentless + topsWithParents { builder.addEdge(parent: rootID, child: top) }
      builder.declaredSyntheticRootID = rootID
    }
    return try builder.build(file: file)
  }

  /// The literals in the preferred language: an exact tag match (ignoring case), else the first tag in
  /// that language range (`en` matches `en-GB`, RFC 4647 § 3.3.1), else those without a tag, else those
  /// of the first tag found.
  static func chosen(_ literals: [SKOSDescriptions.Literal], language: String) -> [SKOSDescriptions.Literal] {
    guard !literals.isEmpty else { return [] }
    let wanted = language.lowercased()
    func tag(_ literal: SKOSDescriptions.Literal) -> String? { literal.language?.lowercased() }
    if !wanted.isEmpty, literals.contains(where: { tag($0) == wanted }) {
      return literals.filter { tag($0) == wanted }
    }
    if !wanted.isEmpty, let ranged = literals.first(where: { tag($0)?.hasPrefix(wanted + "-") ?? false }) {
      return literals.filter { tag($0) == tag(ranged) }
    }
    if literals.contains(where: { $0.language == nil }) {
      return literals.filter { $0.language == nil }
    }
    let first = tag(literals[0])
    return literals.filter { tag($0) == first }
  }

  static func write(_ taxonomy: Taxonomy) -> String {
    let synthetic = taxonomy.hasSyntheticRoot
    let root = taxonomy.root
    var scheme = taxonomy.id(root)
    if !synthetic {
      scheme = "arbor:scheme"
      var suffix = 0
      while taxonomy.index(of: scheme) != nil {
        suffix += 1
        scheme = "arbor:scheme-\(suffix)"
      }
    }
    let tops = synthetic ? Array(taxonomy.children(of: root)) : [root]
    func text(_ s: String) -> String { Self.xmlSafe(s) }

    var out: [UInt8] = []
    out.reserveCapacity(64 * taxonomy.count + 4096)
    func markup(_ s: StaticString) { XMLTextEscaping.appendMarkup(s, to: &out) }
    func attribute(_ s: String) { XMLTextEscaping.appendAttribute(text(s), to: &out) }
    func content(_ s: String) { XMLTextEscaping.appendText(text(s), to: &out) }

    markup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    markup("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n")
    markup("         xmlns:skos=\"http://www.w3.org/2004/02/skos/core#\">\n")
    markup("  <skos:ConceptScheme rdf:about=\"")
    attribute(scheme)
    markup("\">\n    <skos:prefLabel xml:lang=\"en\">")
    content(taxonomy.label(root))
    markup("</skos:prefLabel>\n")
    for top in tops {
      markup("    <skos:hasTopConcept rdf:resource=\"")
      attribute(taxonomy.id(top))
      markup("\"/>\n")
    }
    markup("  </skos:ConceptScheme>\n")
    let isTop = Set(tops)
    for node in taxonomy.indices where !(synthetic && node == root) {
      markup("  <skos:Concept rdf:about=\"")
      attribute(taxonomy.id(node))
      markup("\">\n    <skos:prefLabel xml:lang=\"en\">")
      content(taxonomy.label(node))
      markup("</skos:prefLabel>\n")
      for alternative in taxonomy.alternativeLabels(node) {
        markup("    <skos:altLabel xml:lang=\"en\">")
        content(alternative)
        markup("</skos:altLabel>\n")
      }
      if let definition = taxonomy.definition(node) {
        markup("    <skos:definition xml:lang=\"en\">")
        content(definition)
        markup("</skos:definition>\n")
      }
      for parent in taxonomy.parents(of: node) where !(synthetic && parent == root) {
        markup("    <skos:broader rdf:resource=\"")
        attribute(taxonomy.id(parent))
        markup("\"/>\n")
      }
      markup(
        isTop.contains(node) ? "    <skos:topConceptOf rdf:resource=\"" : "    <skos:inScheme rdf:resource=\""
      )
      attribute(scheme)
      markup("\"/>\n  </skos:Concept>\n")
    }
    markup("</rdf:RDF>\n")
    return String(decoding: out, as: UTF8.self)
  }

  /// The string with each scalar XML 1.0 cannot carry replaced by U+FFFD; RDF/XML has no escape for them.
  private static func xmlSafe(_ string: String) -> String {
    guard XMLTextEscaping.containsNonXMLCharacter(string) else { return string }
    var out = String.UnicodeScalarView()
    for scalar in string.unicodeScalars {
      out.append(XMLTextEscaping.isXMLCharacter(scalar.value) ? scalar : "\u{FFFD}")
    }
    return String(out)
  }
}
