import ArborMetrics
import ArborTensor
import ArborTree
import Foundation

/// The outcome of running a learner over a stream.
public struct ContinualResult: Sendable {
  /// The method's name.
  public var method: String
  /// Per-level metrics (index 0 is level 1).
  public var levels: [LevelMetrics]
  /// Share of test documents right at every level the stream exposed.
  public var pathAccuracy: Double
  /// Share of test documents whose predictions form a valid path (each predicted node below the predicted
  /// node of the level above).
  public var consistency: Double
  /// Hierarchical micro F1 of the final predictions (ArborMetrics).
  public var hierarchicalF1: Double
  /// Wall-clock seconds of the whole stream, evaluations included.
  public var seconds: Double
  /// Every evaluation point.
  public var curve: [EvaluationPoint]
}

/// Runs a learner over a stream with periodic evaluation on test documents.
public struct ContinualRunner: Sendable {
  /// The method (its configuration is `configuration`).
  public var method: ContinualMethod
  /// The learner's settings.
  public var configuration: LearnerConfiguration
  /// Stream samples between evaluations.
  public var evaluationInterval = 1000
  /// Seed of the learner's random choices.
  public var seed: UInt64 = 0
  /// Epochs of the offline joint reference.
  public var jointEpochs = 3
  /// OpenBLAS threads during the run (restored afterwards); nil keeps the current setting. The default 1
  /// suits the small per-batch products, for which waking threads costs more than it saves.
  public var blasThreadCount: Int? = 1

  /// A runner of a method with its default settings.
  public init(method: ContinualMethod, configuration: LearnerConfiguration? = nil) {
    self.method = method
    self.configuration = configuration ?? .method(method)
  }

  /// Runs the stream (`streamVectors`: one row per record) and evaluates on the test documents, whose label
  /// chains (`testChains[i][l]`: node at level l+1 or −1) and vectors are given; `progress(done, total)`
  /// is called after each evaluation.
  public func run(
    stream: [StreamRecord], streamVectors: [Float], testChains: [[Int]], testVectors: [Float],
    taxonomy: Taxonomy, dimension: Int, progress: ((Int, Int) -> Void)? = nil
  ) -> ContinualResult {
    let previousThreads = blasThreads()
    if let blasThreadCount { setBLASThreads(blasThreadCount) }
    defer { setBLASThreads(previousThreads) }
    let started = Date()
    let levels = max(stream.map(\.level).max() ?? 1, testChains.map(\.count).max() ?? 1)
    var learner = ContinualLearner(
      configuration: configuration, taxonomy: taxonomy, levels: levels, dimension: dimension, seed: seed,
      expectedStreamLength: stream.count)
    let testCount = testChains.count
    var exposed = [Set<Int>](repeating: [], count: levels)
    var points: [EvaluationPoint] = []
    var predictions: [Int] = []
    let n = stream.count
    let d = dimension
    let batchSize = max(1, configuration.streamBatch)

    func evaluate(samples: Int, task: Int, isTaskEnd: Bool) {
      learner.prepareForPrediction()
      predictions = learner.predict(testVectors, rows: testCount)
      var accuracy = [Double?](repeating: nil, count: levels)
      var classAccuracy = [[Int: Double]](repeating: [:], count: levels)
      for l in 0..<levels where !exposed[l].isEmpty {
        var correct: [Int: Int] = [:]
        var total: [Int: Int] = [:]
        for i in 0..<testCount {
          let gold = l < testChains[i].count ? testChains[i][l] : -1
          guard gold >= 0, exposed[l].contains(gold) else { continue }
          total[gold, default: 0] += 1
          if predictions[i * levels + l] == gold { correct[gold, default: 0] += 1 }
        }
        let all = total.values.reduce(0, +)
        guard all > 0 else { continue }
        accuracy[l] = Double(correct.values.reduce(0, +)) / Double(all)
        for (node, count) in total { classAccuracy[l][node] = Double(correct[node] ?? 0) / Double(count) }
      }
      points.append(
        EvaluationPoint(
          samples: samples, task: task, isTaskEnd: isTaskEnd, accuracy: accuracy, classAccuracy: classAccuracy
        ))
      progress?(samples, n)
    }

    if method == .joint {
      for record in stream { exposed[record.level - 1].insert(record.label) }
      var random = RandomGenerator(seed: seed)
      for _ in 0..<jointEpochs {
        let order = random.permutation(n)
        var start = 0
        while start < n {
          let end = min(n, start + batchSize)
          var vectors: [Float] = []
          vectors.reserveCapacity((end - start) * d)
          var labels: [Int] = []
          for k in start..<end {
            let i = order[k]
            vectors += streamVectors[(i * d)..<((i + 1) * d)]
            labels.append(stream[i].label)
          }
          learner.observe(vectors, labels: labels)
          start = end
        }
      }
      evaluate(samples: n, task: stream.last?.task ?? 1, isTaskEnd: true)
    } else {
      var nextEvaluation = evaluationInterval
      var start = 0
      while start < n {
        // A batch never spans two tasks, so each task's last evaluation sees that task only.
        var end = min(n, start + batchSize)
        if let cut = (start + 1..<end).first(where: { stream[$0].task != stream[start].task }) { end = cut }
        for i in start..<end { exposed[stream[i].level - 1].insert(stream[i].label) }
        let labels = stream[start..<end].map(\.label)
        learner.observe(Array(streamVectors[(start * d)..<(end * d)]), labels: labels)
        let taskEnds = end == n || stream[end].task != stream[end - 1].task
        if taskEnds { learner.endTask() }
        if end >= nextEvaluation || taskEnds {
          evaluate(samples: end, task: stream[end - 1].task, isTaskEnd: taskEnds)
          while nextEvaluation <= end { nextEvaluation += max(1, evaluationInterval) }
        }
        start = end
      }
    }

    // Final summaries.
    let active = (0..<levels).filter { !exposed[$0].isEmpty }
    var right = 0
    var labelled = 0
    var consistent = 0
    var ancestorCache: [Int: Set<Int>] = [:]
    var evaluation = ClassificationEvaluation(hierarchy: LabelHierarchy(taxonomy))
    for i in 0..<testCount {
      let chain = testChains[i]
      if active.allSatisfy({ $0 < chain.count && chain[$0] >= 0 }) {
        labelled += 1
        if active.allSatisfy({ predictions[i * levels + $0] == chain[$0] }) { right += 1 }
      }
      var previous = -1
      var valid = true
      for l in 0..<levels {
        let node = predictions[i * levels + l]
        guard node >= 0 else { continue }
        if previous >= 0 {
          if ancestorCache[node] == nil { ancestorCache[node] = Set(taxonomy.ancestors(of: node)) }
          if ancestorCache[node]?.contains(previous) != true { valid = false }
        }
        previous = node
      }
      if valid { consistent += 1 }
      if let gold = chain.last(where: { $0 >= 0 }) {
        let predicted = (0..<levels).reversed().map { predictions[i * levels + $0] }.filter { $0 >= 0 }
        evaluation.add(gold: [Int32(gold)][...], predicted: predicted.map { Int32($0) }[...])
      }
    }
    let root = taxonomy.root
    let hF1 = evaluation.hierarchical.micro(over: (0..<taxonomy.count).filter { $0 != root }).f1
    return ContinualResult(
      method: method.rawValue,
      levels: (0..<levels).map { AnytimeMetrics.level($0, points: points) },
      pathAccuracy: labelled > 0 ? Double(right) / Double(labelled) : 0,
      consistency: testCount > 0 ? Double(consistent) / Double(testCount) : 0,
      hierarchicalF1: hF1,
      seconds: Date().timeIntervalSince(started),
      curve: points)
  }
}
