import ArborTree

/// A document as the HTML view lists it.
public struct ViewDocument: Sendable, Hashable {
  /// The document's id.
  public var id: String
  /// The title shown and searched.
  public var title: String
  /// Node ids from the top level down to the document's leaf.
  public var path: [String]

  /// Creates a view document.
  public init(id: String, title: String, path: [String]) {
    self.id = id
    self.title = title
    self.path = path
  }
}

/// A self-contained HTML page (no network) that shows a topic tree: collapsible nodes, sizes, labels,
/// keyphrases and a search box over titles.
public enum TopicTreeView {
  /// The page for `tree` (nodes may carry the attributes `size` and `keyphrases`) and its documents.
  public static func html(tree: Taxonomy, documents: [ViewDocument], title: String) -> String {
    // Placeholder until the view lands (issue 9, organize-io).
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\(title)</title></head><body></body></html>\n"
  }
}
