import ArborText
import Foundation
import Testing

/// An encoder whose vectors are known (each text's length and first scalar) and that counts its calls.
final class CountingEncoder: TextEncoder, @unchecked Sendable {
  let dimension = 3
  let identity: String
  private let lock = NSLock()
  private var count = 0

  /// How many texts `encode` has been given in all.
  var encodedTexts: Int { lock.withLock { count } }

  init(identity: String = "counting-v1") { self.identity = identity }

  static func expected(_ text: String) -> [Float] {
    [Float(text.count), Float(text.unicodeScalars.first?.value ?? 0), 1]
  }

  func encode(_ texts: [String]) -> [Float] {
    lock.withLock { count += texts.count }
    return texts.flatMap(Self.expected)
  }
}

@Suite struct EmbeddingCacheTests {
  static func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "arbor-cache-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test func encodesEachTextOnce() throws {
    let cache = EmbeddingCache(directory: Self.temporaryDirectory())
    let encoder = CountingEncoder()
    let texts = ["alpha", "beta", "alpha", "γάμμα", ""]
    let first = try cache.encode(texts, with: encoder, chunkSize: 2)
    #expect(first == texts.flatMap(CountingEncoder.expected))
    #expect(encoder.encodedTexts == 4)  // "alpha" twice in one call is one key
    let second = try cache.encode(texts + ["delta"], with: encoder)
    #expect(second == (texts + ["delta"]).flatMap(CountingEncoder.expected))
    #expect(encoder.encodedTexts == 5)  // only "delta" was new
    let other = CountingEncoder(identity: "counting-v2")
    _ = try cache.encode(["alpha"], with: other)
    #expect(other.encodedTexts == 1)  // another identity shares nothing
  }

  @Test func concurrentWritersAndCompaction() throws {
    let directory = Self.temporaryDirectory()
    var cache = EmbeddingCache(directory: directory)
    cache.compactionThreshold = 3
    let encoder = CountingEncoder()
    let texts = (0..<200).map { "text \($0) " + String(repeating: "x", count: $0 % 7) }
    let frozen = cache
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
      let mine = Array(texts[(worker * 40)..<(worker * 40 + 80)])
      for chunk in stride(from: 0, to: mine.count, by: 10) {
        _ = try? frozen.encode(Array(mine[chunk..<(chunk + 10)]), with: encoder)
      }
    }
    let (vectors, missing) = try cache.lookup(texts, identity: encoder.identity, dimension: 3)
    #expect(missing.isEmpty)  // workers covered texts 0..<200 with overlaps
    for index in texts.indices {
      #expect(Array(vectors[(index * 3)..<(index * 3 + 3)]) == CountingEncoder.expected(texts[index]))
    }
    let folder = try FileManager.default.contentsOfDirectory(atPath: directory).first.map {
      directory + "/" + $0
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: try #require(folder))
    #expect(files.filter { $0.hasPrefix(".tmp") }.isEmpty)
    #expect(files.filter { $0.hasPrefix("shard-") }.count <= 8)
  }

  @Test func rejectsCorruptShardsByName() throws {
    let directory = Self.temporaryDirectory()
    let cache = EmbeddingCache(directory: directory)
    let encoder = CountingEncoder()
    _ = try cache.encode(["a", "b"], with: encoder)
    let folder = directory + "/" + (try FileManager.default.contentsOfDirectory(atPath: directory)[0])
    let shard = try #require(
      try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasPrefix("shard-") })
    let path = folder + "/" + shard
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: path))
    #expect {
      _ = try cache.lookup(["a"], identity: encoder.identity, dimension: 3)
    } throws: { error in
      (error as? TextError)?.path == path
    }
  }

  @Test func defaultDirectoryHonoursEnvironment() {
    #expect(EmbeddingCache(environment: ["ARBOR_CACHE_DIR": "/x/y", "HOME": "/h"]).directory == "/x/y")
    #expect(EmbeddingCache(environment: ["HOME": "/h"]).directory == "/h/.cache/arbor/embeddings")
  }
}
