import ArborTensor
import Foundation

/// Constants of the Fitting Score and the final ranking, chosen on held-out pseudo-queries.
public struct FittingConstants: Sendable, Hashable {
  /// S_forward used for the root's (missing) parent (HEF's `root_forward`).
  public var rootForward: Float = 1
  /// S_backward used when the anchor has no child (HEF's `leaf_backward`).
  public var leafBackward: Float = 1
  /// Weight β of the retrieval log-probability added to log F.
  public var retrievalWeight: Float = 1
  /// Exponents of the Fitting Score's four factors in the ranking score (1 each is HEF's product;
  /// 0 drops a factor), chosen on held-out pseudo-queries.
  public var currentWeight: Float = 1
  /// Exponent of S_path(a).
  public var pathWeight: Float = 1
  /// Exponent of S_forward(parent(a)).
  public var forwardWeight: Float = 1
  /// Exponent of S_backward(child*(a)).
  public var backwardWeight: Float = 1
  /// Weight λ of the expected Wu & Palmer similarity in the consensus rerank of the best anchors
  /// (0: off; see `ConsensusRerank`).
  public var consensusWeight: Float = 0

  /// The defaults.
  public init() {}
}

/// A trained expansion model: the retrieval scorer, the coherence model and their settings, tied to
/// the encoder it was trained with.
public struct ExpansionModel: Sendable {
  /// The encoder name given at training (`builtin`, `minilm` or a model directory).
  public var encoderName: String
  /// The encoder's identity at training time.
  public var encoderIdentity: String
  /// Vector width.
  public var dimension: Int
  /// Candidate retrieval settings.
  public var retrieval: RetrievalSettings
  /// Candidates reranked by the coherence model (the rest keep their retrieval order below them).
  public var rerankCount: Int
  /// Fitting Score constants.
  public var constants: FittingConstants
  /// How the model was fine-tuned (`arbor finetune`), or nil for a model straight from training.
  public var finetuning: String?
  var scorer: RetrievalScorer
  var coherence: CoherenceModel?

  static let format = "arbor-expand"
  static let version = 1

  /// Writes the model as one safetensors file (weights plus settings in its metadata), atomically.
  public func save(to path: String) throws(SafeTensorsError) {
    var tensors: [(name: String, tensor: Tensor)] = zip(scorer.store.names, scorer.store.values).map {
      ($0, $1)
    }
    tensors.append(("retrieval.means", Tensor(shape: [scorer.means.count], storage: scorer.means)))
    tensors.append(
      ("retrieval.deviations", Tensor(shape: [scorer.deviations.count], storage: scorer.deviations)))
    if let coherence {
      tensors += zip(coherence.store.names, coherence.store.values).map { ($0, $1) }
    }
    var metadata: [String: String] = [
      "format": Self.format, "version": String(Self.version), "encoder": encoderName,
      "encoder_identity": encoderIdentity, "dimension": String(dimension),
      "candidate_count": String(retrieval.candidateCount), "vote_depth": String(retrieval.voteDepth),
      "parent_pool": String(retrieval.parentPool), "node_pool": String(retrieval.nodePool),
      "centroid_pool": String(retrieval.centroidPool), "rerank_count": String(rerankCount),
      "root_forward": String(constants.rootForward), "leaf_backward": String(constants.leafBackward),
      "retrieval_weight": String(constants.retrievalWeight),
      "consensus_weight": String(constants.consensusWeight),
      "exponents": [
        constants.currentWeight, constants.pathWeight, constants.forwardWeight, constants.backwardWeight,
      ]
      .map { String($0) }.joined(separator: ","),
      "features": CandidateFeatures.names.joined(separator: ","),
      "coherence_hidden": String(coherence?.shape.hidden ?? 0),
      "coherence_heads": String(coherence?.shape.heads ?? 0),
      "coherence_feed_forward": String(coherence?.shape.feedForward ?? 0),
    ]
    if let finetuning { metadata["finetuned"] = finetuning }
    try SafeTensorsFile.write(tensors, metadata: metadata, to: path)
  }

  /// Reads a model written by `save(to:)`; errors name the file and what is wrong.
  public static func load(from path: String) throws(SafeTensorsError) -> ExpansionModel {
    let file = try SafeTensorsFile(path: path)
    let metadata = file.metadata
    func failure(_ message: String) -> SafeTensorsError { SafeTensorsError(path: path, message: message) }
    guard metadata["format"] == format else {
      throw failure("not an arbor expansion model (metadata format is not \"\(format)\")")
    }
    guard metadata["version"] == String(version) else {
      throw failure("unsupported expansion model version \(metadata["version"] ?? "(none)")")
    }
    guard metadata["features"] == CandidateFeatures.names.joined(separator: ",") else {
      throw failure("the model was trained with other candidate features; retrain it")
    }
    func integer(_ key: String) throws(SafeTensorsError) -> Int {
      guard let text = metadata[key], let value = Int(text), (0...1 << 20).contains(value) else {
        throw failure("metadata \"\(key)\" must be an integer from 0 to 1048576")
      }
      return value
    }
    func real(_ key: String) throws(SafeTensorsError) -> Float {
      guard let text = metadata[key], let value = Float(text), value.isFinite else {
        throw failure("metadata \"\(key)\" must be a number")
      }
      return value
    }
    let dimension = try integer("dimension")
    var retrieval = RetrievalSettings()
    retrieval.candidateCount = try integer("candidate_count")
    retrieval.voteDepth = try integer("vote_depth")
    retrieval.parentPool = try integer("parent_pool")
    retrieval.nodePool = try integer("node_pool")
    retrieval.centroidPool = try integer("centroid_pool")
    var constants = FittingConstants()
    constants.rootForward = try real("root_forward")
    constants.leafBackward = try real("leaf_backward")
    constants.retrievalWeight = try real("retrieval_weight")
    // Absent in models written before the consensus rerank existed.
    if metadata["consensus_weight"] != nil { constants.consensusWeight = try real("consensus_weight") }
    let exponents = (metadata["exponents"] ?? "").split(separator: ",").compactMap { Float(String($0)) }
    guard exponents.count == 4, exponents.allSatisfy(\.isFinite) else {
      throw failure("metadata \"exponents\" must be four comma-separated numbers")
    }
    constants.currentWeight = exponents[0]
    constants.pathWeight = exponents[1]
    constants.forwardWeight = exponents[2]
    constants.backwardWeight = exponents[3]

    func tensor(_ name: String, _ shape: [Int]) throws(SafeTensorsError) -> Tensor {
      let value = try file.tensor(name)
      guard value.shape == shape else {
        throw failure("tensor \"\(name)\" has shape \(value.shape), expected \(shape)")
      }
      return value
    }
    var generator = RandomGenerator(seed: 0)
    let fresh = RetrievalScorer(generator: &generator)
    var scorerStore = ParameterStore()
    for (name, value) in zip(fresh.store.names, fresh.store.values) {
      _ = scorerStore.add(name, try tensor(name, value.shape))
    }
    let features = CandidateFeatures.count
    let scorer = RetrievalScorer(
      store: scorerStore, means: try tensor("retrieval.means", [features]).storage,
      deviations: try tensor("retrieval.deviations", [features]).storage)
    var coherence: CoherenceModel?
    if try integer("coherence_hidden") > 0 {
      var template = CoherenceModel(dimension: dimension, generator: &generator)
      guard
        try integer("coherence_hidden") == template.shape.hidden,
        try integer("coherence_heads") == template.shape.heads,
        try integer("coherence_feed_forward") == template.shape.feedForward
      else { throw failure("coherence model sizes differ from this version's; retrain it") }
      var store = ParameterStore()
      for (name, value) in zip(template.store.names, template.store.values) {
        _ = store.add(name, try tensor(name, value.shape))
      }
      template.store = store
      coherence = template
    }
    return ExpansionModel(
      encoderName: metadata["encoder"] ?? "builtin", encoderIdentity: metadata["encoder_identity"] ?? "",
      dimension: dimension, retrieval: retrieval, rerankCount: try integer("rerank_count"),
      constants: constants, finetuning: metadata["finetuned"],
      scorer: scorer, coherence: coherence)
  }
}
