import ArborClassify
import ArborTensor
import ArborTree
import Foundation

/// The label-expansion scenarios of HLE (Lee et al., ICCV 2023, "Online Continual Learning on
/// Hierarchical Label Expansion"); see docs/continual.md.
public enum StreamScenario: String, CaseIterable, Sendable {
  /// Documents shuffled and cut into one equal task per level; task t labels its documents at level t.
  case multiDepth = "multi-depth"
  /// A coarse task, then tasks that each reveal a group of fine classes; every document once.
  case singleDepth = "single-depth"
  /// As single-depth, but the coarse task's documents reappear later with their fine labels.
  case dualLabel = "dual-label"
}

/// How a stream is cut from a labelled corpus.
public struct StreamOptions: Sendable {
  /// The scenario.
  public var scenario: StreamScenario
  /// Seed of every random choice.
  public var seed: UInt64
  /// Share of each task's records moved to another task at random (HLE's blurry variant), in [0, 1).
  public var blurry: Double
  /// Ratio between the largest and the smallest class of a level (1: no imbalance).
  public var imbalance: Double
  /// Number of fine tasks of the single-depth scenarios.
  public var fineTasks: Int

  /// Options with no blur, no imbalance and five fine tasks.
  public init(
    scenario: StreamScenario, seed: UInt64 = 0, blurry: Double = 0, imbalance: Double = 1, fineTasks: Int = 5
  ) {
    self.scenario = scenario
    self.seed = seed
    self.blurry = blurry
    self.imbalance = imbalance
    self.fineTasks = fineTasks
  }
}

/// Builds seeded HLE-style streams from labelled documents.
public enum StreamBuilder {
  /// The label of a document at every depth 1...deepest (index 0 is depth 1), from its labels and the
  /// first-parent ancestors of its deepest label.
  public static func chain(of labels: [Int], taxonomy: Taxonomy) -> [Int] {
    guard let deepest = labels.max(by: { taxonomy.depth(of: $0) < taxonomy.depth(of: $1) }) else { return [] }
    let depth = taxonomy.depth(of: deepest)
    guard depth >= 1 else { return [] }
    var chain = [Int](repeating: -1, count: depth)
    for label in labels where taxonomy.depth(of: label) >= 1 { chain[taxonomy.depth(of: label) - 1] = label }
    var node = deepest
    for level in stride(from: depth, through: 1, by: -1) {
      if chain[level - 1] < 0 { chain[level - 1] = node }
      guard let parent = taxonomy.parents(of: chain[level - 1]).first else { break }
      node = parent
    }
    return chain
  }

  /// The stream of `documents` under `options`; errors name a document without labels.
  public static func build(
    documents: [LabelledDocument], taxonomy: Taxonomy, options: StreamOptions
  ) throws(TaxonomyError) -> [StreamRecord] {
    guard options.blurry >= 0, options.blurry < 1 else {
      throw TaxonomyError(.schema, "--blurry must be a share in [0, 1), got \(options.blurry)")
    }
    guard options.imbalance >= 1 else {
      throw TaxonomyError(.schema, "--imbalance must be at least 1, got \(options.imbalance)")
    }
    var chains: [[Int]] = []
    chains.reserveCapacity(documents.count)
    for document in documents {
      let nodes = document.labels.compactMap { taxonomy.index(of: $0) }
      let chain = chain(of: nodes, taxonomy: taxonomy)
      guard !chain.isEmpty else {
        throw TaxonomyError(.schema, "document '\(document.id)' has no label below the taxonomy's root")
      }
      chains.append(chain)
    }
    let levels = chains.map(\.count).max() ?? 0
    var random = RandomGenerator(seed: options.seed)
    let order = random.permutation(documents.count)
    // (document, level, task) triples.
    var picks: [(document: Int, level: Int, task: Int)] = []
    switch options.scenario {
    case .multiDepth:
      for (position, document) in order.enumerated() {
        let task = position * levels / max(1, documents.count) + 1
        picks.append((document, min(task, chains[document].count), task))
      }
    case .singleDepth, .dualLabel:
      let groups = max(1, options.fineTasks)
      let coarseCount = documents.count / (groups + 1)
      // The fine classes, shuffled and dealt round-robin into groups.
      var fineClasses: [Int] = []
      var seen = Set<Int>()
      for document in order where seen.insert(chains[document].last ?? -1).inserted {
        fineClasses.append(chains[document].last ?? -1)
      }
      fineClasses.sort()
      random.shuffle(&fineClasses)
      var group: [Int: Int] = [:]
      for (k, node) in fineClasses.enumerated() { group[node] = k % groups }
      for (position, document) in order.enumerated() where position < coarseCount {
        picks.append((document, 1, 1))
      }
      for (position, document) in order.enumerated()
      where position >= coarseCount || options.scenario == .dualLabel {
        let fine = chains[document].last ?? -1
        picks.append((document, chains[document].count, 2 + (group[fine] ?? 0)))
      }
    }
    let taskCount = picks.map(\.task).max() ?? 1
    if options.imbalance > 1 { picks = imbalanced(picks, chains: chains, ratio: options.imbalance, &random) }
    if options.blurry > 0, taskCount > 1 {
      for k in picks.indices where Double(random.nextUniformDouble()) < options.blurry {
        var other = random.nextInt(below: taskCount - 1) + 1
        if other >= picks[k].task { other += 1 }
        picks[k].task = other
      }
      var byTask = [[(document: Int, level: Int, task: Int)]](repeating: [], count: taskCount + 1)
      for pick in picks { byTask[pick.task].append(pick) }
      picks = []
      for var bucket in byTask {
        random.shuffle(&bucket)
        picks += bucket
      }
    } else {
      // Stable by task, keeping the shuffled order within each task.
      picks = picks.enumerated().sorted { ($0.element.task, $0.offset) < ($1.element.task, $1.offset) }
        .map(\.element)
    }
    return picks.map { pick in
      let label = chains[pick.document][pick.level - 1]
      return StreamRecord(
        id: documents[pick.document].id, text: documents[pick.document].text, label: label,
        level: pick.level, task: pick.task)
    }
  }

  /// Keeps of each class (per level, ranked in a seeded order) the share ratio^(-rank / (classes - 1)) of its
  /// records, at least one: an exponential profile from 1 down to 1/ratio (Cui et al., CVPR 2019).
  static func imbalanced(
    _ picks: [(document: Int, level: Int, task: Int)], chains: [[Int]], ratio: Double,
    _ random: inout RandomGenerator
  ) -> [(document: Int, level: Int, task: Int)] {
    var classesByLevel: [Int: [Int]] = [:]
    var seen = Set<Int>()
    for pick in picks {
      let label = chains[pick.document][pick.level - 1]
      if seen.insert(label).inserted { classesByLevel[pick.level, default: []].append(label) }
    }
    var share: [Int: Double] = [:]
    for level in classesByLevel.keys.sorted() {
      var classes = classesByLevel[level] ?? []
      classes.sort()
      random.shuffle(&classes)
      for (rank, label) in classes.enumerated() {
        let exponent = classes.count > 1 ? Double(rank) / Double(classes.count - 1) : 0
        share[label] = pow(ratio, -exponent)
      }
    }
    var total: [Int: Int] = [:]
    for pick in picks { total[chains[pick.document][pick.level - 1], default: 0] += 1 }
    var kept: [Int: Int] = [:]
    return picks.filter { pick in
      let label = chains[pick.document][pick.level - 1]
      let quota = max(1, Int((Double(total[label] ?? 0) * (share[label] ?? 1)).rounded()))
      kept[label, default: 0] += 1
      return (kept[label] ?? 0) <= quota
    }
  }
}
