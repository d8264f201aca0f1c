import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port) that answers each connection with the next
/// scripted reply and records the requests, for testing HTTP clients without a network.
final class StubHTTPServer: @unchecked Sendable {
  /// What the server does with one request.
  enum Reply: Sendable {
    /// Answers with this status and body.
    case respond(status: Int, body: String)
    /// Reads the request, then says nothing for this many seconds and closes.
    case silence(seconds: Double)
  }

  /// One request as received.
  struct Request: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: String
  }

  /// The port the server listens on.
  let port: Int
  private let listener: Int32
  private let lock = NSLock()
  private var replies: [Reply]
  private var fallback: Reply
  private var received: [Request] = []

  /// Starts a server answering with `replies` in order, then with `fallback`.
  init(replies: [Reply], fallback: Reply = .respond(status: 500, body: "no more scripted replies")) throws {
    self.replies = replies
    self.fallback = fallback
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw StubError("socket: \(errno)") }
    var yes: Int32 = 1
    setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(socketFD, 16) == 0 else {
      close(socketFD)
      throw StubError("bind/listen: \(errno)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
    }
    port = Int(UInt16(bigEndian: address.sin_port))
    listener = socketFD
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  /// The base URL clients should use (`http://127.0.0.1:PORT/v1`).
  var baseURL: String { "http://127.0.0.1:\(port)/v1" }

  /// The requests received so far.
  var requests: [Request] {
    lock.lock()
    defer { lock.unlock() }
    return received
  }

  /// Stops accepting connections.
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func serve() {
    while true {
      let connection = accept(listener, nil, nil)
      if connection < 0 { return }
      let thread = Thread { [self] in handle(connection) }
      thread.start()
    }
  }

  private func nextReply() -> Reply {
    lock.lock()
    defer { lock.unlock() }
    return replies.isEmpty ? fallback : replies.removeFirst()
  }

  private func handle(_ connection: Int32) {
    defer { close(connection) }
    guard let request = readRequest(connection) else { return }
    lock.lock()
    received.append(request)
    lock.unlock()
    switch nextReply() {
    case .silence(let seconds):
      Thread.sleep(forTimeInterval: seconds)
    case .respond(let status, let body):
      let bytes = Array(body.utf8)
      let head =
        "HTTP/1.1 \(status) Stub\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n"
        + "Connection: close\r\n\r\n"
      send(connection, Array(head.utf8) + bytes)
    }
  }

  private func send(_ connection: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
      if sent <= 0 { return }
      offset += sent
    }
  }

  /// Reads the head and a `Content-Length` body (answering `Expect: 100-continue`).
  private func readRequest(_ connection: Int32) -> Request? {
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    func readMore() -> Bool {
      let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
      if count <= 0 { return false }
      buffer += chunk[0..<count]
      return true
    }
    let separator: [UInt8] = [13, 10, 13, 10]
    var headEnd: Int?
    while headEnd == nil {
      guard readMore() else { return nil }
      if buffer.count >= 4 {
        headEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<$0 + 4]) == separator }
      }
    }
    guard let end = headEnd else { return nil }
    let head = String(decoding: buffer[0..<end], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let requestLine = lines.removeFirst().split(separator: " ")
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
        in: .whitespaces)
    }
    if headers["expect"]?.lowercased() == "100-continue" {
      send(connection, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }
    let length = Int(headers["content-length"] ?? "0") ?? 0
    while buffer.count - (end + 4) < length {
      guard readMore() else { break }
    }
    let body = String(decoding: buffer[(end + 4)...].prefix(length), as: UTF8.self)
    return Request(
      method: requestLine.first.map(String.init) ?? "",
      path: requestLine.dropFirst().first.map(String.init) ?? "",
      headers: headers, body: body)
  }

  struct StubError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }
}
