import Foundation

/// An on-disk cache of text embeddings keyed by encoder identity and a 128-bit text hash, so that a corpus
/// is encoded once.
///
/// Layout: `DIRECTORY/<FNV-1a of the identity, hex>/` holds `identity.txt` (the full identity, checked on
/// use) and immutable shard files `shard-*.bin`. A shard is the magic `ARBEMB01`, the dimension (UInt32
/// little-endian), the record count (UInt64), then every key (two UInt64, FNV-1a of the text's UTF-8 with
/// two seeds) and then every vector (`dimension` Float32), all little-endian. Each `store` writes one new
/// shard through a temporary file and a rename, so concurrent writers never expose partial shards and never
/// overwrite each other; readers merge all shards (a key seen twice has the same vector). When a directory
/// holds more than `compactionThreshold` shards, `store` merges them into one.
public struct EmbeddingCache: Sendable {
  /// The root directory.
  public let directory: String
  /// Shards per encoder before `store` merges them.
  public var compactionThreshold = 64

  static let magic = Array("ARBEMB01".utf8)

  /// A cache under `directory`, else `$ARBOR_CACHE_DIR`, else `~/.cache/arbor/embeddings`.
  public init(directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let directory {
      self.directory = directory
    } else if let configured = environment["ARBOR_CACHE_DIR"], !configured.isEmpty {
      self.directory = configured
    } else {
      let home = environment["HOME"] ?? NSHomeDirectory()
      self.directory = home + "/.cache/arbor/embeddings"
    }
  }

  /// The 128-bit key of a text.
  struct Key: Hashable {
    let high: UInt64
    let low: UInt64
    init(_ text: String) {
      var first = StableHash()
      first.combine(text.utf8)
      var second = StableHash(seed: 0x5eed)
      second.combine(text.utf8)
      high = first.value
      low = second.value
    }
    init(high: UInt64, low: UInt64) {
      self.high = high
      self.low = low
    }
  }

  /// The folder of one encoder.
  func folder(for identity: String) -> String {
    directory + "/" + StableHash.of(identity).description
  }

  /// Vectors of `texts` from the cache, computing and storing the missing ones with `encoder` in chunks of
  /// `chunkSize`; `progress(done, total)` is called after each chunk. Returns `[texts.count, dimension]`.
  public func encode(
    _ texts: [String], with encoder: some TextEncoder, chunkSize: Int = 1024,
    progress: ((Int, Int) -> Void)? = nil
  ) throws(TextError) -> [Float] {
    let dimension = encoder.dimension
    var (vectors, missing) = try lookup(texts, identity: encoder.identity, dimension: dimension)
    // Each distinct missing text is encoded once, however often it repeats.
    var positions: [String: [Int]] = [:]
    var distinct: [String] = []
    for index in missing {
      if positions[texts[index]] == nil { distinct.append(texts[index]) }
      positions[texts[index], default: []].append(index)
    }
    var done = texts.count - missing.count
    progress?(done, texts.count)
    var start = 0
    while start < distinct.count {
      let chunkTexts = Array(distinct[start..<min(distinct.count, start + max(1, chunkSize))])
      let encoded = encoder.encode(chunkTexts)
      for (row, text) in chunkTexts.enumerated() {
        for index in positions[text] ?? [] {
          vectors.replaceSubrange(
            (index * dimension)..<((index + 1) * dimension),
            with: encoded[(row * dimension)..<((row + 1) * dimension)])
          done += 1
        }
      }
      try store(chunkTexts, vectors: encoded, identity: encoder.identity, dimension: dimension)
      start += chunkTexts.count
      progress?(done, texts.count)
    }
    return vectors
  }

  /// Cached vectors of `texts` (zeros where missing) and the indices of the texts not in the cache.
  public func lookup(
    _ texts: [String], identity: String, dimension: Int
  ) throws(TextError) -> (vectors: [Float], missing: [Int]) {
    var vectors = [Float](repeating: 0, count: texts.count * dimension)
    var wanted: [Key: [Int]] = [:]
    for (index, text) in texts.enumerated() { wanted[Key(text), default: []].append(index) }
    let folder = folder(for: identity)
    try checkIdentity(identity, in: folder, create: false)
    for shard in shardPaths(in: folder) where !wanted.isEmpty {
      guard let data = try? Data(contentsOf: URL(fileURLWithPath: shard), options: .alwaysMapped) else {
        continue
      }
      var failure: TextError?
      data.withUnsafeBytes { raw in
        let count: Int
        do throws(TextError) {
          count = try Self.validate(raw, dimension: dimension, path: shard)
        } catch {
          failure = error
          return
        }
        let vectorsStart = 20 + count * 16
        for record in 0..<count {
          let key = Key(
            high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 20 + record * 16, as: UInt64.self)),
            low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 28 + record * 16, as: UInt64.self)))
          guard let indices = wanted.removeValue(forKey: key) else { continue }
          let source = vectorsStart + record * dimension * 4
          for index in indices {
            for column in 0..<dimension {
              vectors[index * dimension + column] = Float(
                bitPattern: UInt32(
                  littleEndian: raw.loadUnaligned(fromByteOffset: source + column * 4, as: UInt32.self)))
            }
          }
        }
      }
      if let failure { throw failure }
    }
    return (vectors, wanted.values.flatMap { $0 }.sorted())
  }

  /// Adds vectors (`[texts.count, dimension]`) as one new shard, atomically.
  public func store(_ texts: [String], vectors: [Float], identity: String, dimension: Int) throws(TextError) {
    guard !texts.isEmpty else { return }
    precondition(vectors.count == texts.count * dimension, "one vector of the given dimension per text")
    let folder = folder(for: identity)
    try checkIdentity(identity, in: folder, create: true)
    try writeShard(keys: texts.map(Key.init), vectors: vectors, dimension: dimension, folder: folder)
    if shardPaths(in: folder).count > compactionThreshold {
      try compact(folder: folder, dimension: dimension)
    }
  }

  private func writeShard(keys: [Key], vectors: [Float], dimension: Int, folder: String) throws(TextError) {
    var bytes = Self.magic
    bytes.reserveCapacity(20 + keys.count * (16 + dimension * 4))
    withUnsafeBytes(of: UInt32(dimension).littleEndian) { bytes.append(contentsOf: $0) }
    withUnsafeBytes(of: UInt64(keys.count).littleEndian) { bytes.append(contentsOf: $0) }
    for key in keys {
      withUnsafeBytes(of: key.high.littleEndian) { bytes.append(contentsOf: $0) }
      withUnsafeBytes(of: key.low.littleEndian) { bytes.append(contentsOf: $0) }
    }
    for value in vectors {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    let unique =
      "\(UInt64(Date().timeIntervalSince1970 * 1e6))-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let final = folder + "/shard-\(unique).bin"
    let temporary = folder + "/.tmp-\(unique)"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
      throw TextError(path: folder, message: "cannot write an embedding cache shard")
    }
    guard rename(temporary, final) == 0 else {
      try? FileManager.default.removeItem(atPath: temporary)
      throw TextError(
        path: final, message: "cannot move the cache shard into place: \(String(cString: strerror(errno)))")
    }
  }

  /// Merges every shard of `folder` into one; shards that vanish meanwhile (another compaction) are skipped.
  private func compact(folder: String, dimension: Int) throws(TextError) {
    let shards = shardPaths(in: folder)
    var keys: [Key] = []
    var vectors: [Float] = []
    var seen = Set<Key>()
    for shard in shards {
      guard let data = try? Data(contentsOf: URL(fileURLWithPath: shard)) else { continue }
      var failure: TextError?
      data.withUnsafeBytes { raw in
        let count: Int
        do throws(TextError) {
          count = try Self.validate(raw, dimension: dimension, path: shard)
        } catch {
          failure = error
          return
        }
        for record in 0..<count {
          let key = Key(
            high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 20 + record * 16, as: UInt64.self)),
            low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 28 + record * 16, as: UInt64.self)))
          guard seen.insert(key).inserted else { continue }
          keys.append(key)
          let source = 20 + count * 16 + record * dimension * 4
          for column in 0..<dimension {
            vectors.append(
              Float(
                bitPattern: UInt32(
                  littleEndian: raw.loadUnaligned(fromByteOffset: source + column * 4, as: UInt32.self))))
          }
        }
      }
      if let failure { throw failure }
    }
    try writeShard(keys: keys, vectors: vectors, dimension: dimension, folder: folder)
    for shard in shards { try? FileManager.default.removeItem(atPath: shard) }
  }

  /// Checks a shard's header and size; returns its record count.
  private static func validate(_ raw: UnsafeRawBufferPointer, dimension: Int, path: String) throws(TextError)
    -> Int
  {
    guard raw.count >= 20, Array(raw[0..<8]) == magic else {
      throw TextError(path: path, message: "not an Arbor embedding cache shard (bad magic); delete the file")
    }
    let storedDimension = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
    let count = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
    guard storedDimension == dimension else {
      throw TextError(
        path: path, message: "cached vectors have dimension \(storedDimension), expected \(dimension)")
    }
    guard count <= UInt64(raw.count), 20 + Int(count) * (16 + dimension * 4) == raw.count else {
      throw TextError(path: path, message: "truncated or corrupt embedding cache shard; delete the file")
    }
    return Int(count)
  }

  /// Makes sure `folder` belongs to `identity` (guards against hash collisions); creates it when asked.
  private func checkIdentity(_ identity: String, in folder: String, create: Bool) throws(TextError) {
    let path = folder + "/identity.txt"
    if let data = FileManager.default.contents(atPath: path) {
      guard String(decoding: data, as: UTF8.self) == identity else {
        throw TextError(path: path, message: "cache folder belongs to another encoder identity")
      }
      return
    }
    guard create else { return }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      let temporary = folder + "/.identity-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      try Data(identity.utf8).write(to: URL(fileURLWithPath: temporary))
      if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    } catch {
      throw TextError(
        path: folder, message: "cannot create the embedding cache folder: \(error.localizedDescription)")
    }
  }

  private func shardPaths(in folder: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasPrefix("shard-") && $0.hasSuffix(".bin") }.sorted().map { folder + "/" + $0 }
  }
}
