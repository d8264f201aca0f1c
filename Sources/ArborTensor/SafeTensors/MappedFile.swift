#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when the last owner goes away.
///
/// The mapping is never written to, so sharing it between threads is safe. If another process
/// truncates the file while it is mapped, reading the lost pages raises SIGBUS; safetensors files
/// are expected to be immutable once written.
final class MappedFile: @unchecked Sendable {
  /// The first byte of the mapping, or nil for an empty file.
  let base: UnsafeRawPointer?
  /// The size of the file in bytes.
  let count: Int

  /// Maps the file at `path`, or throws an error naming the path and the system's reason.
  init(path: String) throws(SafeTensorsError) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw SafeTensorsError(path: path, message: "cannot open: \(Self.systemReason())")
    }
    defer { close(descriptor) }
    var information = stat()
    guard fstat(descriptor, &information) == 0 else {
      throw SafeTensorsError(path: path, message: "cannot inspect: \(Self.systemReason())")
    }
    guard (information.st_mode & S_IFMT) == S_IFREG else {
      throw SafeTensorsError(path: path, message: "not a regular file")
    }
    let size = Int(information.st_size)
    count = size
    if size == 0 {
      base = nil
      return
    }
    let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
    guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
      throw SafeTensorsError(path: path, message: "cannot map into memory: \(Self.systemReason())")
    }
    base = UnsafeRawPointer(address)
  }

  deinit {
    if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
  }

  /// The mapped bytes.
  var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count)
  }

  private static func systemReason() -> String {
    String(cString: strerror(errno))
  }
}
