import ArborTensor
import ArborTree
import Foundation

/// An online learner on hierarchical label expansion: one linear head per level, grown when a class first
/// appears, optionally class means with a shared covariance, a rehearsal memory and hierarchy use as
/// configured; predictions at any time. Features are frozen vectors supplied by the caller.
public struct ContinualLearner: Sendable {
  /// The settings.
  public let configuration: LearnerConfiguration
  /// The taxonomy of the labels.
  public let taxonomy: Taxonomy
  /// Number of levels (depths 1...levels).
  public let levels: Int
  /// Width of the vectors.
  public let dimension: Int
  /// One head per level (index 0 is depth 1).
  public internal(set) var heads: [LevelHead]
  /// Class means (when `prototypeWeight > 0`).
  public internal(set) var classMeans: ClassMeans?
  /// The rehearsal memory.
  public internal(set) var memory: RehearsalMemory
  /// The parent the learner places each known class under (taxonomy parent or inferred); absent at level 1.
  public internal(set) var parent: [Int: Int] = [:]
  /// Stream samples seen.
  public internal(set) var samplesSeen = 0
  /// Optimizer steps taken.
  public internal(set) var step = 0
  /// Stream position at which each class first appeared (for flexible sampling).
  var firstSeen: [Int: Int] = [:]
  /// Expected stream length (for flexible sampling's pace).
  public var expectedStreamLength: Int
  var random: RandomGenerator
  var ewc: EWCState

  /// A learner with empty heads.
  public init(
    configuration: LearnerConfiguration, taxonomy: Taxonomy, levels: Int, dimension: Int, seed: UInt64,
    expectedStreamLength: Int = 50_000
  ) {
    self.configuration = configuration
    self.taxonomy = taxonomy
    self.levels = levels
    self.dimension = dimension
    heads = (0..<levels).map { _ in LevelHead(dimension: dimension) }
    classMeans =
      configuration.prototypeWeight > 0
      ? ClassMeans(dimension: dimension, levels: levels, shrinkage: configuration.shrinkage) : nil
    classMeans?.priorWeight = configuration.priorWeight
    memory = RehearsalMemory(
      capacity: configuration.memorySize, dimension: dimension, policy: configuration.memory)
    random = RandomGenerator(seed: seed)
    ewc = EWCState(levels: levels)
    self.expectedStreamLength = max(1, expectedStreamLength)
  }

  /// The 0-based level of a node (its depth − 1).
  @inline(__always) func level(of node: Int) -> Int { taxonomy.depth(of: node) - 1 }

  /// Whether the learner has a class for `node`.
  public func knows(_ node: Int) -> Bool {
    let l = level(of: node)
    return l >= 0 && l < levels && heads[l].row[node] != nil
  }

  /// Adds a class to its level's head (and class means) if new.
  mutating func addClass(_ node: Int) {
    let l = level(of: node)
    guard l >= 0, l < levels, heads[l].row[node] == nil else { return }
    heads[l].addClass(node)
    classMeans?.addClass(level: l)
    firstSeen[node] = samplesSeen
  }

  /// Registers the label of new stream samples: with the known hierarchy its ancestors first, with the
  /// inferred one under the coarser class predicted for `vectors` (the samples of that label in the batch).
  mutating func register(_ node: Int, vectors: [Float]) {
    guard !knows(node) else { return }
    switch configuration.hierarchy {
    case .known:
      var chain: [Int] = []
      var current = node
      while taxonomy.depth(of: current) >= 1 {
        chain.append(current)
        guard let up = taxonomy.parents(of: current).first else { break }
        current = up
      }
      for member in chain.reversed() where !knows(member) {
        addClass(member)
        if let up = taxonomy.parents(of: member).first, taxonomy.depth(of: up) >= 1 { parent[member] = up }
      }
    case .inferred:
      if let guess = inferredParent(level: level(of: node), vectors: vectors) { parent[node] = guess }
      addClass(node)
    case .none:
      addClass(node)
    }
  }

  /// The class of the nearest non-empty coarser level with the highest mean log-probability over `vectors`.
  func inferredParent(level l: Int, vectors: [Float]) -> Int? {
    let rows = vectors.count / dimension
    guard rows > 0 else { return nil }
    var coarser = l - 1
    while coarser >= 0 && heads[coarser].count == 0 { coarser -= 1 }
    guard coarser >= 0 else { return nil }
    let scores = levelLogProbabilities(level: coarser, vectors: vectors, rows: rows)
    let classes = heads[coarser].count
    var best = 0
    var bestScore = -Float.infinity
    for c in 0..<classes {
      var total: Float = 0
      for r in 0..<rows { total += scores[r * classes + c] }
      if total > bestScore {
        bestScore = total
        best = c
      }
    }
    return heads[coarser].classes[best]
  }

  /// Training targets of a label: the row of its class at its level and, with a hierarchy, the rows of the
  /// classes it is placed under; −1 elsewhere.
  func targets(of node: Int, into output: inout [Int], at offset: Int) {
    for l in 0..<levels { output[offset + l] = -1 }
    var current = node
    while true {
      let l = level(of: current)
      guard l >= 0, l < levels, let r = heads[l].row[current] else { break }
      output[offset + l] = r
      guard configuration.hierarchy != .none, let up = parent[current] else { break }
      current = up
    }
  }

  /// Marks the end of a task (EWC++ anchors its parameters there).
  public mutating func endTask() {
    guard configuration.ewcStrength > 0 else { return }
    ewc.anchor(heads)
  }
}

/// EWC++ state (Chaudhry et al., "Riemannian Walk for Incremental Learning", ECCV 2018): a moving average
/// of the squared gradients as the diagonal Fisher and the parameters at the last task end.
struct EWCState: Sendable {
  var fisherWeights: [[Float]]
  var fisherBias: [[Float]]
  var anchorWeights: [[Float]]
  var anchorBias: [[Float]]

  init(levels: Int) {
    fisherWeights = [[Float]](repeating: [], count: levels)
    fisherBias = [[Float]](repeating: [], count: levels)
    anchorWeights = [[Float]](repeating: [], count: levels)
    anchorBias = [[Float]](repeating: [], count: levels)
  }

  mutating func anchor(_ heads: [LevelHead]) {
    for (l, head) in heads.enumerated() {
      anchorWeights[l] = head.weights
      anchorBias[l] = head.bias
    }
  }
}
