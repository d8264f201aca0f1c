import ArborText

/// Vectors of `texts` (row-major), with a progress line labelled `label` on a terminal. Transformer vectors
/// go through the embedding cache in `cacheDirectory` (so each text is encoded once) unless `useCache` is
/// false; the built-in encoder is cheap and always runs directly.
func encodeTexts(
  _ texts: [String], with encoder: any TextEncoder, label: String?, cacheDirectory: String?,
  useCache: Bool = true
) throws -> [Float] {
  let progress = ProgressLine(enabled: stderrIsTerminal && label != nil, label: label ?? "")
  defer { progress.finish() }
  if encoder is BuiltinEncoder || !useCache {
    var vectors: [Float] = []
    vectors.reserveCapacity(texts.count * encoder.dimension)
    let chunk = encoder is BuiltinEncoder ? 8192 : 256
    for start in stride(from: 0, to: texts.count, by: chunk) {
      vectors += encoder.encode(Array(texts[start..<min(texts.count, start + chunk)]))
      progress.update(min(texts.count, start + chunk), texts.count)
    }
    return vectors
  }
  return try EmbeddingCache(directory: cacheDirectory).encode(texts, with: encoder, chunkSize: 512) {
    progress.update($0, $1)
  }
}
