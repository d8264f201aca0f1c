import COpenBLAS
import Foundation

extension ContinualLearner {
  /// Brings derived state (the class means' discriminants) up to date; call before predicting.
  public mutating func prepareForPrediction() {
    if classMeans?.isStale == true { classMeans?.refresh() }
  }

  /// Per-class log-scores of one level for `rows` vectors (`rows × classes` of that level's head): the
  /// weighted sum of the head's and the class means' log-softmax.
  public func levelLogProbabilities(level l: Int, vectors: [Float], rows: Int) -> [Float] {
    let classes = heads[l].count
    guard classes > 0, rows > 0 else { return [] }
    var combined = [Float](repeating: 0, count: rows * classes)
    var scratch = [Float](repeating: 0, count: rows * classes)
    let parts: [(Float, Bool)] = [
      (configuration.headWeight, true), (classMeans == nil ? 0 : configuration.prototypeWeight, false),
    ]
    vectors.withUnsafeBufferPointer { x in
      guard let base = x.baseAddress else { return }
      for (weight, isHead) in parts where weight > 0 {
        scratch.withUnsafeMutableBufferPointer { s in
          guard let out = s.baseAddress else { return }
          if isHead {
            heads[l].logits(base, rows: rows, into: out)
          } else {
            classMeans?.scores(level: l, base, rows: rows, into: out)
          }
        }
        for r in 0..<rows { logSoftmaxRow(&scratch, offset: r * classes, count: classes) }
        for i in 0..<combined.count { combined[i] += weight * scratch[i] }
      }
    }
    return combined
  }

  /// Scores of every level for `rows` vectors side by side (`rows × total`; level l's classes at columns
  /// `offsets[l]..<offsets[l] + heads[l].count`), one matrix product per score source. With `normalized`,
  /// or when two sources are mixed, each level's scores are the weighted sum of log-softmax values.
  func allLevelScores(_ vectors: [Float], rows: Int, normalized: Bool) -> (
    scores: [Float], offsets: [Int], total: Int
  ) {
    var offsets = [Int](repeating: 0, count: levels + 1)
    for l in 0..<levels { offsets[l + 1] = offsets[l] + heads[l].count }
    let total = offsets[levels]
    guard total > 0, rows > 0 else { return ([], offsets, total) }
    var sources: [(weight: Float, weights: [Float], bias: [Float])] = []
    if configuration.headWeight > 0 {
      sources.append((configuration.headWeight, heads.flatMap(\.weights), heads.flatMap(\.bias)))
    }
    if let classMeans, configuration.prototypeWeight > 0 {
      sources.append(
        (configuration.prototypeWeight, classMeans.weights.flatMap { $0 }, classMeans.biases.flatMap { $0 }))
    }
    let normalize = normalized || sources.count > 1
    var combined = [Float](repeating: 0, count: normalize && sources.count > 1 ? rows * total : 0)
    var scratch = [Float](repeating: 0, count: rows * total)
    for source in sources {
      guard source.weights.count == total * dimension, source.bias.count == total else { continue }
      scratch.withUnsafeMutableBufferPointer { out in
        for r in 0..<rows {
          for c in 0..<total { out[r * total + c] = source.bias[c] }
        }
        vectors.withUnsafeBufferPointer { x in
          source.weights.withUnsafeBufferPointer { w in
            cblas_sgemm(
              CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(total), Int32(dimension), 1,
              x.baseAddress, Int32(dimension), w.baseAddress, Int32(dimension), 1, out.baseAddress,
              Int32(total))
          }
        }
      }
      if normalize {
        for r in 0..<rows {
          for l in 0..<levels where heads[l].count > 0 {
            logSoftmaxRow(&scratch, offset: r * total + offsets[l], count: heads[l].count)
          }
        }
      }
      if sources.count == 1 {
        if source.weight != 1 { for i in 0..<scratch.count { scratch[i] *= source.weight } }
        return (scratch, offsets, total)
      }
      for i in 0..<combined.count { combined[i] += source.weight * scratch[i] }
    }
    return (sources.count > 1 ? combined : scratch, offsets, total)
  }

  /// Predictions for `rows` vectors: `rows × levels` node indices, −1 where a level has no prediction.
  /// Decoding follows the configuration (per-level argmax or the best valid path).
  public func predict(_ vectors: [Float], rows: Int) -> [Int] {
    var output = [Int](repeating: -1, count: rows * levels)
    guard rows > 0 else { return output }
    let (scores, offsets, total) = allLevelScores(
      vectors, rows: rows, normalized: configuration.decoding == .path)
    guard total > 0 else { return output }
    switch configuration.decoding {
    case .argmax:
      for l in 0..<levels {
        let classes = heads[l].count
        guard classes > 0 else { continue }
        for r in 0..<rows {
          let base = r * total + offsets[l]
          var best = 0
          for c in 1..<max(1, classes) where scores[base + c] > scores[base + best] { best = c }
          output[r * levels + l] = heads[l].classes[best]
        }
      }
    case .path:
      let decoder = LevelPathDecoder(learner: self)
      var best = [Float](repeating: 0, count: total)
      var next = [Int](repeating: -1, count: total)
      for r in 0..<rows {
        decoder.decode(scores, row: r, best: &best, next: &next, into: &output)
      }
    }
    return output
  }
}

/// Best valid path over the learner's classes: a class's score is its log-probability plus the best score
/// among its known children, or, where it has none, log(1/K) for each deeper level that has K classes; a
/// path may start only at a class whose placement parent is unknown, paying log(1/K) for each level above.
///
/// Classes are numbered globally, level by level (the column order of `allLevelScores`), so children, always
/// on deeper levels, come after their parents and one backward sweep scores every class.
struct LevelPathDecoder {
  let levels: Int
  let total: Int
  let node: [Int]
  let level: [Int]
  let childStart: [Int]
  let childList: [Int]
  let tail: [Float]
  let starts: [(Int, Float)]

  init(learner: ContinualLearner) {
    levels = learner.levels
    var offsets = [Int](repeating: 0, count: levels + 1)
    for l in 0..<levels { offsets[l + 1] = offsets[l] + learner.heads[l].count }
    total = offsets[levels]
    var node = [Int](repeating: 0, count: total)
    var level = [Int](repeating: 0, count: total)
    var penalty = [Float](repeating: 0, count: levels)
    for l in 0..<levels where learner.heads[l].count > 0 { penalty[l] = -logf(Float(learner.heads[l].count)) }
    var children = [[Int]](repeating: [], count: total)
    var starts: [(Int, Float)] = []
    var above: Float = 0
    for l in 0..<levels {
      for (r, n) in learner.heads[l].classes.enumerated() {
        let g = offsets[l] + r
        node[g] = n
        level[g] = l
        if let up = learner.parent[n], learner.knows(up),
          let ur = learner.heads[learner.level(of: up)].row[up]
        {
          children[offsets[learner.level(of: up)] + ur].append(g)
        } else {
          starts.append((g, above))
        }
      }
      above += penalty[l]
    }
    var tailOfLevel = [Float](repeating: 0, count: levels)
    var below: Float = 0
    for l in stride(from: levels - 1, through: 0, by: -1) {
      tailOfLevel[l] = below
      below += penalty[l]
    }
    var childStart = [0]
    var childList: [Int] = []
    for list in children {
      childList += list
      childStart.append(childList.count)
    }
    self.node = node
    self.level = level
    self.childStart = childStart
    self.childList = childList
    self.tail = level.map { tailOfLevel[$0] }
    self.starts = starts
  }

  /// Writes the best path of row `r` of `scores` (`rows × total`) into `output` (`rows × levels`);
  /// `best` and `next` are scratch buffers of `total` entries.
  func decode(_ scores: [Float], row r: Int, best: inout [Float], next: inout [Int], into output: inout [Int])
  {
    let base = r * total
    scores.withUnsafeBufferPointer { s in
      best.withUnsafeMutableBufferPointer { best in
        next.withUnsafeMutableBufferPointer { next in
          for g in stride(from: total - 1, through: 0, by: -1) {
            let first = childStart[g]
            let end = childStart[g + 1]
            if first == end {
              best[g] = s[base + g] + tail[g]
              next[g] = -1
            } else {
              var top = best[childList[first]]
              var arg = childList[first]
              for k in (first + 1)..<end where best[childList[k]] > top {
                top = best[childList[k]]
                arg = childList[k]
              }
              best[g] = s[base + g] + top
              next[g] = arg
            }
          }
          var current = -1
          var top = -Float.infinity
          for (g, pay) in starts where best[g] + pay > top {
            top = best[g] + pay
            current = g
          }
          while current >= 0 {
            output[r * levels + level[current]] = node[current]
            current = next[current]
          }
        }
      }
    }
  }
}
