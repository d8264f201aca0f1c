import ArborTensor

/// The joined encoder and TF-IDF SVD spaces a topic tree was clustered in, rebuilt from the model's
/// texts so that new documents are placed by the rule the build's refinement used: the leaf whose path
/// has the highest `Σ_v x^(l)·c_v^(l)`, each node compared in its own level's space.
///
/// A level with lexical weight `w` joins a document's unit encoder vector `m` and unit lexical vector `u`
/// as `x = [m, w u] / √(1 + w²|u|²)`; a node's centroid there is the normalised `[S_v, w L_v]` of its
/// documents' sums, so `x·c_v = (m·S_v + w² u·L_v) / (√(1 + w²|u|²) · √(|S_v|² + w² |L_v|²))`.
struct JoinedPlacement {
  /// Width of the lexical vectors.
  let dimension: Int
  /// Lexical sums of every node, `[nodes, dimension]`.
  var sums: [Float]
  /// Unit lexical vectors of the documents being added, `[count, dimension]`.
  let newVectors: [Float]
  /// `|u|²` of every document being added (1, or 0 for a text with no phrase of the vocabulary).
  let newSquaredNorms: [Float]
  /// The lexical weight of every node's level (root unused).
  let weights: [Float]
  /// Width of the encoder vectors.
  let encoderWidth: Int
  /// `|S_v|²` of every node's encoder sum, kept in step with the sums by ``add(_:to:encoderSums:)``.
  var encoderSquaredNorms: [Float]
  /// `|L_v|²` of every node's lexical sum.
  var lexicalSquaredNorms: [Float]

  /// Rebuilds the spaces of `model` by refitting the TF-IDF SVD on its first `documentCount` texts with
  /// the saved width and seed, and folds in its later documents and `newTexts`; nil when the model has
  /// no lexical settings or those texts give fewer than two lexical columns.
  init?(model: TopicTreeModel, newTexts: [String]) {
    guard let settings = model.lexicalFeatures, settings.documentCount >= 2,
      settings.documentCount <= model.documentTexts.count
    else { return nil }
    let fitted = Array(model.documentTexts.prefix(settings.documentCount))
    guard
      let (vectors, space) = LexicalFeatures.fit(
        texts: fitted, dimension: settings.dimension, seed: settings.seed)
    else { return nil }
    let k = space.dimension
    // Fitted documents keep their coordinates from the build; later ones and the new ones are folded in.
    let later = model.documentTexts.count - settings.documentCount
    let folded = space.coordinates(
      of: Array(model.documentTexts.dropFirst(settings.documentCount)) + newTexts)
    var documents = vectors + folded.prefix(later * k)
    var added = Array(folded.dropFirst(later * k))
    for row in model.documentTexts.indices {
      RowVectors.normalize(&documents, row: row, dimension: k)
    }
    for row in newTexts.indices { RowVectors.normalize(&added, row: row, dimension: k) }
    let tree = model.tree
    dimension = k
    sums = OrganizePipeline.sums(tree: tree, points: documents, dimension: k)
    newVectors = added
    newSquaredNorms = newTexts.indices.map { RowVectors.squaredNorm(added, row: $0, dimension: k) }
    weights = tree.nodes.indices.map { settings.weight(atDepth: tree.depth(of: $0)) }
    let width = tree.dimension
    encoderWidth = width
    encoderSquaredNorms = tree.nodes.indices.map {
      RowVectors.squaredNorm(tree.sums, row: $0, dimension: width)
    }
    lexicalSquaredNorms = tree.nodes.indices.map { [sums] in
      RowVectors.squaredNorm(sums, row: $0, dimension: k)
    }
  }

  /// `x·c_v` in the space of node `v`'s level for new document `position` with unit encoder vector
  /// `encoder`, given the encoder sums of every node (`[nodes, encoder.count]`).
  func similarity(node: Int, position: Int, encoder: ArraySlice<Float>, encoderSums: [Float]) -> Float {
    let width = encoder.count
    var encoderDot: Float = 0
    for (j, value) in encoder.enumerated() { encoderDot += encoderSums[node * width + j] * value }
    var lexicalDot: Float = 0
    for j in 0..<dimension { lexicalDot += newVectors[position * dimension + j] * sums[node * dimension + j] }
    let w2 = weights[node] * weights[node]
    let denominator =
      ((1 + w2 * newSquaredNorms[position])
      * (encoderSquaredNorms[node] + w2 * lexicalSquaredNorms[node])).squareRoot()
    return denominator > 0 ? (encoderDot + w2 * lexicalDot) / denominator : 0
  }

  /// Adds new document `position`'s lexical vector to the sums of `nodes`, whose encoder sums
  /// (`encoderSums`, `[nodes, encoderWidth]`) already hold its encoder vector.
  mutating func add(_ position: Int, to nodes: [Int], encoderSums: [Float]) {
    for node in nodes {
      for j in 0..<dimension { sums[node * dimension + j] += newVectors[position * dimension + j] }
      encoderSquaredNorms[node] = RowVectors.squaredNorm(encoderSums, row: node, dimension: encoderWidth)
      lexicalSquaredNorms[node] = RowVectors.squaredNorm(sums, row: node, dimension: dimension)
    }
  }
}
