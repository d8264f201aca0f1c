import ArborTree
import Foundation

/// The whole of `arbor organize build` for one text view of a collection: features, clustering, naming,
/// and the label-navigation score of the result.
public struct OrganizePipeline {
  /// Clustering options.
  public var options: TopicTreeOptions
  /// Weight of the TF-IDF SVD features joined to the encoder's (0: encoder vectors only).
  public var lexicalWeight: Float
  /// Width of the TF-IDF SVD features.
  public var lexicalDimension = 256
  /// Whether the refinement passes work on the encoder's vectors rather than the joined features.
  public var refineOnEncoder = false

  /// A pipeline.
  public init(options: TopicTreeOptions, lexicalWeight: Float = 0.4) {
    self.options = options
    self.lexicalWeight = lexicalWeight
  }

  /// Builds and names the tree of documents `ids` with texts, titles and encoder `vectors`
  /// (`[ids.count, dimension]`); `embedLabels` embeds label candidates with the same encoder.
  public func run(
    ids: [String], texts: [String], titles: [String], vectors: [Float], dimension: Int,
    embedLabels: @escaping ([String]) throws -> [Float], endpoint: ((NamingRequest) -> String?)? = nil,
    progress: ((String) -> Void)? = nil
  ) throws -> TopicTreeModel {
    let n = ids.count
    var timings: [(String, Double)] = []
    var clock = Date()
    func lap(_ name: String) {
      timings.append((name, Date().timeIntervalSince(clock)))
      clock = Date()
    }
    var points = vectors
    for row in 0..<n { SphericalKMeans.normalizeRow(&points, row: row, dimension: dimension) }
    var features = points
    var featureDimension = dimension
    if lexicalWeight > 0 {
      progress?("TF-IDF SVD features")
      let width = min(lexicalDimension, max(2, n / 8))
      let lexical = LexicalFeatures.svd(texts: texts, dimension: width, seed: options.seed)
      if lexical.dimension > 0 {
        (features, featureDimension) = LexicalFeatures.join(
          points, dimension: dimension, lexical.vectors, dimension: lexical.dimension, weight: lexicalWeight)
      }
    }
    lap("lexical features")
    progress?("clustering")
    var tree = try TopicTreeBuilder(options: options).build(
      vectors: features, dimension: featureDimension, ids: ids,
      refinementVectors: refineOnEncoder ? points : nil, refinementDimension: refineOnEncoder ? dimension : 0,
      progress: progress)
    lap("clustering")
    // From here on the tree lives in the encoder's space, where the navigator and `add` work.
    tree.dimension = dimension
    tree.sums = Self.sums(tree: tree, points: points, dimension: dimension)
    var namer = TopicNamer(embed: embedLabels)
    namer.endpoint = endpoint
    try namer.name(
      &tree, texts: texts, titles: titles, vectors: points, dimension: dimension, progress: progress)
    lap("naming")
    var model = TopicTreeModel(
      tree: tree, documentVectors: points, encoderIdentity: "", encoderName: "", builtinDimension: 0)
    model.documentTexts = texts
    model.navigationOutcome = try Self.navigation(tree: tree, points: points, embedLabels: embedLabels)
    lap("navigation check")
    model.timings = timings
    return model
  }

  /// Node sums of unit-length document vectors, `[nodes, dimension]`.
  static func sums(tree: TopicTree, points: [Float], dimension: Int) -> [Float] {
    var sums = [Float](repeating: 0, count: tree.nodes.count * dimension)
    for (d, leaf) in tree.documentLeaves.enumerated() {
      var current: Int? = leaf
      while let node = current {
        for j in 0..<dimension { sums[node * dimension + j] += points[d * dimension + j] }
        current = tree.nodes[node].parent
      }
    }
    return sums
  }

  /// The label-only navigator's outcome on the tree's own documents.
  public static func navigation(
    tree: TopicTree, points: [Float], embedLabels: ([String]) throws -> [Float]
  ) throws -> LabelNavigator.Outcome {
    let labels = tree.nodes.map(\.label)
    let labelVectors = try embedLabels(labels)
    let navigator = LabelNavigator(
      children: tree.nodes.map(\.children), labelVectors: labelVectors, dimension: tree.dimension)
    let targets = tree.documentLeaves.map { tree.path(to: $0) }
    return navigator.evaluate(vectors: points, targets: targets)
  }
}
