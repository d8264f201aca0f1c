import ArborExpand
import ArborRL
import ArborText
import ArborTree
import ArgumentParser

extension FinetuneCommand {
  /// The sampling temperature of expansion fine-tuning when `--temperature` is not given. At T = 1 the
  /// samples spread over the long tail of about 100 candidates and training mostly cuts that tail, which
  /// leaves `arbor expand`'s top choice no better; at 0.3 the samples compare the few candidates the top
  /// choice is made among (docs/rl.md, measured on wn-noun-expand).
  static let expansionTemperature: Float = 0.3

  /// Fine-tunes an expansion model file (`arbor expand train`'s output) through its top-down position
  /// policy (`ExpansionPolicy`); the result is an expansion model file for `arbor expand --model`.
  func finetuneExpansion() throws {
    guard let taxonomy else {
      printError(
        "arbor: \(model): an expansion model needs the taxonomy it places terms in; pass --taxonomy")
      throw ExitCode(2)
    }
    let trained: ExpansionModel
    do { trained = try ExpansionModel.load(from: model) } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    let tree = try Taxonomy.read(from: taxonomy)
    let policy: ExpansionPolicy
    let index: ExpansionIndex
    let training: ExpansionRecords
    let development: ExpansionRecords?
    do {
      let encoding = try ExpandEncoderOptions.parse(["--dimension", String(trained.dimension)])
      let (built, encoder, _) = try buildExpansionIndex(
        taxonomy: tree, encoderName: trained.encoderName, options: encoding, modelFile: model)
      index = built
      if trained.encoderIdentity != encoder.identity {
        printError(
          "arbor: warning: the model was trained with encoder \(trained.encoderIdentity), not \(encoder.identity)"
        )
      }
      policy = ExpansionPolicy(model: trained, index: index)
      training = try readExpansionRecords(train, policy: policy, encoder: encoder, encoding: encoding)
      development = try dev.map {
        try readExpansionRecords($0, policy: policy, encoder: encoder, encoding: encoding)
      }
    } catch let error as TaxonomyError {
      throw error
    } catch let error as ExitCode {
      throw error
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    let note =
      "from \(model): reward \(reward), estimator \(estimator), \(steps) steps, group size \(groupSize), "
      + "temperature \(temperature ?? Self.expansionTemperature), seed \(seed)"
    // Checkpoints are judged by what `arbor expand` will do with them: the full ranking (retrieval
    // scorer, then the coherence model), top-1 against the gold parents, not the policy's own greedy
    // top-down walk, which can trade exact hits for near misses that the ranking does not make.
    guard case .success(let terms) = PathReward.parseTerms(reward) else { throw ExitCode(2) }
    let evaluate = development.map { records in
      { (candidate: ExpansionPolicy) throws -> PolicyEvaluation in
        let expander: TaxonomyExpander
        do { expander = try TaxonomyExpander(index: index, model: trained.updating(with: candidate)) } catch {
          printError("arbor: \(error)")
          throw ExitCode(1)
        }
        let ranked = expander.rank(
          queryVectors: records.vectors, texts: records.texts, hiding: records.hidden, limit: 1)
        var rewardFunction = PathReward(taxonomy: tree, terms: terms)
        var total = 0.0
        var hits = 0
        for (positions, gold) in zip(ranked, records.golds) {
          guard let top = positions.first?.node else { continue }
          total += rewardFunction.reward(predicted: [top], gold: gold)
          if gold.contains(top) { hits += 1 }
        }
        let count = Double(max(1, records.golds.count))
        return PolicyEvaluation(meanReward: total / count, exactPathAccuracy: Double(hits) / count)
      }
    }
    try trainPolicy(
      policy, tree: tree, training: (training.contexts, training.golds),
      development: development.map { ($0.contexts, $0.golds) }, evaluate: evaluate,
      defaultTemperature: Self.expansionTemperature
    ) { policy in
      do { try trained.updating(with: policy, note: note).save(to: out) } catch {
        printError("arbor: \(error)")
        throw ExitCode(1)
      }
    }
  }

  /// Records of query terms with their gold parents (`labels`): the term as `arbor expand` reads it
  /// (`label`, optional `altLabels` and `definition`; or a ready `text`). When `id` names a node of the
  /// taxonomy (a pseudo-query made from an existing node), that node is hidden from the query.
  func readExpansionRecords(
    _ path: String, policy: ExpansionPolicy, encoder: any TextEncoder, encoding: ExpandEncoderOptions
  ) throws -> ExpansionRecords {
    let taxonomy = policy.actionSpace.taxonomy
    let bytes = try ArborFile.readBytes(path)
    var texts: [String] = []
    var hidden: [Int] = []
    var golds: [[Int]] = []
    try JSONLines.forEach(bytes, file: path) { (record, location) throws(TaxonomyError) in
      let gold = try goldLabels(of: record, taxonomy: taxonomy, at: location)
      texts.append(try queryText(of: record, at: location))
      hidden.append(record["id"]?.stringValue.flatMap { taxonomy.index(of: $0) } ?? -1)
      golds.append(gold)
    }
    if texts.isEmpty { throw TaxonomyError(.schema, "no records", at: .init(file: path, line: 1)) }
    let vectors = try encoding.encode(texts, with: encoder, label: "encoding terms")
    return ExpansionRecords(
      contexts: policy.contexts(queryVectors: vectors, texts: texts, hidden: hidden), golds: golds,
      vectors: vectors, texts: texts, hidden: hidden)
  }
}

/// Query-term records read for expansion fine-tuning: the policy's contexts and what ranking them needs.
struct ExpansionRecords {
  var contexts: [ExpansionPolicyContext]
  var golds: [[Int]]
  /// `[records, dimension]` query vectors.
  var vectors: [Float]
  var texts: [String]
  /// The node each record hides (a pseudo-query's own node), or -1.
  var hidden: [Int]
}

/// The text of a query-term record, composed as `arbor expand` composes a term's text.
private func queryText(of record: JSONValue, at location: SourceLocation) throws(TaxonomyError) -> String {
  func failure(_ message: String) -> TaxonomyError { TaxonomyError(.schema, message, at: location) }
  if let labelValue = record["label"] {
    guard let label = labelValue.stringValue, !label.allSatisfy(\.isWhitespace) else {
      throw failure("field 'label' must be a non-empty string")
    }
    var alternatives: [String] = []
    if let list = record["altLabels"], list != .null {
      guard let items = list.arrayValue else {
        throw failure("field 'altLabels' must be an array of strings")
      }
      for item in items {
        guard let name = item.stringValue else { throw failure("field 'altLabels' must hold strings") }
        alternatives.append(name)
      }
    }
    var definition: String?
    if let value = record["definition"], value != .null {
      guard let text = value.stringValue else { throw failure("field 'definition' must be a string") }
      definition = text
    }
    return ExpansionText.compose(label: label, alternativeLabels: alternatives, definition: definition)
  }
  guard let text = record["text"]?.stringValue, !text.allSatisfy(\.isWhitespace) else {
    throw failure(
      "each record needs the query term: 'label' (with optional 'altLabels', 'definition') or 'text'")
  }
  return text
}
