/// How `arbor learn` updates a trained classifier.
public struct ModelUpdateSettings: Sendable, Equatable {
  /// Passes over the new documents.
  public var epochs = 3
  /// Initial SGD learning rate (decays linearly to zero); nil takes half the model's training
  /// rate (SGD-trained models) or 0.05 (SVM-trained models).
  public var learningRate: Float?
  /// Rehearsal items drawn from the memory per new document in every pass.
  public var replayRatio: Float = 1
  /// The rehearsal memory's size after the update; nil keeps the model's (2,000 when it has none).
  public var memorySize: Int?
  /// Seed of every random choice.
  public var seed: UInt64 = 0
  /// Whether the grown taxonomy may give nodes the model knows different parents.
  public var allowMoves = false
  /// What the logit adjustment measures class frequencies against.
  public enum AdjustmentReference: String, Sendable, CaseIterable {
    /// The whole update stream (new documents and rehearsal) against every document seen: keeps the
    /// seen class prior; best when new documents bring new classes.
    case stream
    /// Only the classes the new documents over-represent: lets the class-balanced rehearsal lift
    /// rare classes; best when new documents are drawn like the old ones.
    case newDocuments = "new"
  }

  /// Weight τ of the logit adjustment for the update stream's class frequencies (0 turns it off).
  public var logitAdjustment: Float = 1
  /// What the logit adjustment measures class frequencies against.
  public var adjustmentReference = AdjustmentReference.stream
  /// Scale of a new class's mean feature row added to its initial weights (see docs/learn.md).
  public var prototypeScale: Float = 5

  /// Default settings.
  public init() {}
}

/// What an update did, for the user's summary line.
public struct ModelUpdateSummary: Sendable, Equatable {
  /// New documents trained on.
  public var documentCount = 0
  /// Nodes of the grown taxonomy that the model did not know.
  public var addedNodeIDs: [String] = []
  /// Old nodes the grown taxonomy placed under other parents.
  public var movedNodeIDs: [String] = []
  /// Old leaves that the grown taxonomy gives children none of the new documents carry: decoding
  /// always continues to a leaf, so documents of these nodes now end at one of the new children.
  public var strandedNodeIDs: [String] = []
  /// Outputs (rows of the heads) added for new labels.
  public var addedOutputCount = 0
  /// Outputs of the updated model.
  public var outputCount = 0
  /// SGD steps taken (new documents and rehearsed items).
  public var updateCount = 0
  /// Rehearsal items before and after the update.
  public var memoryBefore = 0
  /// Rehearsal items kept in the updated model.
  public var memoryAfter = 0
}
