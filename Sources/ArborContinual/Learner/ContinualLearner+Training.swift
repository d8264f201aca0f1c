import COpenBLAS
import Foundation

extension ContinualLearner {
  /// Learns from one stream batch (`labels.count` vectors, row-major): new classes are added, the memory is
  /// offered the samples, and one optimizer update is made on the batch plus rehearsed samples.
  public mutating func observe(_ vectors: [Float], labels: [Int]) {
    let rows = labels.count
    guard rows > 0, vectors.count == rows * dimension else { return }
    let d = dimension
    // New classes, in order of first appearance in the batch.
    for (r, label) in labels.enumerated() where !knows(label) {
      var own: [Float] = []
      for s in r..<rows where labels[s] == label { own += vectors[(s * d)..<((s + 1) * d)] }
      if configuration.hierarchy == .inferred, classMeans?.isStale == true { classMeans?.refresh() }
      register(label, vectors: own)
    }
    var streamTargets = [Int](repeating: -1, count: rows * levels)
    for r in 0..<rows { targets(of: labels[r], into: &streamTargets, at: r * levels) }

    if configuration.memory == .importance { offerToMemory(vectors, labels: labels) }

    var batch: [Float] = []
    var batchTargets: [Int] = []
    batch.reserveCapacity((rows + configuration.memoryBatch) * d)
    var used = 0
    let knownClasses = heads.reduce(0) { $0 + $1.count }
    for r in 0..<rows {
      if configuration.flexibleSampling, samplesSeen >= configuration.streamBatch {
        // Flexible memory sampling: a class's stream samples enter updates with a probability that grows
        // with the samples seen since it appeared (HLE's pace: all of them after 2 N / K samples).
        let elapsed = Double(samplesSeen + r - (firstSeen[labels[r]] ?? 0))
        let pace = 2 * Double(expectedStreamLength) / Double(max(1, knownClasses))
        if random.nextUniformDouble() > min(1, elapsed / pace) { continue }
      }
      batch += vectors[(r * d)..<((r + 1) * d)]
      batchTargets += streamTargets[(r * levels)..<((r + 1) * levels)]
      used += 1
    }
    let fromMemory =
      configuration.flexibleSampling
      ? configuration.streamBatch + configuration.memoryBatch - used : configuration.memoryBatch
    if memory.count > 0, fromMemory > 0 {
      var slotTargets = [Int](repeating: -1, count: levels)
      for slot in memory.sample(fromMemory, random: &random) {
        batch += memory.vectors[(slot * d)..<((slot + 1) * d)]
        targets(of: memory.labels[slot], into: &slotTargets, at: 0)
        batchTargets += slotTargets
      }
    }
    if configuration.headWeight > 0, !batchTargets.isEmpty {
      gradientStep(batch, targets: batchTargets)
      if configuration.memory == .importance, step % max(1, configuration.importancePeriod) == 0 {
        refreshImportance()
      }
    }
    if configuration.memory == .reservoir || configuration.memory == .balanced {
      offerToMemory(vectors, labels: labels)
    }
    samplesSeen += rows
    if classMeans != nil {
      vectors.withUnsafeBufferPointer { v in
        guard let base = v.baseAddress else { return }
        classMeans?.add(base, rows: rows, targets: streamTargets, deepest: labels)
      }
    }
  }

  private mutating func offerToMemory(_ vectors: [Float], labels: [Int]) {
    let d = dimension
    vectors.withUnsafeBufferPointer { v in
      for r in 0..<labels.count {
        let row = UnsafeBufferPointer(rebasing: v[(r * d)..<((r + 1) * d)])
        memory.offer(row, label: labels[r], level: level(of: labels[r]), random: &random)
      }
    }
  }

  /// One Adam update on the summed per-level cross-entropy, divided by the batch size.
  mutating func gradientStep(_ batch: [Float], targets: [Int]) {
    let d = dimension
    let n = targets.count / levels
    step += 1
    for l in 0..<levels {
      let classes = heads[l].count
      guard classes > 0 else { continue }
      var picked: [Int] = []
      for r in 0..<n where targets[r * levels + l] >= 0 { picked.append(r) }
      guard !picked.isEmpty else { continue }
      let m = picked.count
      var inputs = [Float](repeating: 0, count: m * d)
      for (i, r) in picked.enumerated() {
        for k in 0..<d { inputs[i * d + k] = batch[r * d + k] }
      }
      var probabilities = [Float](repeating: 0, count: m * classes)
      inputs.withUnsafeBufferPointer { x in
        probabilities.withUnsafeMutableBufferPointer { p in
          heads[l].logits(x.baseAddress!, rows: m, into: p.baseAddress!)
        }
      }
      let scale = 1 / Float(n)
      for (i, r) in picked.enumerated() {
        softmaxRow(&probabilities, offset: i * classes, count: classes)
        probabilities[i * classes + targets[r * levels + l]] -= 1
        for c in 0..<classes { probabilities[i * classes + c] *= scale }
      }
      var weightGradient = [Float](repeating: 0, count: classes * d)
      var biasGradient = [Float](repeating: 0, count: classes)
      for i in 0..<m {
        for c in 0..<classes { biasGradient[c] += probabilities[i * classes + c] }
      }
      probabilities.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
          weightGradient.withUnsafeMutableBufferPointer { g in
            cblas_sgemm(
              CblasRowMajor, CblasTrans, CblasNoTrans, Int32(classes), Int32(d), Int32(m), 1, p.baseAddress,
              Int32(classes), x.baseAddress, Int32(d), 0, g.baseAddress, Int32(d))
          }
        }
      }
      if configuration.ewcStrength > 0 { addEWCPenalty(level: l, &weightGradient, &biasGradient) }
      weightGradient.withUnsafeBufferPointer { gw in
        biasGradient.withUnsafeBufferPointer { gb in
          heads[l].adamStep(
            weightGradient: gw, biasGradient: gb, step: step, optimizer: configuration.optimizer)
        }
      }
    }
  }

  /// EWC++: updates the running Fisher with the squared gradient, then adds λ F (θ − θ*) for the
  /// parameters that existed at the last task end.
  private mutating func addEWCPenalty(level l: Int, _ gw: inout [Float], _ gb: inout [Float]) {
    let alpha = configuration.ewcDecay
    let lambda = configuration.ewcStrength
    if ewc.fisherWeights[l].count < gw.count {
      ewc.fisherWeights[l] += [Float](repeating: 0, count: gw.count - ewc.fisherWeights[l].count)
      ewc.fisherBias[l] += [Float](repeating: 0, count: gb.count - ewc.fisherBias[l].count)
    }
    for i in 0..<gw.count {
      ewc.fisherWeights[l][i] = alpha * gw[i] * gw[i] + (1 - alpha) * ewc.fisherWeights[l][i]
    }
    for i in 0..<gb.count {
      ewc.fisherBias[l][i] = alpha * gb[i] * gb[i] + (1 - alpha) * ewc.fisherBias[l][i]
    }
    let anchored = ewc.anchorWeights[l].count
    for i in 0..<min(anchored, gw.count) {
      gw[i] += lambda * ewc.fisherWeights[l][i] * (heads[l].weights[i] - ewc.anchorWeights[l][i])
    }
    for i in 0..<min(ewc.anchorBias[l].count, gb.count) {
      gb[i] += lambda * ewc.fisherBias[l][i] * (heads[l].bias[i] - ewc.anchorBias[l][i])
    }
  }

  /// Recomputes every memory sample's loss at its own level and updates the loss-decrease importance.
  mutating func refreshImportance() {
    let d = dimension
    var losses = [Float](repeating: 0, count: memory.count)
    for l in 0..<levels {
      let classes = heads[l].count
      guard classes > 0 else { continue }
      var slots: [Int] = []
      for slot in 0..<memory.count where memory.levels[slot] == l { slots.append(slot) }
      guard !slots.isEmpty else { continue }
      var inputs = [Float](repeating: 0, count: slots.count * d)
      for (i, slot) in slots.enumerated() {
        for k in 0..<d { inputs[i * d + k] = memory.vectors[slot * d + k] }
      }
      var logits = [Float](repeating: 0, count: slots.count * classes)
      inputs.withUnsafeBufferPointer { x in
        logits.withUnsafeMutableBufferPointer { z in
          heads[l].logits(x.baseAddress!, rows: slots.count, into: z.baseAddress!)
        }
      }
      for (i, slot) in slots.enumerated() {
        guard let target = heads[l].row[memory.labels[slot]] else { continue }
        var top = -Float.infinity
        for c in 0..<classes { top = max(top, logits[i * classes + c]) }
        var total: Float = 0
        for c in 0..<classes { total += expf(logits[i * classes + c] - top) }
        losses[slot] = top + logf(total) - logits[i * classes + target]
      }
    }
    memory.updateImportance(losses: losses)
  }
}

/// Replaces `count` logits at `offset` with their softmax.
@inline(__always)
func softmaxRow(_ values: inout [Float], offset: Int, count: Int) {
  var top = -Float.infinity
  for c in 0..<count { top = max(top, values[offset + c]) }
  var total: Float = 0
  for c in 0..<count {
    let e = expf(values[offset + c] - top)
    values[offset + c] = e
    total += e
  }
  let inverse = 1 / total
  for c in 0..<count { values[offset + c] *= inverse }
}

/// Replaces `count` scores at `offset` with their log-softmax.
@inline(__always)
func logSoftmaxRow(_ values: inout [Float], offset: Int, count: Int) {
  var top = -Float.infinity
  for c in 0..<count { top = max(top, values[offset + c]) }
  var total: Float = 0
  for c in 0..<count { total += expf(values[offset + c] - top) }
  let shift = top + logf(total)
  for c in 0..<count { values[offset + c] -= shift }
}
