import ArborOrganize
import ArborRL
import ArborText
import ArborTree
import ArgumentParser
import Foundation

extension FinetuneCommand {
  /// Fine-tunes a topic-tree model file (`arbor organize build --tree-model`, `arbor organize add --out`)
  /// through its placement policy (`TopicTreePolicy`) on user corrections; the result is a topic-tree
  /// model whose tuned centroids `arbor organize add` places by.
  ///
  /// Records are `{"id"?, "title"?, "text", "labels": [node id]}`: the document as `organize add` embeds
  /// it and the one node it belongs to, a leaf or an internal topic. Rewards see a predicted path only
  /// down to the corrected node's depth (`TopicCorrectionReward`): an internal correction leaves the
  /// leaf open. Checkpoints are judged by greedy placement (`--placement greedy`) on --dev.
  func finetuneTopicTree() throws {
    if taxonomy != nil {
      printError("arbor: \(model): a topic-tree model carries its own tree; drop --taxonomy")
      throw ExitCode(2)
    }
    let trained = try TopicTreeModel.read(from: model)
    let encoding = try OrganizeEncoderOptions.parse([])
    let encoder = try encoding.makeEncoder(for: trained, modelPath: model)
    let policy = try trained.policy()
    let tree = policy.actionSpace.taxonomy
    let training = try readCorrections(train, policy: policy, encoder: encoder, encoding: encoding)
    let development = try dev.map {
      try readCorrections($0, policy: policy, encoder: encoder, encoding: encoding)
    }
    guard case .success(let terms) = PathReward.parseTerms(reward) else { throw ExitCode(2) }
    let makeReward = { (terms: [(kind: PathRewardKind, weight: Double)]) in
      TopicCorrectionReward(base: PathReward(taxonomy: tree, terms: terms), taxonomy: tree)
    }
    // Dev scores under the same cut as training: exact means the greedy path passes the corrected node.
    let evaluate = development.map { records in
      { (candidate: TopicTreePolicy) throws -> PolicyEvaluation in
        var rewardFunction = makeReward(terms)
        var exact = makeReward([(.exact, 1)])
        var total = 0.0
        var hits = 0.0
        for start in stride(from: 0, to: records.contexts.count, by: 256) {
          let end = min(records.contexts.count, start + 256)
          let paths = candidate.greedyPaths(for: Array(records.contexts[start..<end]))
          for (offset, path) in paths.enumerated() {
            let labels = Array(path.labels)
            total += rewardFunction.reward(predicted: labels, gold: records.golds[start + offset])
            hits += exact.reward(predicted: labels, gold: records.golds[start + offset])
          }
        }
        let count = Double(max(1, records.golds.count))
        return PolicyEvaluation(meanReward: total / count, exactPathAccuracy: hits / count)
      }
    }
    let note =
      "from \(model): reward \(reward), estimator \(estimator), \(steps) steps, group size \(groupSize), "
      + "seed \(seed), temperature \(policy.temperature)"
    try trainPolicy(
      policy, tree: tree, training: (training.contexts, training.golds),
      development: development.map { ($0.contexts, $0.golds) }, rewardFunction: makeReward,
      evaluate: evaluate
    ) { policy in
      try trained.updating(with: policy, note: note).write(to: out)
    }
  }

  /// Correction records as the policy's contexts (the texts embedded in one batch) and gold node paths.
  func readCorrections(
    _ path: String, policy: TopicTreePolicy, encoder: any TextEncoder, encoding: OrganizeEncoderOptions
  ) throws -> (contexts: [[Float]], golds: [[Int]]) {
    let taxonomy = policy.actionSpace.taxonomy
    let bytes = try ArborFile.readBytes(path)
    var texts: [String] = []
    var golds: [[Int]] = []
    try JSONLines.forEach(bytes, file: path) { (record, location) throws(TaxonomyError) in
      let gold = try goldLabels(of: record, taxonomy: taxonomy, at: location)
      guard gold.count == 1 else {
        throw TaxonomyError(
          .schema, "a correction names one node: field 'labels' must hold exactly one node id", at: location)
      }
      guard gold[0] != taxonomy.root else {
        throw TaxonomyError(
          .schema, "'\(taxonomy.id(gold[0]))' is the root, not a topic; name a topic in 'labels'",
          at: location)
      }
      texts.append(try correctionText(of: record, at: location))
      golds.append(gold)
    }
    if texts.isEmpty { throw TaxonomyError(.schema, "no records", at: .init(file: path, line: 1)) }
    let vectors = try encoding.encode(texts, with: encoder, label: stderrIsTerminal ? "embedding" : nil)
    return (policy.contexts(vectors: vectors), golds)
  }
}

/// A correction's text as `arbor organize add` embeds a JSONL record: `title. text` (either may be absent,
/// not both), trimmed.
private func correctionText(of record: JSONValue, at location: SourceLocation) throws(TaxonomyError) -> String
{
  func field(_ name: String) throws(TaxonomyError) -> String {
    guard let value = record[name], value != .null else { return "" }
    guard let text = value.stringValue else {
      throw TaxonomyError(.schema, "field '\(name)' must be a string", at: location)
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
  let title = try field("title")
  let text = try field("text")
  if title.isEmpty && text.isEmpty {
    throw TaxonomyError(.schema, "field 'text' must be a non-empty string", at: location)
  }
  return CollectionRecord(id: "", title: title, text: text).fullText
}
