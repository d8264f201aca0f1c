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

/// Names topic-tree nodes with a language model behind an OpenAI-compatible chat-completions endpoint.
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
    // Placeholder until the namer lands (issue 9, organize-io).
    nil
  }
}
