import ArborTree

/// One document of a collection: a paper, an abstract, a gloss.
public struct CollectionRecord: Sendable, Hashable {
  /// The document's id, unique within its collection.
  public var id: String
  /// The title (may be empty for collections without titles).
  public var title: String
  /// The body text: an abstract, a description, a gloss (may be empty when the title carries the text).
  public var text: String
  /// Author keywords, in file order.
  public var keywords: [String]
  /// The publication year, when known.
  public var year: Int?
  /// Every other field of the record, by name (for `--facet`), values as text.
  public var fields: [String: String]
  /// Where the record starts in its file.
  public var location: SourceLocation?

  /// Creates a record.
  public init(
    id: String, title: String = "", text: String = "", keywords: [String] = [], year: Int? = nil,
    fields: [String: String] = [:], location: SourceLocation? = nil
  ) {
    self.id = id
    self.title = title
    self.text = text
    self.keywords = keywords
    self.year = year
    self.fields = fields
    self.location = location
  }

  /// Title and text joined as the encoders see them.
  public var fullText: String {
    if title.isEmpty { return text }
    if text.isEmpty { return title }
    return title + ". " + text
  }
}
