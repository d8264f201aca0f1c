#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file or standard input line by line in fixed-size chunks, so memory stays constant.
struct LineReader {
  private let descriptor: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var finished = false
  /// Lines handed out so far.
  private(set) var lineNumber = 0

  /// Opens a file, or standard input for `-`; nil when the file cannot be opened.
  init?(path: String) {
    if path == "-" {
      descriptor = 0
    } else {
      let fd = open(path, O_RDONLY)
      guard fd >= 0 else { return nil }
      descriptor = fd
    }
  }

  /// The next line without its newline, or nil at the end.
  mutating func next() -> ArraySlice<UInt8>? {
    while true {
      if let newline = buffer[start...].firstIndex(of: 0x0A) {
        let line = buffer[start..<newline]
        start = newline + 1
        lineNumber += 1
        return line
      }
      if finished {
        guard start < buffer.count else { return nil }
        let line = buffer[start...]
        start = buffer.count
        lineNumber += 1
        return line
      }
      buffer.removeSubrange(0..<start)
      start = 0
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 1 << 16) }
      if count <= 0 {
        finished = true
      } else {
        buffer.append(contentsOf: chunk[0..<count])
      }
    }
  }

  /// Closes the file.
  func close() {
    if descriptor > 2 { _ = Glibc.close(descriptor) }
  }
}
