import ArborText

/// The model families `arbor train` offers.
public enum ClassifierMethod: String, Sendable, CaseIterable {
  /// HierVerb-style verbalizers: per-level scores against label vectors, hierarchy-aware losses.
  case verbalizer
  /// One linear classifier per parent node (HiClass's local classifier per parent node), on TF-IDF.
  case local
  /// One linear classifier over all path ends (single-path) or nodes (multi-path), on TF-IDF.
  case flat
}

/// How the linear methods (`flat`, `local`) fit their weights.
public enum LinearLoss: String, Sendable, CaseIterable {
  /// One-vs-rest squared-hinge SVMs by dual coordinate descent, calibrated by one fitted temperature.
  case svm
  /// Softmax (single-path) or logistic (multi-path) cross-entropy by SGD with a linearly decaying rate.
  case softmax
}

/// Settings of a classifier, stored in its model file.
public struct ClassifierConfiguration: Sendable, Equatable {
  /// The model family.
  public var method: ClassifierMethod = .flat
  /// Whether a document may carry several label paths (independent logistic outputs) or exactly one.
  public var multiPath = false
  /// How the linear methods fit their weights.
  public var loss = LinearLoss.svm
  /// Passes over the training data (for `svm`: the most passes of dual coordinate descent).
  public var epochs = 10
  /// `svm`: the regularisation constant C.
  public var cost: Float = 1
  /// Flat single-path with `svm`: the weight λ of the ancestors' one-vs-rest margins in a path end's
  /// score (0: the end's own margin only).
  public var ancestorWeight: Float = 0.3
  /// Initial SGD learning rate (decays linearly to zero).
  public var learningRate: Float = 0.5
  /// Seed of every random choice.
  public var seed: UInt64 = 0
  /// How TF-IDF rows are scaled: word and character parts separately (default) or as a whole.
  public var normalization = TFIDFModel.Normalization.perKind
  /// Hash buckets of the built-in feature extractor.
  public var bucketCount = 1 << 20
  /// Lengths of the character n-grams of the built-in features (with the `<` `>` word markers); nil
  /// for word uni- and bigrams only, which is several times faster to classify with.
  public var characterNGramLengths: ClosedRange<Int>? = 3...5
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
