import ArborTensor
import ArborTree
import Foundation

/// Settings of self-supervised training.
public struct ExpansionTrainingSettings: Sendable, Hashable {
  /// Seed of every random choice.
  public var seed: UInt64 = 17
  /// Leaves used as pseudo-queries for training.
  public var pseudoQueryCount = 16_000
  /// Further leaves held out to choose the Fitting Score constants.
  public var heldOutCount = 400
  /// Passes over the retrieval scorer's rows.
  public var retrievalEpochs = 3
  /// Passes over the coherence model's ego-trees.
  public var coherenceEpochs = 3
  /// Pseudo-queries per coherence training step.
  public var queriesPerStep = 16
  /// Peak AdamW learning rate (linear warm-up over 5% of the steps, then linear decay).
  public var learningRate: Float = 1e-3
  /// Whether to train the coherence model (without it, ranking is by retrieval alone).
  public var trainsCoherence = true
  /// Candidate retrieval settings.
  public var retrieval = RetrievalSettings()
  /// Candidates reranked by the coherence model.
  public var rerankCount = 60
  /// Sampled ancestors of the gold parents per pseudo-query (HEF label: on path, forward).
  public var forwardSamples = 3
  /// Sampled descendants of the gold parents per pseudo-query (HEF label: on path, backward).
  public var backwardSamples = 2
  /// Hard negatives per pseudo-query: the best-ranked retrieval candidates off the path.
  public var hardNegatives = 10
  /// Random negatives per pseudo-query.
  public var randomNegatives = 2
  /// Least number of updates of the retrieval scorer, so that small taxonomies (few pseudo-queries)
  /// still train.
  public var minimumRetrievalSteps = 300
  /// Least number of updates of the coherence model.
  public var minimumCoherenceSteps = 150
  /// Fewest training pseudo-queries for which the coherence model is trained; with fewer (a small
  /// taxonomy) it overfits, and ranking is by the retrieval scorer alone.
  public var minimumCoherenceQueries = 300

  /// The defaults.
  public init() {}
}

/// One labelled ego-tree: HEF's Pathfinder label (on the path or not) and Stopper label
/// (0 forward, 1 current, 2 backward).
struct LabelledTree {
  var tree: EgoTree
  var features: [Float]
  var onPath: Float
  var stopper: Int
}

/// Trains an `ExpansionModel` from a taxonomy alone (HEF's self-supervision, Wang et al. 2021, §3.4):
/// leaves play new terms, their parents are the gold positions (all of them in a DAG).
public struct ExpansionTrainer {
  /// The index of the taxonomy (its node vectors double as the pseudo-queries' vectors).
  public let index: ExpansionIndex
  /// Node texts (pseudo-query texts for the lexical channel).
  public let nodeTexts: [String]
  /// Settings.
  public let settings: ExpansionTrainingSettings
  /// Called with a line of progress (stderr in the CLI).
  public var log: (String) -> Void = { _ in }

  /// Prepares training.
  public init(index: ExpansionIndex, nodeTexts: [String], settings: ExpansionTrainingSettings) {
    self.index = index
    self.nodeTexts = nodeTexts
    self.settings = settings
  }

  /// The pseudo-queries: leaves with at least one parent, shuffled with the seed; the first
  /// `pseudoQueryCount` train, the next `heldOutCount` are held out.
  func pseudoQueries() -> (training: [Int], heldOut: [Int]) {
    let taxonomy = index.taxonomy
    var leaves = taxonomy.indices.filter { taxonomy.isLeaf($0) && !taxonomy.parents(of: $0).isEmpty }
    var generator = RandomGenerator(seed: settings.seed)
    generator.shuffle(&leaves)
    let training = Array(leaves.prefix(settings.pseudoQueryCount))
    let heldOut = Array(leaves.dropFirst(training.count).prefix(settings.heldOutCount))
    return (training, heldOut)
  }

  /// Trains and returns the model; `encoderName`/`encoderIdentity` are recorded in it.
  public func train(encoderName: String, encoderIdentity: String) -> ExpansionModel {
    var generator = RandomGenerator(seed: settings.seed &+ 1)
    let (training, heldOut) = pseudoQueries()
    let taxonomy = index.taxonomy
    log("pseudo-queries: \(training.count) training, \(heldOut.count) held out")

    // 1. Evidence, candidates and labelled ego-trees of every training pseudo-query.
    var candidateFeatures: [Float] = []
    var candidateLabels: [Float] = []
    var queryStarts: [Int] = []
    var recalled = 0
    let started = Date()
    var start = 0
    while start < training.count {
      let chunk = Array(training[start..<min(training.count, start + 64)])
      let evidences = index.evidence(
        vectors: chunk.flatMap { index.vector(of: $0) }, texts: chunk.map { nodeTexts[$0] }, excluded: chunk)
      for (query, evidence) in zip(chunk, evidences) {
        let gold = Set(taxonomy.parents(of: query))
        let (candidates, _) = index.candidates(for: evidence, settings: settings.retrieval)
        queryStarts.append(candidateLabels.count)
        candidateFeatures += candidates.features
        for node in candidates.nodes { candidateLabels.append(gold.contains(node) ? 1 : 0) }
        if candidates.nodes.contains(where: gold.contains) { recalled += 1 }
      }
      start += chunk.count
    }
    log(
      String(
        format:
          "retrieval: %d candidate rows, gold parent among candidates for %.3f of pseudo-queries (%.0f s)",
        candidateLabels.count, Double(recalled) / Double(max(1, training.count)),
        Date().timeIntervalSince(started)))

    // 2. The retrieval scorer.
    var scorer = RetrievalScorer(generator: &generator)
    scorer.fitStandardization(candidateFeatures)
    queryStarts.append(candidateLabels.count)
    trainScorer(
      &scorer, features: scorer.standardized(candidateFeatures), labels: candidateLabels,
      queryStarts: queryStarts,
      generator: &generator)

    var model = ExpansionModel(
      encoderName: encoderName, encoderIdentity: encoderIdentity, dimension: index.dimension,
      retrieval: settings.retrieval, rerankCount: settings.rerankCount, constants: FittingConstants(),
      scorer: scorer, coherence: nil)

    // 3. The coherence model.
    if settings.trainsCoherence && training.count < settings.minimumCoherenceQueries {
      log(
        "coherence model skipped: \(training.count) pseudo-queries, fewer than "
          + "\(settings.minimumCoherenceQueries); ranking by the retrieval scorer alone")
    } else if settings.trainsCoherence {
      // Ego-trees are built after the scorer is trained, so that the hard negatives are the
      // candidates the coherence model will actually have to rerank.
      var queryTrees: [[LabelledTree]] = []
      var queryVectors: [[Float]] = []
      var start = 0
      while start < training.count {
        let chunk = Array(training[start..<min(training.count, start + 64)])
        let evidences = index.evidence(
          vectors: chunk.flatMap { index.vector(of: $0) }, texts: chunk.map { nodeTexts[$0] }, excluded: chunk
        )
        for (query, evidence) in zip(chunk, evidences) {
          let gold = Set(taxonomy.parents(of: query))
          let (candidates, votes) = index.candidates(for: evidence, settings: settings.retrieval)
          let logits = scorer.scores(candidates.features, rows: candidates.nodes.count)
          let ranked = candidates.nodes.indices.sorted {
            logits[$0] > logits[$1]
              || (logits[$0] == logits[$1] && candidates.nodes[$0] < candidates.nodes[$1])
          }.prefix(settings.rerankCount).map { candidates.nodes[$0] }
          queryTrees.append(
            labelledTrees(
              query: query, gold: gold, ranked: ranked, evidence: evidence, votes: votes,
              generator: &generator))
          queryVectors.append(evidence.query)
        }
        start += chunk.count
      }
      log(String(format: "coherence: %d labelled ego-trees", queryTrees.reduce(0) { $0 + $1.count }))
      var coherence = CoherenceModel(dimension: index.dimension, generator: &generator)
      trainCoherence(&coherence, trees: queryTrees, queries: queryVectors, generator: &generator)
      model.coherence = coherence
    }

    // 4. Constants on held-out pseudo-queries.
    if !heldOut.isEmpty, let expander = try? TaxonomyExpander(index: index, model: model) {
      model.constants = tuneConstants(expander: expander, heldOut: heldOut)
    }
    return model
  }

  /// HEF's training samples for one pseudo-query: every gold parent (on path, current), sampled
  /// ancestors of gold parents (on path, forward), sampled descendants of gold parents (on path,
  /// backward, as HEF's released code labels them), and negatives (off path, backward): the hardest
  /// retrieval candidates and random nodes.
  func labelledTrees(
    query: Int, gold: Set<Int>, ranked: [Int], evidence: QueryEvidence, votes: VoteTable,
    generator: inout RandomGenerator
  ) -> [LabelledTree] {
    let taxonomy = index.taxonomy
    var ancestors = Set<Int>()
    var descendants = Set<Int>()
    for parent in gold {
      ancestors.formUnion(taxonomy.ancestors(of: parent))
      descendants.formUnion(taxonomy.descendants(of: parent))
    }
    ancestors.subtract(gold)
    descendants.subtract(gold)
    descendants.remove(query)
    func sample(_ pool: [Int], _ count: Int) -> [Int] {
      var items = pool
      generator.shuffle(&items)
      return Array(items.prefix(count))
    }
    var trees: [LabelledTree] = []
    func add(_ anchor: Int, _ onPath: Float, _ stopper: Int) {
      let tree = index.egoTree(of: anchor, for: evidence)
      trees.append(
        LabelledTree(
          tree: tree, features: index.treeFeatures(tree, evidence: evidence, votes: votes), onPath: onPath,
          stopper: stopper))
    }
    for parent in gold.sorted() { add(parent, 1, 1) }
    // Ancestors and descendants among the reranked candidates first (the confusable ones), then random.
    func pick(_ pool: Set<Int>, _ count: Int) -> [Int] {
      let near = ranked.filter(pool.contains).prefix(count)
      let rest = sample(pool.subtracting(near).sorted(), count - near.count)
      return Array(near) + rest
    }
    for node in pick(ancestors, settings.forwardSamples) { add(node, 1, 0) }
    for node in pick(descendants, settings.backwardSamples) { add(node, 1, 2) }
    // Hard negatives: the best-ranked retrieval candidates off the path.
    let hard = ranked.filter { !gold.contains($0) && !ancestors.contains($0) && !descendants.contains($0) }
    for node in hard.prefix(settings.hardNegatives) { add(node, 0, 2) }
    var added = 0
    var attempts = 0
    while added < settings.randomNegatives && attempts < 20 {
      attempts += 1
      let node = generator.nextInt(below: taxonomy.count)
      guard node != query, !gold.contains(node), !ancestors.contains(node), !descendants.contains(node) else {
        continue
      }
      add(node, 0, 2)
      added += 1
    }
    return trees
  }

  /// Trains the retrieval scorer on groups of pseudo-queries: a listwise softmax cross-entropy over each
  /// query's candidates (target: uniform over its gold parents) plus a binary cross-entropy per
  /// candidate (so that σ(logit) stays a probability), AdamW. `queryStarts` delimits each query's rows.
  func trainScorer(
    _ scorer: inout RetrievalScorer, features: [Float], labels: [Float], queryStarts: [Int],
    generator: inout RandomGenerator
  ) {
    let width = CandidateFeatures.count
    let queries = (0..<(queryStarts.count - 1)).filter { q in
      (queryStarts[q]..<queryStarts[q + 1]).contains { labels[$0] > 0 }
    }
    guard !queries.isEmpty else { return }
    let perStep = 64
    let steps = max(
      settings.minimumRetrievalSteps, settings.retrievalEpochs * ((queries.count + perStep - 1) / perStep))
    var optimizer = AdamW(
      learningRate: 3e-3, weightDecay: 1e-4,
      schedule: .linearWarmupDecay(warmupSteps: max(1, steps / 20), totalSteps: steps))
    var order: [Int] = []
    var position = queries.count
    var lossSum: Float = 0
    for step in 0..<steps {
      if position + perStep > queries.count {
        order = generator.permutation(queries.count).map { queries[$0] }
        position = 0
      }
      let batch = Array(order[position..<min(order.count, position + perStep)])
      position += perStep
      let longest = batch.map { queryStarts[$0 + 1] - queryStarts[$0] }.max() ?? 0
      var x = [Float](repeating: 0, count: batch.count * longest * width)
      var mask = [Float](repeating: -1e4, count: batch.count * longest)
      var targets = [Float](repeating: 0, count: batch.count * longest)
      var binary = [Float](repeating: 0, count: batch.count * longest)
      for (i, query) in batch.enumerated() {
        let rows = queryStarts[query]..<queryStarts[query + 1]
        let golds = Float(rows.filter { labels[$0] > 0 }.count)
        for (j, row) in rows.enumerated() {
          let slot = i * longest + j
          for k in 0..<width { x[slot * width + k] = features[row * width + k] }
          mask[slot] = 0
          targets[slot] = labels[row] / golds
          binary[slot] = labels[row]
        }
      }
      let tape = Tape()
      let logits = scorer.logits(x, rows: batch.count * longest, on: tape)
      let listwise =
        (logits.reshaped([batch.count, longest])
        + tape.constant(Tensor(shape: [batch.count, longest], storage: mask)))
        .crossEntropy(targetProbabilities: Tensor(shape: [batch.count, longest], storage: targets))
      // Padding rows get weight 0 in the binary term through a second mask.
      let weights = tape.constant(
        Tensor(shape: [batch.count * longest, 1], storage: mask.map { $0 == 0 ? 1 : 0 }))
      let pointwise =
        (logits.relu() - logits * tape.constant(Tensor(shape: [batch.count * longest, 1], storage: binary))
          + (logits.relu() + logits.scaled(by: -1).relu()).scaled(by: -1).exp().adding(
            tape.constant(Tensor(scalar: 1))
          ).log())
      let rowCount = Float(max(1, mask.filter { $0 == 0 }.count))
      let loss = listwise + (pointwise * weights).sum().scaled(by: 1 / rowCount)
      tape.backward(loss)
      var gradients = tape.gradients(for: scorer.store)
      gradients.clipByGlobalNorm(1)
      optimizer.update(&scorer.store, with: gradients)
      lossSum += loss.value.scalar
      if (step + 1) % max(1, steps / 4) == 0 {
        log(
          String(
            format: "retrieval scorer: step %d/%d, loss %.4f", step + 1, steps,
            lossSum / Float(max(1, steps / 4))))
        lossSum = 0
      }
    }
  }

  /// HEF's loss, 0.9·BCE(Pathfinder) + 0.1·CE(Stopper), over batches of pseudo-queries, AdamW.
  func trainCoherence(
    _ model: inout CoherenceModel, trees: [[LabelledTree]], queries: [[Float]],
    generator: inout RandomGenerator
  ) {
    let perStep = max(1, settings.queriesPerStep)
    let stepsPerEpoch = (trees.count + perStep - 1) / perStep
    let minimum = settings.minimumCoherenceSteps
    let epochs = max(settings.coherenceEpochs, (minimum + stepsPerEpoch - 1) / max(1, stepsPerEpoch))
    let steps = max(1, epochs * stepsPerEpoch)
    var optimizer = AdamW(
      learningRate: settings.learningRate, weightDecay: 0.01,
      schedule: .linearWarmupDecay(warmupSteps: max(1, steps / 20), totalSteps: steps))
    var lossSum: Float = 0
    let started = Date()
    var step = 0
    for _ in 0..<epochs {
      let order = generator.permutation(trees.count)
      var position = 0
      while position < order.count {
        let chosen = order[position..<min(order.count, position + perStep)]
        position += perStep
        var batch = CoherenceBatch(dimension: index.dimension)
        var pathTargets: [Float] = []
        var stopTargets: [Int] = []
        for query in chosen {
          for labelled in trees[query] {
            batch.append(
              labelled.tree, queryKey: query, query: queries[query], index: index,
              features: labelled.features,
              depthBuckets: model.shape.depthBuckets)
            pathTargets.append(labelled.onPath)
            stopTargets.append(labelled.stopper)
          }
        }
        guard batch.treeCount > 0 else { continue }
        let tape = Tape()
        let (path, stop) = model.forward(batch, on: tape)
        let pathLoss = path.binaryCrossEntropyWithLogits(
          targets: Tensor(shape: [pathTargets.count, 1], storage: pathTargets))
        let stopLoss = stop.crossEntropy(targets: stopTargets)
        let loss = pathLoss.scaled(by: 0.9) + stopLoss.scaled(by: 0.1)
        tape.backward(loss)
        var gradients = tape.gradients(for: model.store)
        gradients.clipByGlobalNorm(1)
        optimizer.update(&model.store, with: gradients)
        lossSum += loss.value.scalar
        step += 1
        if step % max(1, steps / 10) == 0 {
          log(
            String(
              format: "coherence: step %d/%d, loss %.4f (%.0f s)", step, steps,
              lossSum / Float(max(1, steps / 10)),
              Date().timeIntervalSince(started)))
          lossSum = 0
        }
      }
    }
  }

  /// Chooses `rootForward`, `leafBackward` and the retrieval weight β by accuracy (then MRR) on the
  /// held-out pseudo-queries, from small grids.
  func tuneConstants(expander: TaxonomyExpander, heldOut: [Int]) -> FittingConstants {
    let model = expander.model
    let taxonomy = index.taxonomy
    let parts = expander.parts(
      queryVectors: heldOut.flatMap { index.vector(of: $0) }, texts: heldOut.map { nodeTexts[$0] },
      excluded: heldOut)
    var best = FittingConstants()
    var bestScore = (-1.0, -1.0)
    let grid: [Float] = [0.25, 0.5, 1]
    var candidatesTried: [FittingConstants] = []
    for rootForward in grid {
      for leafBackward in grid {
        for retrievalWeight: Float in [0, 0.5, 1, 2, 4] {
          for exponents in 0..<16 {
            var constants = FittingConstants()
            constants.rootForward = rootForward
            constants.leafBackward = leafBackward
            constants.retrievalWeight = retrievalWeight
            constants.currentWeight = exponents & 1 == 0 ? 1 : 0
            constants.pathWeight = exponents & 2 == 0 ? 1 : 0
            constants.forwardWeight = exponents & 4 == 0 ? 1 : 0
            constants.backwardWeight = exponents & 8 == 0 ? 1 : 0
            candidatesTried.append(constants)
          }
        }
      }
    }
    for constants in candidatesTried {
      var correct = 0.0
      var reciprocal = 0.0
      for (query, part) in zip(heldOut, parts) {
        let gold = Set(taxonomy.parents(of: query))
        let ranked = TaxonomyExpander.positions(from: part, constants: constants, limit: part.nodes.count)
        if let rank = ranked.firstIndex(where: { gold.contains($0.node) }) {
          if rank == 0 { correct += 1 }
          reciprocal += 1 / Double(rank + 1)
        }
      }
      let score = (correct, reciprocal)
      if score > bestScore {
        bestScore = score
        best = constants
      }
      if constants == FittingConstants() {
        log(
          String(
            format: "held-out pseudo-queries: HEF's product F·σ(logit) alone: accuracy %.3f, MRR %.3f",
            correct / Double(max(1, heldOut.count)), reciprocal / Double(max(1, heldOut.count))))
      }
    }
    let n = Double(max(1, heldOut.count))
    best.consensusWeight = tuneConsensusWeight(constants: best, heldOut: heldOut, parts: parts)
    var retrievalCorrect = 0.0
    var recalled = 0.0
    for (query, part) in zip(heldOut, parts) {
      let gold = Set(taxonomy.parents(of: query))
      if let first = part.nodes.first, gold.contains(first) { retrievalCorrect += 1 }
      if part.nodes.contains(where: gold.contains) { recalled += 1 }
    }
    log(
      String(
        format: "held-out pseudo-queries: retrieval alone accuracy %.3f, recall@%d %.3f",
        retrievalCorrect / n, model.retrieval.candidateCount, recalled / n))
    log(
      String(
        format:
          "held-out pseudo-queries: accuracy %.3f, MRR %.3f with root_forward %.2f, leaf_backward %.2f, β %.1f, "
          + "exponents current %.0f, path %.0f, forward %.0f, backward %.0f; consensus λ %.1f",
        bestScore.0 / n, bestScore.1 / n, best.rootForward, best.leafBackward, best.retrievalWeight,
        best.currentWeight, best.pathWeight, best.forwardWeight, best.backwardWeight, best.consensusWeight))
    return best
  }

  /// Chooses the consensus weight λ (0 keeps the plain ranking) by the sum of accuracy, MRR and
  /// Wu & Palmer on the held-out pseudo-queries.
  func tuneConsensusWeight(constants: FittingConstants, heldOut: [Int], parts: [RankingParts]) -> Float {
    let taxonomy = index.taxonomy
    var consensus = ConsensusRerank(taxonomy)
    var bestWeight: Float = 0
    var bestTotal = -Double.infinity
    for weight: Float in [0, 0.5, 1, 2, 4, 8] {
      var trial = constants
      trial.consensusWeight = weight
      var total = 0.0
      var similarity = 0.0
      for (query, part) in zip(heldOut, parts) {
        let gold = taxonomy.parents(of: query)
        let ranked = TaxonomyExpander.positions(
          from: part, constants: trial, limit: part.nodes.count, consensus: &consensus)
        if let rank = ranked.firstIndex(where: { gold.contains($0.node) }) {
          if rank == 0 { total += 1 }
          total += 1 / Double(rank + 1)
        }
        if let top = ranked.first {
          let wup = gold.map { Double(consensus.wuPalmer(top.node, $0)) }.max() ?? 0
          total += wup
          similarity += wup
        }
      }
      log(
        String(
          format: "held-out pseudo-queries: consensus λ %.1f: accuracy + MRR + Wu&P %.3f (Wu&P %.3f)", weight,
          total / Double(max(1, heldOut.count)), similarity / Double(max(1, heldOut.count))))
      if total > bestTotal + 1e-9 {
        bestTotal = total
        bestWeight = weight
      }
    }
    return bestWeight
  }
}
