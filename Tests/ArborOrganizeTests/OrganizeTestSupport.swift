import ArborOrganize
import ArborTree
import Foundation
import Testing

/// Files and helpers shared by the ArborOrganize tests.
enum OrganizeTestSupport {
  /// A fresh empty directory under the system's temporary directory.
  static func temporaryDirectory(_ purpose: String) -> String {
    let path = NSTemporaryDirectory() + "arbor-organize-\(purpose)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Writes `bytes` to a new file named `name` and returns its path.
  static func write(_ bytes: [UInt8], named name: String) -> String {
    let path = temporaryDirectory("input") + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }

  /// Writes `text` as UTF-8 to a new file named `name` and returns its path.
  static func write(_ text: String, named name: String) -> String {
    write(Array(text.utf8), named: name)
  }

  /// The error thrown by reading `path`, or nil when it reads.
  static func readingError(_ path: String, strict: Bool = false) -> TaxonomyError? {
    do {
      _ = try CollectionReader.read(path, strict: strict)
      return nil
    } catch {
      return error
    }
  }

  /// The path of a file in Tests/ArborOrganizeTests/Fixtures (found beside this source file).
  static func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
      .appendingPathComponent(name).path
  }

  /// biblatex's `biblatex-examples.bib`: `$ARBOR_BIBLATEX_EXAMPLES`, else the Debian
  /// texlive-bibtex-extra path.
  static let biblatexExamples: String? = {
    let candidates = [
      ProcessInfo.processInfo.environment["ARBOR_BIBLATEX_EXAMPLES"],
      "/usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib",
    ]
    return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
  }()

  /// Why the biblatex test is skipped.
  static let biblatexSkipMessage = Comment(
    rawValue: "SKIPPED: biblatex-examples.bib not found (install Debian texlive-bibtex-extra "
      + "or set ARBOR_BIBLATEX_EXAMPLES)")
}
