/// The model families `arbor train` offers.
public enum ClassifierMethod: String, Sendable, CaseIterable {
  /// HierVerb-style verbalizers: per-level scores against label vectors, hierarchy-aware losses.
  case verbalizer
  /// One linear classifier per parent node (HiClass's local classifier per parent node), on TF-IDF.
  case local
  /// One linear classifier over all path ends (single-path) or nodes (multi-path), on TF-IDF.
  case flat
}

/// Settings of a classifier, stored in its model file.
public struct ClassifierConfiguration: Sendable, Equatable {
  /// The model family.
  public var method: ClassifierMethod = .flat
  /// Whether a document may carry several label paths (independent logistic outputs) or exactly one.
  public var multiPath = false
  /// Passes over the training data.
  public var epochs = 10
  /// Initial SGD learning rate (decays linearly to zero).
  public var learningRate: Float = 0.5
  /// Seed of every random choice.
  public var seed: UInt64 = 0
  /// Hash buckets of the built-in feature extractor.
  public var bucketCount = 1 << 20
  /// Features seen in fewer training documents are dropped.
  public var minimumDocumentFrequency: Int32 = 2
  /// Partial paths kept by the decoder.
  public var beamWidth = 10
  /// When set, a path may stop at an internal node whose children all have lower probability.
  public var stopThreshold: Float?
  /// Multi-path decoding: the probability a node needs to be predicted.
  public var threshold: Float = 0.5
  /// Linear methods: training documents kept, class-balanced, as the rehearsal memory of `arbor learn`
  /// (0 keeps none).
  public var memorySize = 2000

  /// Default settings.
  public init() {}
}
