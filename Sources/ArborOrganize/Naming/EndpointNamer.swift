import ArborText
import ArborTree
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// What a namer knows about one node of a topic tree.
public struct NamingRequest: Sendable, Hashable {
  /// The node's distinguishing keyphrases, best first.
  public var keyphrases: [String]
  /// Titles (or text openings) of documents near the node's centroid.
  public var sampleTitles: [String]
  /// The parent's label, when it has one already.
  public var parentLabel: String?
  /// Labels of the node's siblings, when known.
  public var siblingLabels: [String]

  /// Creates a request.
  public init(
    keyphrases: [String], sampleTitles: [String], parentLabel: String? = nil, siblingLabels: [String] = []
  ) {
    self.keyphrases = keyphrases
    self.sampleTitles = sampleTitles
    self.parentLabel = parentLabel
    self.siblingLabels = siblingLabels
  }
}

/// Why an endpoint gave no label.
public struct EndpointNamerError: Error, Sendable, CustomStringConvertible {
  /// A sentence naming the endpoint and what went wrong.
  public var message: String

  /// Creates an error.
  public init(_ message: String) {
    self.message = message
  }

  /// The message.
  public var description: String { message }
}

/// Names topic-tree nodes with a language model behind an OpenAI-compatible chat-completions endpoint.
///
/// Each request is a POST of `{model, messages, temperature: 0, max_tokens}` to `{url}/chat/completions`;
/// the label is `choices[0].message.content`, cleaned (first line, quotes, markdown and trailing punctuation
/// removed, at most ``maximumLabelLength`` characters). Timeouts, connection failures, HTTP 408, 429 and
/// 5xx are retried ``retries`` times, waiting ``retryDelay`` seconds and doubling; other failures give nil
/// so callers fall back to keyphrases. With a ``cacheDirectory``, each distinct request (endpoint, model and
/// prompt) is answered once: the label is stored in a file named by a 128-bit hash of the request, written
/// atomically, and reused without contacting the endpoint. See docs/organize-input.md for the prompt.
public struct EndpointNamer: Sendable {
  /// The endpoint's base URL (`http://host:port/v1`).
  public var url: String
  /// The model name sent with each request.
  public var model: String
  /// Where answers are cached (one per distinct request), or nil for no cache.
  public var cacheDirectory: String?
  /// Seconds before a request is abandoned.
  public var timeout: Double
  /// Attempts after the first failure.
  public var retries: Int
  /// Seconds to wait before the first retry; each further retry waits twice as long.
  public var retryDelay: Double = 1
  /// A bearer token sent as `Authorization: Bearer ...`, for endpoints that need one (not part of the cache key).
  public var apiKey: String?
  /// The longest label kept, in characters (longer answers are cut at a word boundary).
  public var maximumLabelLength = 60
  /// How many sample titles the prompt shows.
  public var maximumSampleTitles = 8

  /// Creates a namer.
  public init(
    url: String, model: String, cacheDirectory: String? = nil, timeout: Double = 30, retries: Int = 2
  ) {
    self.url = url
    self.model = model
    self.cacheDirectory = cacheDirectory
    self.timeout = timeout
    self.retries = retries
  }

  /// A short label for the node, or nil when the endpoint fails (callers fall back to keyphrases).
  public func name(_ request: NamingRequest) -> String? {
    try? label(for: request).get()
  }

  /// A short label for the node, or why there is none (for callers that report failures).
  public func label(for request: NamingRequest) -> Result<String, EndpointNamerError> {
    let body = requestBody(request)
    let key = cacheKey(body)
    if let cached = cachedLabel(key: key, body: body) { return .success(cached) }
    guard let endpoint = endpointURL else {
      return .failure(
        EndpointNamerError(
          "namer URL '\(url)' is not an http:// or https:// URL (expected http://host:port/v1)"))
    }
    var delay = retryDelay
    var failure = EndpointNamerError("\(endpoint): no attempt made")
    for attempt in 0...max(0, retries) {
      if attempt > 0 {
        Thread.sleep(forTimeInterval: delay)
        delay *= 2
      }
      switch post(body, to: endpoint) {
      case .success(let (status, data)):
        if status == 200 {
          guard let label = Self.label(fromResponse: data, maximumLength: maximumLabelLength) else {
            return .failure(
              EndpointNamerError("\(endpoint): the answer has no usable choices[0].message.content"))
          }
          storeCachedLabel(label, key: key, body: body)
          return .success(label)
        }
        failure = EndpointNamerError("\(endpoint): HTTP \(status)")
        if !(status == 408 || status == 429 || status >= 500) { return .failure(failure) }
      case .failure(let error):
        failure = error
      }
    }
    return .failure(failure)
  }

  // MARK: Request

  /// `{url}/chat/completions` (or `url` itself when it already ends so), when `url` is http(s).
  var endpointURL: URL? {
    var base = url
    while base.hasSuffix("/") { base.removeLast() }
    guard base.hasPrefix("http://") || base.hasPrefix("https://") else { return nil }
    if !base.hasSuffix("/chat/completions") { base += "/chat/completions" }
    return URL(string: base)
  }

  /// The system message: what a label is for and how to answer.
  static let systemPrompt =
    "You name the topics of a hierarchy that people browse by topic names alone. Answer with the name "
    + "only: two to five words, in the documents' language, no quotes, no final punctuation, no explanation."

  /// The user message for one node.
  func userPrompt(_ request: NamingRequest) -> String {
    var lines = ["Name the topic described below so that a reader can tell it apart from its sibling topics."]
    if let parent = request.parentLabel, !parent.isEmpty { lines.append("Parent topic: \(parent)") }
    if !request.siblingLabels.isEmpty {
      lines.append("Sibling topics: " + request.siblingLabels.joined(separator: "; "))
    }
    if !request.keyphrases.isEmpty {
      lines.append("Keyphrases that distinguish it: " + request.keyphrases.joined(separator: "; "))
    }
    let titles = request.sampleTitles.prefix(maximumSampleTitles)
    if !titles.isEmpty {
      lines.append("Typical documents:")
      for title in titles {
        lines.append("- " + String(CollectionFields.collapsingWhitespace(title).prefix(200)))
      }
    }
    lines.append("Topic name:")
    return lines.joined(separator: "\n")
  }

  /// The JSON request body (fixed key order, so equal requests give equal bytes).
  func requestBody(_ request: NamingRequest) -> String {
    "{\"model\":" + JSONWriter.quoted(model) + ",\"temperature\":0,\"max_tokens\":32,\"messages\":["
      + "{\"role\":\"system\",\"content\":" + JSONWriter.quoted(Self.systemPrompt) + "},"
      + "{\"role\":\"user\",\"content\":" + JSONWriter.quoted(userPrompt(request)) + "}]}"
  }

  /// Sends `body` and waits for the status and bytes of the answer, at most `timeout` seconds.
  private func post(_ body: String, to endpoint: URL) -> Result<(Int, Data), EndpointNamerError> {
    var request = URLRequest(url: endpoint, timeoutInterval: timeout)
    request.httpMethod = "POST"
    request.httpBody = Data(body.utf8)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue("application/json", forHTTPHeaderField: "Accept")
    if let apiKey, !apiKey.isEmpty {
      request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
    }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = timeout
    let session = URLSession(configuration: configuration)
    defer { session.invalidateAndCancel() }
    let outcome = Outcome()
    let task = session.dataTask(with: request) { data, response, error in
      outcome.finish(data: data, response: response, error: error)
    }
    task.resume()
    guard outcome.wait(seconds: timeout + 0.5) else {
      task.cancel()
      return .failure(EndpointNamerError("\(endpoint): no answer within \(timeout) seconds"))
    }
    return outcome.result(endpoint: endpoint, timeout: timeout)
  }

  /// The answer of one request, handed from URLSession's thread to the waiting caller.
  private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var data: Data?
    private var status: Int?
    private var error: Error?

    func finish(data: Data?, response: URLResponse?, error: Error?) {
      lock.lock()
      self.data = data
      self.status = (response as? HTTPURLResponse)?.statusCode
      self.error = error
      lock.unlock()
      done.signal()
    }

    /// Waits for the answer; false when `seconds` pass first.
    func wait(seconds: Double) -> Bool {
      done.wait(timeout: .now() + seconds) == .success
    }

    func result(endpoint: URL, timeout: Double) -> Result<(Int, Data), EndpointNamerError> {
      lock.lock()
      defer { lock.unlock() }
      if let error {
        let timedOut = (error as? URLError)?.code == .timedOut
        return .failure(
          EndpointNamerError(
            timedOut
              ? "\(endpoint): no answer within \(timeout) seconds"
              : "\(endpoint): \(error.localizedDescription)"))
      }
      guard let status else { return .failure(EndpointNamerError("\(endpoint): no HTTP response")) }
      return .success((status, data ?? Data()))
    }
  }

  // MARK: Answer

  /// The cleaned label in a chat-completions answer, or nil when the answer has none.
  static func label(fromResponse data: Data, maximumLength: Int) -> String? {
    let value: JSONValue
    do throws(JSONSyntaxError) {
      value = try JSONParser.parse([UInt8](data))
    } catch {
      return nil
    }
    guard let content = value["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
      return nil
    }
    return cleanLabel(content, maximumLength: maximumLength)
  }

  /// A model's answer made into a label: reasoning (`<think>...</think>`) dropped, the first non-empty line,
  /// a `Label:`-style prefix, markdown emphasis, quotes and trailing punctuation removed, whitespace collapsed,
  /// at most `maximumLength` characters (cut at a word boundary); nil when nothing is left.
  static func cleanLabel(_ answer: String, maximumLength: Int) -> String? {
    var text = answer
    if let close = text.range(of: "</think>") { text = String(text[close.upperBound...]) }
    guard
      let line = text.split(whereSeparator: \.isNewline).map({ CollectionFields.collapsingWhitespace($0) })
        .first(where: { !$0.isEmpty })
    else { return nil }
    var label = line
    for prefix in ["topic name:", "label:", "name:", "topic:"] where label.lowercased().hasPrefix(prefix) {
      label = String(label.dropFirst(prefix.count))
      break
    }
    if label.hasPrefix("- ") { label.removeFirst(2) }
    let quotes: Set<Character> = ["\"", "'", "`", "*", "_", "#", "“", "”", "‘", "’", "«", "»", " "]
    let trailing = quotes.union([".", ",", ";", ":", "!"])
    while let first = label.first, quotes.contains(first) { label.removeFirst() }
    while let last = label.last, trailing.contains(last) { label.removeLast() }
    label = CollectionFields.collapsingWhitespace(label)
    if label.count > maximumLength {
      let cut = label.prefix(maximumLength)
      let wordEnds = label.dropFirst(maximumLength).first == " "
      if !wordEnds, let space = cut.lastIndex(of: " "), space > cut.startIndex {
        label = String(cut[..<space])
      } else {
        label = String(cut)
      }
      while let last = label.last, trailing.contains(last) { label.removeLast() }
    }
    return label.isEmpty ? nil : label
  }

  // MARK: Cache

  /// A 128-bit hash (two FNV-1a 64 with different seeds) of the endpoint and body, as 32 hex digits.
  func cacheKey(_ body: String) -> String {
    let material = Array((url + "\n" + body).utf8)
    var first = StableHash()
    first.combine(material)
    var second = StableHash(seed: 0x9E37_79B9_7F4A_7C15)
    second.combine(material)
    func hex(_ value: UInt64) -> String {
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: 16 - digits.count) + digits
    }
    return hex(first.value) + hex(second.value)
  }

  /// The cached label for `key`, when the file holds the same request.
  private func cachedLabel(key: String, body: String) -> String? {
    guard let cacheDirectory else { return nil }
    let path = cacheDirectory + "/" + key + ".json"
    guard FileManager.default.fileExists(atPath: path), let bytes = try? ArborFile.readBytes(path) else {
      return nil
    }
    let value: JSONValue
    do throws(JSONSyntaxError) {
      value = try JSONParser.parse(bytes)
    } catch {
      return nil
    }
    guard value["url"]?.stringValue == url, value["request"]?.stringValue == body else { return nil }
    return value["label"]?.stringValue
  }

  /// Stores a label for `key` (failures to write only cost a later request).
  private func storeCachedLabel(_ label: String, key: String, body: String) {
    guard let cacheDirectory else { return }
    try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
    let text =
      "{\"url\":" + JSONWriter.quoted(url) + ",\"request\":" + JSONWriter.quoted(body) + ",\"label\":"
      + JSONWriter.quoted(label) + "}\n"
    try? ArborFile.writeAtomically(text, to: cacheDirectory + "/" + key + ".json")
  }
}
