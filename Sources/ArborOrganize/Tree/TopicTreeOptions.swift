/// How `TopicTreeBuilder` clusters a collection.
public struct TopicTreeOptions: Sendable {
  /// The clustering strategy.
  public enum Method: String, Sendable, CaseIterable {
    /// Split the collection, then each cluster, level by level (SCYCHIC's top-down mode).
    case topDown = "top-down"
    /// Cluster the documents into the finest level, then the clusters into each coarser level.
    case bottomUp = "bottom-up"
    /// Agglomerative ward linkage on the documents, cut at each level (up to `wardLimit` documents).
    case ward
  }

  /// How many nodes each level gets.
  public enum Levels: Sendable, Equatable {
    /// Exactly these many nodes per level, top first; children allocated in proportion to size.
    case fixed([Int])
    /// Branching chosen per node by the simplified silhouette (see docs/organize.md).
    case dataDriven(maxDepth: Int, minChildren: Int, maxChildren: Int, minSize: Int)
  }

  /// The clustering strategy.
  public var method: Method = .topDown
  /// Level control.
  public var levels: Levels = .dataDriven(maxDepth: 3, minChildren: 2, maxChildren: 12, minSize: 5)
  /// Seed of every random choice.
  public var seed: UInt64 = 1
  /// Seeded k-means restarts per clustering.
  public var restarts = 4
  /// Passes that move documents between leaves anywhere in the tree (path k-means refinement).
  public var refinementPasses = 5
  /// Data-driven branching scores each candidate k on at most this many of a node's documents (a seeded
  /// sample; never fewer than the largest candidate k), then clusters all of them with the winner.
  public var selectionSampleSize = 4_096
  /// Above this many documents a k-means runs mini-batch updates.
  public var miniBatchThreshold = 20_000
  /// The largest collection `ward` accepts (its distance matrix is `n(n-1)/2` floats).
  public var wardLimit = 12_000

  /// Default options.
  public init() {}
}
