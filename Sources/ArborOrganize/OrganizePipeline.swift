import ArborTensor
import ArborTree
import Foundation

/// The whole of `arbor organize build` for one text view of a collection: features, clustering, naming,
/// and the label-navigation score of the result.
public struct OrganizePipeline {
  /// Clustering options.
  public var options: TopicTreeOptions
  /// Weights of the TF-IDF SVD features joined to the encoder's, one per level from the top (the last
  /// one serves every deeper level; 0: encoder vectors only).
  public var lexicalWeights: [Float]
  /// Width of the TF-IDF SVD features.
  public var lexicalDimension = 256
  /// Whether the refinement passes work on the encoder's vectors rather than the joined features.
  public var refineOnEncoder = false

  /// A pipeline with one lexical weight for every level.
  public init(options: TopicTreeOptions, lexicalWeight: Float) {
    self.init(options: options, lexicalWeights: [lexicalWeight])
  }

  /// The default lexical weights: 0.8 at the top level, 0.7 at the second, 0.4 below (docs/organize.md).
  public static let defaultLexicalWeights: [Float] = [0.8, 0.7, 0.4]

  /// A pipeline with lexical weights per level, top level first (the last serves the deeper levels).
  public init(options: TopicTreeOptions, lexicalWeights: [Float] = Self.defaultLexicalWeights) {
    self.options = options
    self.lexicalWeights = lexicalWeights.isEmpty ? [0] : lexicalWeights
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
    RowVectors.normalizeRows(&points, dimension: dimension)
    var levelFeatures = [points]
    var featureDimension = dimension
    var lexicalSettings: LexicalFeatureSettings?
    if lexicalWeights.contains(where: { $0 > 0 }) {
      progress?("TF-IDF SVD features")
      let width = min(lexicalDimension, max(2, n / 8))
      let lexical = LexicalFeatures.svd(texts: texts, dimension: width, seed: options.seed)
      if lexical.dimension > 0 {
        // One joined matrix per distinct weight, shared by the levels that use it.
        var joined: [Float: [Float]] = [:]
        levelFeatures = lexicalWeights.map { weight in
          if let features = joined[weight] { return features }
          let features = LexicalFeatures.join(
            points, dimension: dimension, lexical.vectors, dimension: lexical.dimension, weight: weight
          ).0
          joined[weight] = features
          return features
        }
        featureDimension = dimension + lexical.dimension
        if !refineOnEncoder {
          lexicalSettings = LexicalFeatureSettings(
            weights: lexicalWeights, dimension: width, seed: options.seed, documentCount: n)
        }
      }
    }
    lap("lexical features")
    progress?("clustering")
    var tree = try TopicTreeBuilder(options: options).build(
      levelVectors: levelFeatures, dimension: featureDimension, ids: ids,
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
    model.lexicalFeatures = lexicalSettings
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
