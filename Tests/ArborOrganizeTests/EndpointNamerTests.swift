import ArborTree
import Foundation
import Testing

@testable import ArborOrganize

/// The endpoint namer against a stub chat-completions server on loopback.
@Suite struct EndpointNamerTests {
  static let request = NamingRequest(
    keyphrases: ["quantum optics", "photon"], sampleTitles: ["Single-photon sources", "Cavity QED"],
    parentLabel: "Physics", siblingLabels: ["Condensed matter", "Particle physics"])

  /// A chat-completions answer whose first choice says `content`.
  static func answer(_ content: String) -> String {
    "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
      + "\"content\":\(JSONWriter.quoted(content))},\"finish_reason\":\"stop\"}]}"
  }

  static func namer(_ server: StubHTTPServer, cache: String? = nil, timeout: Double = 5, retries: Int = 2)
    -> EndpointNamer
  {
    var namer = EndpointNamer(
      url: server.baseURL, model: "stub-model", cacheDirectory: cache, timeout: timeout, retries: retries)
    namer.retryDelay = 0.05
    return namer
  }

  @Test func sendsAnOpenAIChatRequestAndCleansTheAnswer() throws {
    let server = try StubHTTPServer(replies: [
      .respond(status: 200, body: Self.answer("\"Quantum Optics.\"\n"))
    ])
    defer { server.stop() }
    let label = Self.namer(server).name(Self.request)
    #expect(label == "Quantum Optics")
    let received = try #require(server.requests.first)
    #expect(server.requests.count == 1)
    #expect(received.method == "POST")
    #expect(received.path == "/v1/chat/completions")
    #expect(received.headers["content-type"] == "application/json")
    let body = try JSONParser.parse(received.body)
    #expect(body["model"] == .string("stub-model"))
    #expect(body["temperature"] == .number(0))
    let messages = try #require(body["messages"]?.arrayValue)
    #expect(messages.map { $0["role"]?.stringValue } == ["system", "user"])
    let user = try #require(messages[1]["content"]?.stringValue)
    for part in [
      "Parent topic: Physics", "Sibling topics: Condensed matter; Particle physics",
      "quantum optics; photon", "- Single-photon sources", "- Cavity QED",
    ] {
      #expect(user.contains(part), "\(part)")
    }
  }

  @Test func cachedAnswersMakeNoSecondRequest() throws {
    let server = try StubHTTPServer(
      replies: [
        .respond(status: 200, body: Self.answer("Quantum optics")),
        .respond(status: 200, body: Self.answer("Lasers")),
      ])
    defer { server.stop() }
    let cache = OrganizeTestSupport.temporaryDirectory("namer-cache") + "/answers"
    let namer = Self.namer(server, cache: cache)
    #expect(namer.name(Self.request) == "Quantum optics")
    #expect(namer.name(Self.request) == "Quantum optics")
    #expect(server.requests.count == 1)
    // A fresh namer on the same directory still finds it.
    #expect(Self.namer(server, cache: cache).name(Self.request) == "Quantum optics")
    #expect(server.requests.count == 1)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".json") }.count == 1)
    var other = Self.request
    other.keyphrases = ["laser"]
    #expect(namer.name(other) == "Lasers")
    #expect(server.requests.count == 2)
  }

  @Test func namesConcurrentlyFromSeveralThreads() throws {
    let server = try StubHTTPServer(
      replies: [], fallback: .respond(status: 200, body: Self.answer("Same label")))
    defer { server.stop() }
    let namer = Self.namer(server, cache: OrganizeTestSupport.temporaryDirectory("namer-threads"))
    let labels = LockedLabels()
    DispatchQueue.concurrentPerform(iterations: 8) { index in
      var request = Self.request
      request.keyphrases = ["phrase \(index)"]
      labels.set(index, namer.name(request))
    }
    #expect(labels.values == [String?](repeating: "Same label", count: 8))
    #expect(server.requests.count == 8)
  }

  @Test func timeoutGivesNilWithinTheLimit() throws {
    let server = try StubHTTPServer(replies: [.silence(seconds: 6)])
    defer { server.stop() }
    let started = Date()
    let label = Self.namer(server, timeout: 1, retries: 0).name(Self.request)
    let elapsed = Date().timeIntervalSince(started)
    #expect(label == nil)
    #expect(elapsed < 3, "took \(elapsed) s with a 1 s timeout")
    #expect(server.requests.count == 1)
  }

  @Test func serverErrorsAreRetried() throws {
    let server = try StubHTTPServer(
      replies: [
        .respond(status: 500, body: "{\"error\":\"busy\"}"),
        .respond(status: 200, body: Self.answer("Quantum optics")),
      ])
    defer { server.stop() }
    #expect(Self.namer(server, retries: 2).name(Self.request) == "Quantum optics")
    #expect(server.requests.count == 2)
    #expect(server.requests[0].body == server.requests[1].body)
  }

  @Test func retriesRunOutAndClientErrorsAreNotRetried() throws {
    let failing = try StubHTTPServer(replies: [], fallback: .respond(status: 503, body: ""))
    defer { failing.stop() }
    let result = Self.namer(failing, retries: 2).label(for: Self.request)
    #expect(failing.requests.count == 3)
    guard case .failure(let error) = result else {
      Issue.record("expected a failure")
      return
    }
    #expect(error.message.hasSuffix("HTTP 503"))
    let refused = try StubHTTPServer(replies: [], fallback: .respond(status: 401, body: "{}"))
    defer { refused.stop() }
    #expect(Self.namer(refused, retries: 2).name(Self.request) == nil)
    #expect(refused.requests.count == 1)
  }

  @Test func malformedAnswersGiveNil() throws {
    let server = try StubHTTPServer(
      replies: [
        .respond(status: 200, body: "this is not JSON"),
        .respond(status: 200, body: "{\"choices\":[]}"),
        .respond(status: 200, body: Self.answer("  \n ")),
      ])
    defer { server.stop() }
    let cache = OrganizeTestSupport.temporaryDirectory("namer-malformed")
    let namer = Self.namer(server, cache: cache)
    #expect(namer.name(Self.request) == nil)
    #expect(namer.name(Self.request) == nil)
    #expect(namer.name(Self.request) == nil)
    #expect(server.requests.count == 3)
    #expect(try FileManager.default.contentsOfDirectory(atPath: cache).isEmpty)
  }

  @Test func unusableURLsAndClosedPortsGiveNil() throws {
    #expect(EndpointNamer(url: "ftp://example.org/v1", model: "m").name(Self.request) == nil)
    // A port that was just closed refuses connections.
    let server = try StubHTTPServer(replies: [])
    let url = server.baseURL
    server.stop()
    var namer = EndpointNamer(url: url, model: "m", timeout: 2, retries: 1)
    namer.retryDelay = 0.01
    #expect(namer.name(Self.request) == nil)
  }

  @Test func answersAreCleanedIntoShortLabels() {
    let cases: [(String, String?)] = [
      ("\"Quantum Optics.\"", "Quantum Optics"),
      ("Topic name: **Cell biology**", "Cell biology"),
      ("<think>siblings are about lasers</think>\n\nPhoton sources", "Photon sources"),
      ("- Graph theory;\nbecause the titles mention graphs", "Graph theory"),
      ("“Protein folding”!", "Protein folding"),
      ("   ", nil),
      ("\"\"", nil),
    ]
    for (answer, expected) in cases {
      #expect(EndpointNamer.cleanLabel(answer, maximumLength: 60) == expected, "\(answer)")
    }
    let long = "Computational methods for the simulation of large biomolecular systems in solution"
    #expect(EndpointNamer.cleanLabel(long, maximumLength: 40) == "Computational methods for the simulation")
    #expect(EndpointNamer.cleanLabel(long, maximumLength: 38) == "Computational methods for the")
    #expect(EndpointNamer.cleanLabel("Supercalifragilistic", maximumLength: 5) == "Super")
  }

  @Test func endpointURLsAndCacheKeys() {
    #expect(
      EndpointNamer(url: "http://h:1/v1/", model: "m").endpointURL?.absoluteString
        == "http://h:1/v1/chat/completions")
    #expect(
      EndpointNamer(url: "https://h/v1/chat/completions", model: "m").endpointURL?.absoluteString
        == "https://h/v1/chat/completions")
    #expect(EndpointNamer(url: "h:1/v1", model: "m").endpointURL == nil)
    let namer = EndpointNamer(url: "http://h:1/v1", model: "m")
    let key = namer.cacheKey(namer.requestBody(Self.request))
    #expect(key.count == 32 && key.allSatisfy(\.isHexDigit))
    #expect(key == namer.cacheKey(namer.requestBody(Self.request)))
    #expect(
      key
        != EndpointNamer(url: "http://h:1/v1", model: "m2").cacheKey(
          EndpointNamer(url: "http://h:1/v1", model: "m2").requestBody(Self.request)))
  }
}

/// Labels written from several threads.
final class LockedLabels: @unchecked Sendable {
  private let lock = NSLock()
  private var labels = [String?](repeating: nil, count: 8)

  func set(_ index: Int, _ label: String?) {
    lock.lock()
    labels[index] = label
    lock.unlock()
  }

  var values: [String?] {
    lock.lock()
    defer { lock.unlock() }
    return labels
  }
}
