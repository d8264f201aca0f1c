#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing files so that readers see either the old or the complete new contents.
enum AtomicFile {
  /// Writes `bytes` to a temporary file in the destination's directory, flushes it to disk and
  /// renames it over `path` (rename(2) is atomic within a file system). On failure the temporary
  /// file is removed and `path` is left untouched.
  static func write(_ bytes: [UInt8], to path: String) throws(SafeTensorsError) {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    var attempt = 0
    var temporary = ""
    var descriptor: Int32 = -1
    while descriptor < 0 {
      temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())-\(attempt)"
      descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor < 0 {
        let code = errno
        attempt += 1
        if code != EEXIST || attempt > 1000 {
          throw SafeTensorsError(path: path, message: "cannot create a temporary file: \(reason(code))")
        }
      }
    }
    var failure: Int32?
    bytes.withUnsafeBytes { buffer in
      var written = 0
      while written < buffer.count {
        let result = systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        written += result
      }
    }
    if failure == nil && fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0 && failure == nil { failure = errno }
    if failure == nil && rename(temporary, path) != 0 { failure = errno }
    if let failure {
      unlink(temporary)
      throw SafeTensorsError(path: path, message: "cannot write: \(reason(failure))")
    }
  }

  /// Reads a whole (small) file, such as a manifest.
  static func read(_ path: String, limit: Int) throws(SafeTensorsError) -> [UInt8] {
    let mapping = try MappedFile(path: path)
    guard mapping.count <= limit else {
      throw SafeTensorsError(
        path: path, message: "file is \(mapping.count) bytes, more than the \(limit) allowed")
    }
    return Array(mapping.bytes)
  }

  private static func reason(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}

/// write(2), named so that it does not clash with Swift's own `write` functions.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
  #else
    Darwin.write(descriptor, bytes, count)
  #endif
}
