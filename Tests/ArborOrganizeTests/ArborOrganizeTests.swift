import ArborText
import ArborTree
import Testing

@testable import ArborOrganize

/// Three groups along the first three axes, each with two subgroups along two further axes, plus a little
/// deterministic noise: the right tree is known.
func clusteredVectors(perSubgroup: Int = 20, subgroupOffset: Float = 0.6) -> (
  vectors: [Float], dimension: Int, groups: [Int], subgroups: [Int]
) {
  let dimension = 12
  var vectors: [Float] = []
  var groups: [Int] = []
  var subgroups: [Int] = []
  var state: UInt64 = 12345
  func noise() -> Float {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Float(Int64(bitPattern: state >> 11) % 1000) / 20_000
  }
  for group in 0..<3 {
    for sub in 0..<2 {
      for _ in 0..<perSubgroup {
        var row = [Float](repeating: 0, count: dimension)
        row[group] = 1
        row[3 + group * 2 + sub] = subgroupOffset
        for j in 0..<dimension { row[j] += noise() }
        vectors += row
        groups.append(group)
        subgroups.append(group * 2 + sub)
      }
    }
  }
  return (vectors, dimension, groups, subgroups)
}

/// Whether two labelings partition the items identically.
func samePartition(_ a: [Int], _ b: [Int]) -> Bool {
  var forward: [Int: Int] = [:]
  var backward: [Int: Int] = [:]
  for (x, y) in zip(a, b) {
    if let known = forward[x], known != y { return false }
    if let known = backward[y], known != x { return false }
    forward[x] = y
    backward[y] = x
  }
  return true
}

@Suite struct ClusteringTests {
  @Test func topDownRecoversTheKnownTree() throws {
    let data = clusteredVectors()
    var options = TopicTreeOptions()
    options.levels = .fixed([3, 6])
    let ids = data.groups.indices.map { "d\($0)" }
    let tree = try TopicTreeBuilder(options: options).build(
      vectors: data.vectors, dimension: data.dimension, ids: ids)
    #expect(tree.levelSizes == [3, 6])
    let top = tree.documentLeaves.map { tree.path(to: $0)[0] }
    #expect(samePartition(top, data.groups))
    #expect(samePartition(tree.documentLeaves, data.subgroups))
    #expect(tree.nodes[0].size == ids.count)
  }

  @Test func eachLevelSplitsAndRefinesInItsOwnSpace() throws {
    // Space A holds the groups and the contiguous subgroups of `clusteredVectors`; space B the same
    // groups but subgroups by parity of the index, more strongly. With [A, B] the top level follows A and
    // the leaves follow B's parity split; with A alone the leaves are A's subgroups.
    let data = clusteredVectors()
    var parityVectors: [Float] = []
    var paritySubgroups: [Int] = []
    for (i, group) in data.groups.enumerated() {
      var row = [Float](repeating: 0, count: data.dimension)
      row[group] = 1
      row[3 + group * 2 + i % 2] = 0.9
      parityVectors += row
      paritySubgroups.append(group * 2 + i % 2)
    }
    var options = TopicTreeOptions()
    options.levels = .fixed([3, 6])
    let ids = data.groups.indices.map { "d\($0)" }
    let builder = TopicTreeBuilder(options: options)
    let split = try builder.build(
      levelVectors: [data.vectors, parityVectors], dimension: data.dimension, ids: ids)
    #expect(samePartition(split.documentLeaves.map { split.path(to: $0)[0] }, data.groups))
    #expect(samePartition(split.documentLeaves, paritySubgroups))
    let single = try builder.build(levelVectors: [data.vectors], dimension: data.dimension, ids: ids)
    #expect(samePartition(single.documentLeaves, data.subgroups))
    // Refinement alone keeps the per-level structure: the same result without refinement passes.
    var unrefined = options
    unrefined.refinementPasses = 0
    let plain = try TopicTreeBuilder(options: unrefined).build(
      levelVectors: [data.vectors, parityVectors], dimension: data.dimension, ids: ids)
    #expect(samePartition(plain.documentLeaves, paritySubgroups))
  }

  @Test func bottomUpAndWardRecoverTheKnownTree() throws {
    let data = clusteredVectors(perSubgroup: 12)
    let ids = data.groups.indices.map { "d\($0)" }
    for method in [TopicTreeOptions.Method.bottomUp, .ward] {
      var options = TopicTreeOptions()
      options.method = method
      options.levels = .fixed([3, 6])
      options.refinementPasses = 0
      let tree = try TopicTreeBuilder(options: options).build(
        vectors: data.vectors, dimension: data.dimension, ids: ids)
      let top = tree.documentLeaves.map { tree.path(to: $0)[0] }
      #expect(samePartition(top, data.groups), "\(method)")
      #expect(samePartition(tree.documentLeaves, data.subgroups), "\(method)")
    }
  }

  @Test func wardMergesTheClosestPairsFirst() {
    // Points on a line at 0, 1, 10, 11.5 (two coordinates so that rows are not collinear with the origin).
    let points: [Float] = [0, 1, 1, 1, 10, 1, 11.5, 1]
    let merges = WardLinkage.mergeSequence(points, n: 4, dimension: 2)
    #expect(merges.count == 3)
    #expect(Set([merges[0].0, merges[0].1]) == [0, 1])
    #expect(Set([merges[1].0, merges[1].1]) == [2, 3])
  }

  @Test func sameSeedSameTreeAndSeedsMatter() throws {
    let data = clusteredVectors()
    let ids = data.groups.indices.map { "d\($0)" }
    var options = TopicTreeOptions()
    options.levels = .fixed([2, 5])
    options.seed = 7
    let first = try TopicTreeBuilder(options: options).build(
      vectors: data.vectors, dimension: data.dimension, ids: ids)
    let second = try TopicTreeBuilder(options: options).build(
      vectors: data.vectors, dimension: data.dimension, ids: ids)
    #expect(first.documentLeaves == second.documentLeaves)
    #expect(first.nodes == second.nodes)
  }

  @Test func dataDrivenFindsThreeGroupsAndNeverASingleChild() throws {
    // Three plain groups: the silhouette must pick k = 3 at the top.
    let plain = clusteredVectors(subgroupOffset: 0)
    let ids = plain.groups.indices.map { "d\($0)" }
    var options = TopicTreeOptions()
    options.levels = .dataDriven(maxDepth: 3, minChildren: 2, maxChildren: 8, minSize: 5)
    let tree = try TopicTreeBuilder(options: options).build(
      vectors: plain.vectors, dimension: plain.dimension, ids: ids)
    #expect(tree.nodes[0].children.count == 3)
    let top = tree.documentLeaves.map { tree.path(to: $0)[0] }
    #expect(samePartition(top, plain.groups))
    // With subgroups: whatever k it picks, no node has one child and no leaf mixes two groups.
    let nested = clusteredVectors()
    let deeper = try TopicTreeBuilder(options: options).build(
      vectors: nested.vectors, dimension: nested.dimension, ids: ids)
    for node in deeper.nodes { #expect(node.children.count != 1) }
    var groupOfLeaf: [Int: Int] = [:]
    for (d, leaf) in deeper.documentLeaves.enumerated() {
      #expect(groupOfLeaf[leaf, default: nested.groups[d]] == nested.groups[d])
      groupOfLeaf[leaf] = nested.groups[d]
    }
  }

  @Test func dataDrivenChoosesKOnASampleAndClustersEveryDocument() throws {
    // 120 documents in three groups; k is scored on 30 of them, then all 120 are clustered.
    let plain = clusteredVectors(subgroupOffset: 0)
    let ids = plain.groups.indices.map { "d\($0)" }
    var options = TopicTreeOptions()
    options.levels = .dataDriven(maxDepth: 1, minChildren: 2, maxChildren: 8, minSize: 5)
    options.selectionSampleSize = 30
    let tree = try TopicTreeBuilder(options: options).build(
      vectors: plain.vectors, dimension: plain.dimension, ids: ids)
    #expect(tree.nodes[0].children.count == 3)
    #expect(tree.documentLeaves.count == ids.count)
    #expect(samePartition(tree.documentLeaves, plain.groups))
    let again = try TopicTreeBuilder(options: options).build(
      vectors: plain.vectors, dimension: plain.dimension, ids: ids)
    #expect(again.nodes == tree.nodes)
    #expect(again.documentLeaves == tree.documentLeaves)
    // A sample size below the candidate ks is raised to the largest k: a tree, not a crash.
    options.selectionSampleSize = 0
    let tiny = try TopicTreeBuilder(options: options).build(
      vectors: plain.vectors, dimension: plain.dimension, ids: ids)
    #expect(tiny.nodes[0].children.count >= 2)
    #expect(tiny.documentLeaves.count == ids.count)
  }

  @Test func proportionalAllocation() {
    // 10 among 50/30/20: exact quotas 5/3/2.
    #expect(TopicTreeBuilder.allocate(10, among: [50, 30, 20]) == [5, 3, 2])
    // 7 among 60/30/10: quotas 4.2/2.1/0.7, at least two each -> 3/2/2.
    #expect(TopicTreeBuilder.allocate(7, among: [60, 30, 10]) == [3, 2, 2])
    let counts = TopicTreeBuilder.allocate(
      47, among: [3000, 2000, 900, 40, 3, 700, 1200, 500, 300, 200, 100])
    #expect(counts.reduce(0, +) == 47)
    #expect(counts.allSatisfy { $0 >= 2 })
    #expect(counts[4] <= 3)
  }

  @Test func levelsAreValidated() {
    let data = clusteredVectors()
    let ids = data.groups.indices.map { "d\($0)" }
    for sizes in [[1, 4], [5, 3], [3, 500]] {
      var options = TopicTreeOptions()
      options.levels = .fixed(sizes)
      #expect(throws: TaxonomyError.self) {
        try TopicTreeBuilder(options: options).build(
          vectors: data.vectors, dimension: data.dimension, ids: ids)
      }
    }
  }
}

@Suite struct LexicalFeatureTests {
  @Test func jacobiMatchesAHandComputedEigendecomposition() {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1 with eigenvectors (1, 1)/√2 and (1, -1)/√2.
    let (values, vectors) = LexicalFeatures.symmetricEigen([2, 1, 1, 2], size: 2)
    #expect(abs(values[0] - 3) < 1e-9 && abs(values[1] - 1) < 1e-9)
    #expect(abs(abs(vectors[0]) - 0.5.squareRoot()) < 1e-9)
    #expect(abs(vectors[0] * vectors[2] + vectors[1] * vectors[3]) < 1e-9)
  }

  @Test func truncatedSVDReproducesTheGramMatrixOfALowRankCorpus() {
    // Rank is at most the number of distinct texts (5), below k: U Σ (U Σ)ᵀ must equal A Aᵀ.
    let base = [
      "red apples and green apples", "green pears and red pears", "fast cars and slow cars",
      "slow trains and fast trains", "apples pears cars trains",
    ]
    let texts = (0..<4).flatMap { _ in base }
    let a = LexicalFeatures.tfidf(texts)
    let (features, k) = LexicalFeatures.svd(texts: texts, dimension: 8, seed: 3)
    #expect(k >= 5)
    func row(_ r: Int) -> [Int32: Float] {
      var out: [Int32: Float] = [:]
      for p in a.offsets[r]..<a.offsets[r + 1] { out[a.columns[p]] = a.values[p] }
      return out
    }
    for i in 0..<texts.count {
      for j in 0..<texts.count {
        let ri = row(i)
        let rj = row(j)
        let exact = ri.reduce(Float(0)) { $0 + $1.value * (rj[$1.key] ?? 0) }
        var approximate: Float = 0
        for c in 0..<k { approximate += features[i * k + c] * features[j * k + c] }
        #expect(abs(exact - approximate) < 1e-3, "pair \(i), \(j)")
      }
    }
  }
}

extension LexicalFeatureTests {
  @Test func rankTwoCorpusOfAThousandTextsStaysFinite() {
    // Two distinct texts, 500 copies each: the range finder's ten columns span only two directions.
    // Before dependent columns were zeroed, orthonormalisation blew them up to 1e24 and then NaN.
    let texts = (0..<1000).map { $0 % 2 == 0 ? "another thing entirely" : "the same text" }
    let a = LexicalFeatures.tfidf(texts)
    let (features, k) = LexicalFeatures.svd(texts: texts, dimension: 256, seed: 1)
    #expect(k >= 2)
    let finite = features.allSatisfy { $0.isFinite }
    #expect(finite)
    // U Σ (U Σ)ᵀ = A Aᵀ: each row's squared norm is 1 (unit TF-IDF rows), the two texts' product 0.
    var products: [Float] = []
    for (i, j) in [(0, 0), (1, 1), (0, 1), (0, 2)] {
      var sum: Float = 0
      for c in 0..<k { sum += features[i * k + c] * features[j * k + c] }
      products.append(sum)
    }
    #expect(a.offsets.count == 1001)
    #expect(abs(products[0] - 1) < 1e-3 && abs(products[1] - 1) < 1e-3, "\(products)")
    #expect(abs(products[2]) < 1e-3 && abs(products[3] - 1) < 1e-3, "\(products)")
  }

  @Test func twoTextsRepeatedSplitEvenlyInAnOrganizedTree() throws {
    let texts = (0..<1000).map { $0 % 2 == 0 ? "another thing entirely" : "the same text" }
    let encoder = BuiltinEncoder(dimension: 128)
    var options = TopicTreeOptions()
    options.levels = .fixed([2])
    let pipeline = OrganizePipeline(options: options)
    let model = try pipeline.run(
      ids: texts.indices.map(String.init), texts: texts, titles: texts.map { _ in "" },
      vectors: encoder.encode(texts), dimension: encoder.dimension, embedLabels: { encoder.encode($0) })
    #expect(model.tree.nodes.dropFirst().map(\.size) == [500, 500])
  }
}

@Suite struct NamingTests {
  @Test func classTFIDFMatchesAHandComputedCase() {
    // Class 0: "alpha beta" twice; class 1: "alpha gamma". f(alpha)=3, f(beta)=2, f(gamma)=1, |c0|=6 phrases
    // (alpha, beta, alpha beta, twice), |c1|=3, A=4.5: W(beta, c0) = 2/6 · ln(1 + 4.5/2) = 0.393,
    // W(alpha beta, c0) the same, W(alpha, c0) = 2/6 · ln(1 + 4.5/3) = 0.305.
    let table = PhraseTable(texts: ["alpha beta", "alpha beta", "alpha gamma"])
    var tfidf = ClassTFIDF(table: table)
    tfidf.minimumDocuments = 1
    let phrases = tfidf.keyphrases(classes: [[0, 1], [2]], ancestorWords: [], count: 3)
    #expect(phrases[0] == ["alpha beta", "beta"] || phrases[0] == ["alpha beta"])
    #expect(phrases[1].first == "alpha gamma" || phrases[1].first == "gamma")
    let discounted = tfidf.keyphrases(classes: [[0, 1], [2]], ancestorWords: ["beta"], count: 1)
    #expect(discounted[0] == ["alpha"])
  }

  @Test func labelsLetTheNavigatorFindEveryGroup() throws {
    let topics = [
      ("bird", ["a small bird that sings", "a bird of prey with talons", "a water bird that swims"]),
      ("tool", ["a tool for cutting wood", "a hand tool for driving nails", "a tool that grips objects"]),
      ("dish", ["a dish of cooked rice", "a dish made with noodles", "a sweet dish served cold"]),
    ]
    var texts: [String] = []
    for (_, sentences) in topics { for s in sentences { for v in 0..<4 { texts.append(s + " \(v)") } } }
    let encoder = BuiltinEncoder(dimension: 256)
    let vectors = encoder.encode(texts)
    var options = TopicTreeOptions()
    options.levels = .fixed([3])
    options.refinementPasses = 0
    var pipeline = OrganizePipeline(options: options, lexicalWeight: 0)
    pipeline.lexicalDimension = 8
    let model = try pipeline.run(
      ids: texts.indices.map(String.init), texts: texts, titles: texts.map { _ in "" }, vectors: vectors,
      dimension: encoder.dimension, embedLabels: { encoder.encode($0) })
    let tree = model.tree
    #expect(tree.levelSizes == [3])
    let top = tree.documentLeaves
    #expect(samePartition(top, texts.indices.map { $0 / 12 }))
    for node in tree.nodes.dropFirst() {
      #expect(!node.label.isEmpty)
      #expect(!node.keyphrases.isEmpty)
      #expect(node.label.split(separator: " ").count <= 6)
    }
    #expect(model.navigationOutcome?.exact == 1)
  }

  @Test func labelCandidatesStayShortWithLongIdentifiers() {
    // Package-like titles: few words, many characters. Node 1 holds all four documents.
    let titles = [
      "libcatalyst-plugin-session-store-dbic-perl: DBIx::Class-based session store",
      "libcgi-application-plugin-stream-perl: plugin that streams files",
      "node-babel-plugin-add-module-exports: Babel plugin",
      "linux-image-6.12.107+deb12-rt-amd64-dbg: Debug symbols for linux-image-6.12.107+deb12-rt-amd64",
    ]
    let tree = TopicTree(
      nodes: [
        .init(id: TopicTree.rootID, parent: nil, children: [1], size: 4),
        .init(id: "t1", parent: 0, size: 4, keyphrases: ["plugin", "perl module"]),
      ],
      dimension: 2, sums: [0, 0, 2, 2], documentIDs: ["a", "b", "c", "d"], documentLeaves: [1, 1, 1, 1])
    let points: [Float] = [1, 0, 0, 1, 0.8, 0.6, 0.6, 0.8]
    let centroids: [Float] = [0.7, 0.7, 0.7, 0.7]
    var namer = TopicNamer(embed: { _ in [] })
    let candidates = namer.candidateLabels(
      1, tree: tree, texts: titles, titles: titles, members: [0, 1, 2, 3], points: points,
      centroids: centroids, dimension: 2)
    #expect(candidates.contains("plugin, perl module"))
    #expect(candidates.allSatisfy { $0.count <= 64 }, "\(candidates)")
    // Any pair of two short leading phrases has at least 80 characters: over the limit, not a candidate.
    #expect(!candidates.contains { $0.hasPrefix("libcatalyst-plugin-session-store-dbic-perl, ") })
    // With every candidate too long, the first keyphrase cut to the limit stands in.
    namer.maximumLabelCharacters = 4
    let cut = namer.candidateLabels(
      1, tree: tree, texts: titles, titles: titles, members: [0, 1, 2, 3], points: points,
      centroids: centroids, dimension: 2)
    #expect(cut == ["plug"])
  }

  @Test func navigatorFollowsLabelVectors() {
    // Root -> {1, 2}; 1 -> {3, 4}. Labels along axes; a document on axis 0 then 2 goes 1 -> 3.
    let children = [[1, 2], [3, 4], [], [], []]
    var rows = [Float](repeating: 0, count: 5 * 4)
    rows[1 * 4 + 0] = 1
    rows[2 * 4 + 1] = 1
    rows[3 * 4 + 2] = 1
    rows[4 * 4 + 3] = 1
    let navigator = LabelNavigator(children: children, labelVectors: rows, dimension: 4)
    #expect(navigator.navigate([0.9, 0.1, 0.5, 0.2][...]) == [1, 3])
    let outcome = navigator.evaluate(
      vectors: [0.9, 0.1, 0.5, 0.2, 0.9, 0.1, 0.2, 0.5], targets: [[1, 3], [1, 3]])
    #expect(outcome.exact == 0.5)
    #expect(outcome.levelAccuracy == [1, 0.5])
  }
}
