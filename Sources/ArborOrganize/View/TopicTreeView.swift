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
///
/// The tree and documents travel as JSON inside `<script type="application/json">` (with `<`, `>` and `&`
/// written as `\u003c`, `\u003e`, `\u0026`, so no title can close the script); the page's own script builds
/// the DOM with `textContent` only. Node children and document lists are built when a node is first
/// opened, documents a page at a time, so the page stays quick with tens of thousands of documents. A search
/// (also from the URL: `#q=words` or `?q=words`) keeps the branches with matching titles, opens them and
/// marks the matches.
public enum TopicTreeView {
  /// The page for `tree` (nodes may carry the attributes `size` and `keyphrases`) and its documents.
  ///
  /// A node's size is its `size` attribute, else the number of documents under it; `keyphrases` are
  /// separated by `; `. Each document sits under the deepest node of its path that the tree knows; documents
  /// whose path names no node are listed apart as unplaced.
  public static func html(tree: Taxonomy, documents: [ViewDocument], title: String) -> String {
    var page = ""
    page.reserveCapacity(4096 + documents.count * 64)
    page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    page += "<title>" + escapeHTML(title) + "</title>\n<style>\n" + Self.styleSheet + "</style>\n</head>\n"
    page += "<body>\n<header>\n<h1>" + escapeHTML(title) + "</h1>\n"
    page += "<div class=\"controls\"><input id=\"search\" type=\"search\" placeholder=\"Search titles\" "
    page += "aria-label=\"Search titles\" autocomplete=\"off\">\n"
    page += "<button id=\"expand-all\" type=\"button\">Expand all</button>"
    page += "<button id=\"collapse-all\" type=\"button\">Collapse all</button></div>\n"
    page += "<p id=\"status\" role=\"status\"></p>\n</header>\n<main id=\"tree\"></main>\n"
    page += "<noscript><p>This page needs JavaScript to show the tree.</p></noscript>\n"
    page += "<script type=\"application/json\" id=\"arbor-data\">"
    page += dataJSON(tree: tree, documents: documents, title: title)
    page += "</script>\n<script>\n" + Self.script + "</script>\n</body>\n</html>\n"
    return page
  }

  /// The page's data: nodes (label, size, keyphrases, children, documents), top nodes, documents.
  static func dataJSON(tree: Taxonomy, documents: [ViewDocument], title: String) -> String {
    var documentsOfNode = [[Int]](repeating: [], count: tree.count)
    var unplaced: [Int] = []
    for (index, document) in documents.enumerated() {
      if let node = document.path.reversed().lazy.compactMap({ tree.index(of: $0) }).first {
        documentsOfNode[node].append(index)
      } else {
        unplaced.append(index)
      }
    }
    var json = "{\"title\":" + scriptSafeString(title) + ",\"nodes\":["
    json.reserveCapacity(documents.count * 64 + tree.count * 128)
    for node in tree.indices {
      if node > 0 { json += "," }
      let attributes = tree.attributes(node)
      json +=
        "{\"id\":" + scriptSafeString(tree.id(node)) + ",\"label\":" + scriptSafeString(tree.label(node))
      if let size = attributes["size"] { json += ",\"size\":" + scriptSafeString(size) }
      let keyphrases = (attributes["keyphrases"] ?? "").split(separator: ";").map {
        CollectionFields.trimmed(String($0))
      }.filter { !$0.isEmpty }
      json += ",\"keys\":[" + keyphrases.map(scriptSafeString).joined(separator: ",") + "]"
      json += ",\"children\":[" + tree.children(of: node).map(String.init).joined(separator: ",") + "]"
      json += ",\"docs\":[" + documentsOfNode[node].map(String.init).joined(separator: ",") + "]}"
    }
    let top = tree.hasSyntheticRoot ? Array(tree.children(of: tree.root)) : [tree.root]
    json += "],\"top\":[" + top.map(String.init).joined(separator: ",") + "]"
    json += ",\"topicCount\":" + String(tree.count - (tree.hasSyntheticRoot ? 1 : 0))
    json += ",\"unplaced\":[" + unplaced.map(String.init).joined(separator: ",") + "],\"docs\":["
    for (index, document) in documents.enumerated() {
      if index > 0 { json += "," }
      json += "[" + scriptSafeString(document.id) + "," + scriptSafeString(document.title) + "]"
    }
    json += "]}"
    return json
  }

  /// A JSON string literal that is also safe inside an HTML `<script>` element: `<`, `>`, `&` and the
  /// JavaScript line separators U+2028 and U+2029 are written as `\u` escapes.
  static func scriptSafeString(_ text: String) -> String {
    let quoted = JSONWriter.quoted(text)
    guard quoted.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0xE2 }) else {
      return quoted
    }
    var out = String.UnicodeScalarView()
    for scalar in quoted.unicodeScalars {
      switch scalar {
      case "<": out.append(contentsOf: "\\u003c".unicodeScalars)
      case ">": out.append(contentsOf: "\\u003e".unicodeScalars)
      case "&": out.append(contentsOf: "\\u0026".unicodeScalars)
      case "\u{2028}": out.append(contentsOf: "\\u2028".unicodeScalars)
      case "\u{2029}": out.append(contentsOf: "\\u2029".unicodeScalars)
      default: out.append(scalar)
      }
    }
    return String(out)
  }

  /// Text escaped for HTML element content and attribute values.
  static func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}
