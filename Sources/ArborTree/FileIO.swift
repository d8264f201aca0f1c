import Foundation

/// File reading and atomic writing shared by every Arbor module and the CLI.
public enum ArborFile {
  /// Reads a whole file, or throws a diagnostic naming the path and the reason.
  public static func readBytes(_ path: String) throws(TaxonomyError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw TaxonomyError(.io, "no such file", at: SourceLocation(file: path))
    }
    if isDirectory.boolValue {
      throw TaxonomyError(.io, "is a directory, expected a file", at: SourceLocation(file: path))
    }
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
      return [UInt8](data)
    } catch {
      throw TaxonomyError(.io, "cannot read: \(error.localizedDescription)", at: SourceLocation(file: path))
    }
  }

  /// Writes bytes to `path` through a temporary file in the same directory and a rename,
  /// so readers never see a partial file and a failure leaves nothing behind.
  public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String) throws(TaxonomyError) {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temporary =
      directory + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let data = Data(bytes)
    do {
      try data.write(to: URL(fileURLWithPath: temporary), options: [])
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw TaxonomyError(.io, "cannot write: \(error.localizedDescription)", at: SourceLocation(file: path))
    }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw TaxonomyError(
        .io, "cannot move the finished file into place: \(reason)", at: SourceLocation(file: path))
    }
  }

  /// Writes a string as UTF-8, atomically.
  public static func writeAtomically(_ text: String, to path: String) throws(TaxonomyError) {
    try writeAtomically(Array(text.utf8), to: path)
  }
}
