import ArborTree

/// A new term to place in a taxonomy: an id, a name and optionally other names and a definition.
public struct ExpansionTerm: Sendable, Hashable {
  /// The id the term gets as a node; must not exist in the taxonomy.
  public var id: String
  /// The preferred name.
  public var label: String
  /// Other names (synonyms).
  public var alternativeLabels: [String]
  /// A gloss or definition, if known.
  public var definition: String?

  /// Creates a term.
  public init(id: String, label: String, alternativeLabels: [String] = [], definition: String? = nil) {
    self.id = id
    self.label = label
    self.alternativeLabels = alternativeLabels
    self.definition = definition
  }

  /// The text the encoders see, built as for taxonomy nodes (`ExpansionText.compose`).
  public var text: String {
    ExpansionText.compose(label: label, alternativeLabels: alternativeLabels, definition: definition)
  }
}

/// How a node or term becomes one text for the encoders.
public enum ExpansionText {
  /// `label, alt1, alt2: definition` (the names joined by ", ", then ": " and the definition when there
  /// is one), the node text of the wn-noun-gloss and wn-noun-expand corpora.
  public static func compose(label: String, alternativeLabels: [String], definition: String?) -> String {
    var text = ([label] + alternativeLabels).joined(separator: ", ")
    if let definition, !definition.isEmpty { text += ": " + definition }
    return text
  }

  /// The text of every node of `taxonomy`, by index.
  public static func nodeTexts(of taxonomy: Taxonomy) -> [String] {
    taxonomy.indices.map {
      compose(
        label: taxonomy.label($0), alternativeLabels: taxonomy.alternativeLabels($0),
        definition: taxonomy.definition($0))
    }
  }
}
