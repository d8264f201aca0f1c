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

  /// Predictions for `rows` vectors: `rows × levels` node indices, −1 where a level has no prediction.
  /// Decoding follows the configuration (per-level argmax or the best valid path).
  public func predict(_ vectors: [Float], rows: Int) -> [Int] {
    var output = [Int](repeating: -1, count: rows * levels)
    guard rows > 0 else { return output }
    let scores = (0..<levels).map { levelLogProbabilities(level: $0, vectors: vectors, rows: rows) }
    switch configuration.decoding {
    case .argmax:
      for l in 0..<levels {
        let classes = heads[l].count
        guard classes > 0 else { continue }
        for r in 0..<rows {
          var best = 0
          for c in 1..<max(1, classes) where scores[l][r * classes + c] > scores[l][r * classes + best] {
            best = c
          }
          output[r * levels + l] = heads[l].classes[best]
        }
      }
    case .path:
      let decoder = LevelPathDecoder(learner: self)
      for r in 0..<rows { decoder.decode(scores, row: r, into: &output) }
    }
    return output
  }
}

/// Best valid path over the learner's classes: a class's score is its log-probability plus the best score
/// among its known children, or, where it has none, log(1/K) for each deeper level that has K classes; a
/// path may start only at a class whose placement parent is unknown, paying log(1/K) for each level above.
struct LevelPathDecoder {
  let levels: Int
  let counts: [Int]
  let classes: [[Int]]
  /// Children (level, row) of each (level, row).
  let children: [[[(Int, Int)]]]
  /// Starting classes (level, row) and what they pay for the levels above them.
  let starts: [(Int, Int, Float)]
  /// What a path ending at a level pays for the non-empty levels below.
  let tail: [Float]

  init(learner: ContinualLearner) {
    levels = learner.levels
    counts = learner.heads.map(\.count)
    classes = learner.heads.map(\.classes)
    var children = counts.map { [[(Int, Int)]](repeating: [], count: $0) }
    var starts: [(Int, Int, Float)] = []
    var penalty = [Float](repeating: 0, count: levels)
    for l in 0..<levels where counts[l] > 0 { penalty[l] = -logf(Float(counts[l])) }
    var above: Float = 0
    for l in 0..<levels {
      for (r, node) in classes[l].enumerated() {
        if let up = learner.parent[node], learner.knows(up) {
          let ul = learner.level(of: up)
          if let ur = learner.heads[ul].row[up] { children[ul][ur].append((l, r)) }
        } else {
          starts.append((l, r, above))
        }
      }
      above += penalty[l]
    }
    var tail = [Float](repeating: 0, count: levels)
    var below: Float = 0
    for l in stride(from: levels - 1, through: 0, by: -1) {
      tail[l] = below
      below += penalty[l]
    }
    self.children = children
    self.starts = starts
    self.tail = tail
  }

  func decode(_ scores: [[Float]], row r: Int, into output: inout [Int]) {
    var best = counts.map { [Float](repeating: -.infinity, count: $0) }
    var next = counts.map { [Int](repeating: -1, count: $0) }
    for l in stride(from: levels - 1, through: 0, by: -1) {
      let k = counts[l]
      for c in 0..<k {
        var value = scores[l][r * k + c]
        let kids = children[l][c]
        if kids.isEmpty {
          value += tail[l]
        } else {
          var top = -Float.infinity
          var arg = -1
          for (i, kid) in kids.enumerated() where best[kid.0][kid.1] > top {
            top = best[kid.0][kid.1]
            arg = i
          }
          value += top
          next[l][c] = arg
        }
        best[l][c] = value
      }
    }
    var start: (Int, Int)?
    var top = -Float.infinity
    for (l, c, pay) in starts where best[l][c] + pay > top {
      top = best[l][c] + pay
      start = (l, c)
    }
    guard var current = start else { return }
    while true {
      output[r * levels + current.0] = classes[current.0][current.1]
      let arg = next[current.0][current.1]
      guard arg >= 0 else { break }
      current = children[current.0][current.1][arg]
    }
  }
}
