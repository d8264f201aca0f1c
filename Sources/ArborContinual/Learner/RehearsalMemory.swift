import ArborTensor

/// How a full rehearsal memory chooses the sample to replace.
public enum MemoryPolicy: String, CaseIterable, Sendable {
  /// No memory.
  case none
  /// Reservoir sampling: every stream sample is kept with probability budget / seen (Vitter 1985;
  /// ER as in Chaudhry et al. 2019).
  case reservoir
  /// Level- and class-balanced: evict from the class most over its share (each level an equal share of the
  /// budget, each class an equal share of its level's), a random sample of it.
  case balanced
  /// As `balanced`, but the evicted sample is the one whose loss decreased least (PL-FMS's importance,
  /// Lee et al. 2023).
  case importance
}

/// A bounded rehearsal memory of labelled vectors.
public struct RehearsalMemory: Sendable {
  /// The most samples kept.
  public let capacity: Int
  /// Width of the vectors.
  public let dimension: Int
  /// The replacement policy.
  public let policy: MemoryPolicy
  /// The kept vectors, `count × dimension`.
  public private(set) var vectors: [Float] = []
  /// The label (node index) of each kept sample.
  public private(set) var labels: [Int] = []
  /// The 0-based level of each kept sample's label.
  public private(set) var levels: [Int] = []
  /// Loss-decrease importance of each kept sample (an exponential moving average).
  public private(set) var importance: [Float] = []
  /// The loss of each sample at the last importance update (NaN before the first).
  private(set) var lastLoss: [Float] = []
  /// Stream samples offered so far.
  public private(set) var offered = 0
  /// Slots of each class, the level of each class and the number of classes present per level.
  private var classSlots: [Int: [Int]] = [:]
  private var classLevel: [Int: Int] = [:]
  private var classesPerLevel: [Int: Int] = [:]

  /// An empty memory.
  public init(capacity: Int, dimension: Int, policy: MemoryPolicy) {
    self.capacity = policy == .none ? 0 : max(0, capacity)
    self.dimension = dimension
    self.policy = policy
  }

  /// The number of kept samples.
  public var count: Int { labels.count }

  /// Offers one stream sample; it is kept or not according to the policy.
  mutating func offer(
    _ vector: UnsafeBufferPointer<Float>, label: Int, level: Int, random: inout RandomGenerator
  ) {
    offered += 1
    guard capacity > 0 else { return }
    if count < capacity {
      vectors.append(contentsOf: vector)
      labels.append(label)
      levels.append(level)
      importance.append(0)
      lastLoss.append(.nan)
      track(slot: count - 1, label: label, level: level)
      return
    }
    let slot: Int
    switch policy {
    case .none: return
    case .reservoir:
      let j = random.nextInt(below: offered)
      guard j < capacity else { return }
      slot = j
    case .balanced, .importance:
      slot = balancedVictim(incomingLabel: label, incomingLevel: level, random: &random)
    }
    replace(slot, vector, label: label, level: level)
  }

  private mutating func track(slot: Int, label: Int, level: Int) {
    if classSlots[label, default: []].isEmpty {
      classLevel[label] = level
      classesPerLevel[level, default: 0] += 1
    }
    classSlots[label, default: []].append(slot)
  }

  private mutating func untrack(slot: Int) {
    let label = labels[slot]
    classSlots[label]?.removeAll { $0 == slot }
    if classSlots[label]?.isEmpty ?? true {
      classSlots[label] = nil
      if let level = classLevel.removeValue(forKey: label) {
        classesPerLevel[level, default: 1] -= 1
        if classesPerLevel[level] == 0 { classesPerLevel[level] = nil }
      }
    }
  }

  private mutating func replace(_ slot: Int, _ vector: UnsafeBufferPointer<Float>, label: Int, level: Int) {
    untrack(slot: slot)
    track(slot: slot, label: label, level: level)
    vectors.withUnsafeMutableBufferPointer { v in
      for k in 0..<dimension { v[slot * dimension + k] = vector[k] }
    }
    labels[slot] = label
    levels[slot] = level
    importance[slot] = 0
    lastLoss[slot] = .nan
  }

  /// The slot to evict for an incoming sample: the class furthest above its level- and class-balanced share
  /// (the incoming sample counted), then its least important (or a random) sample.
  func balancedVictim(incomingLabel: Int, incomingLevel: Int, random: inout RandomGenerator) -> Int {
    let incomingIsNew = classSlots[incomingLabel] == nil
    var perLevel = classesPerLevel
    if incomingIsNew { perLevel[incomingLevel, default: 0] += 1 }
    let levelShare = Double(capacity) / Double(max(1, perLevel.count))
    func excess(_ label: Int, _ n: Int, _ level: Int) -> Double {
      Double(n) - levelShare / Double(perLevel[level] ?? 1)
    }
    var victimClass = incomingLabel
    var worst = excess(incomingLabel, (classSlots[incomingLabel]?.count ?? 0) + 1, incomingLevel)
    for (label, slots) in classSlots {
      let n = slots.count + (label == incomingLabel ? 1 : 0)
      let e = excess(label, n, classLevel[label] ?? 0)
      if e > worst || (e == worst && label < victimClass) {
        worst = e
        victimClass = label
      }
    }
    var candidates = classSlots[victimClass] ?? []
    if candidates.isEmpty {
      // Only the incoming class is over its share and it has no sample yet: take from the largest class.
      var largest = -1
      var size = 0
      for (label, slots) in classSlots where slots.count > size || (slots.count == size && label < largest) {
        largest = label
        size = slots.count
      }
      candidates = classSlots[largest] ?? []
    }
    guard !candidates.isEmpty else { return random.nextInt(below: max(1, count)) }
    if policy == .importance {
      var best = candidates[0]
      for slot in candidates
      where importance[slot] < importance[best] || (importance[slot] == importance[best] && slot < best) {
        best = slot
      }
      return best
    }
    return candidates.sorted()[random.nextInt(below: candidates.count)]
  }

  /// Draws up to `size` distinct slots uniformly at random.
  func sample(_ size: Int, random: inout RandomGenerator) -> [Int] {
    let k = min(size, count)
    guard k > 0 else { return [] }
    // Partial Fisher–Yates over the slot indices.
    var slots = Array(0..<count)
    for i in 0..<k {
      let j = i + random.nextInt(below: count - i)
      slots.swapAt(i, j)
    }
    return Array(slots[0..<k])
  }

  /// Updates the importance of every sample from its current loss: the moving average (weight 0.9 on the
  /// past) of the loss decrease since the last update.
  mutating func updateImportance(losses: [Float]) {
    for slot in 0..<min(count, losses.count) {
      if !lastLoss[slot].isNaN {
        importance[slot] = 0.9 * importance[slot] + 0.1 * (lastLoss[slot] - losses[slot])
      }
      lastLoss[slot] = losses[slot]
    }
  }
}
