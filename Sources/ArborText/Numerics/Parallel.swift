import Dispatch

/// Splits work across threads for loops that BLAS does not cover.
package enum Parallel {
  /// Runs `body` on `threadCount` contiguous chunks of `0..<count` (in parallel when more than one).
  /// Each chunk is at least `minimumChunk` long, so small loops stay on the calling thread.
  package static func forEachChunk(
    count: Int, threadCount: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void
  ) {
    forEachIndexedChunk(count: count, threadCount: threadCount, minimumChunk: minimumChunk) { body($1) }
  }

  /// Like `forEachChunk`, also passing the chunk's index (below `threadCount`) for per-thread scratch.
  package static func forEachIndexedChunk(
    count: Int, threadCount: Int, minimumChunk: Int = 1, _ body: (Int, Range<Int>) -> Void
  ) {
    let chunks = max(1, min(threadCount, count / max(1, minimumChunk)))
    if chunks == 1 {
      body(0, 0..<count)
      return
    }
    // The chunks touch disjoint memory; the caller guarantees that, so the closure may cross threads.
    withoutActuallyEscaping(body) { escapable in
      nonisolated(unsafe) let work = escapable
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = count * chunk / chunks
        let end = count * (chunk + 1) / chunks
        work(chunk, start..<end)
      }
    }
  }
}
