import ArborTensor
import ArborTree
import Foundation

/// Names the nodes of a topic tree so that a navigator reading only labels can follow it.
///
/// Keyphrases come from class-based TF-IDF against the siblings (`ClassTFIDF`), top-down so that terms of
/// ancestors' keyphrases are discounted. Labels are chosen bottom-up among candidates: the top keyphrases
/// alone and joined in twos and threes, the leading phrases (a title, or the text before the first `:`,
/// `;` or `.`) of the documents nearest the centroid, and for a parent its children's labels and pairs of
/// them. Every candidate is embedded with the encoder the navigator uses; within each sibling group the
/// labels are chosen by coordinate ascent on the share of the group's documents that the label-only
/// navigator step sends to their own child (`argmax_j cos(x, e(label_j))`), ties broken by the margin
/// `cos(e(label), own centroid) - max cos(e(label), sibling centroid)`, starting from the best margin.
public struct TopicNamer {
  /// Embeds label candidates (unit-length rows, `[texts.count, dimension]`).
  public var embed: ([String]) throws -> [Float]
  /// Keyphrases kept per node.
  public var keyphraseCount = 5
  /// Keyphrases that become label candidates.
  public var candidateKeyphrases = 8
  /// Documents nearest the centroid whose leading phrases become candidates.
  public var nearestDocuments = 24
  /// Words at most in a label candidate.
  public var maximumLabelWords = 6
  /// Characters at most in a label candidate (long identifiers make few words but long labels).
  public var maximumLabelCharacters = 64
  /// Coordinate-ascent sweeps per sibling group.
  public var sweeps = 3
  /// Rounds that grow each chosen label by one phrase and choose again (labels stay within
  /// `maximumLabelWords`).
  public var extensionRounds = 2
  /// An optional language-model namer; its answer replaces the chosen label when it gives one.
  public var endpoint: ((NamingRequest) -> String?)?

  /// A namer embedding candidates with `embed`.
  public init(embed: @escaping ([String]) throws -> [Float]) {
    self.embed = embed
  }

  /// Sets `label` and `keyphrases` of every node. `vectors` are the documents' encoder vectors
  /// (`[texts.count, dimension]`, the navigator's space), `texts` their titles-and-texts.
  /// With `onlyChildrenOf`, only the children of those nodes are (re)named; other nodes keep theirs.
  public func name(
    _ tree: inout TopicTree, texts: [String], titles: [String], vectors: [Float], dimension: Int,
    onlyChildrenOf: Set<Int>? = nil, progress: ((String) -> Void)? = nil
  ) throws {
    let n = texts.count
    var points = vectors
    for row in 0..<n { RowVectors.normalize(&points, row: row, dimension: dimension) }
    var members = [[Int]](repeating: [], count: tree.nodes.count)
    for (d, leaf) in tree.documentLeaves.enumerated() {
      var current: Int? = leaf
      while let node = current {
        members[node].append(d)
        current = tree.nodes[node].parent
      }
    }
    // Centroids in the encoder's space.
    var centroids = [Float](repeating: 0, count: tree.nodes.count * dimension)
    for node in tree.nodes.indices {
      for d in members[node] {
        for j in 0..<dimension { centroids[node * dimension + j] += points[d * dimension + j] }
      }
      RowVectors.normalize(&centroids, row: node, dimension: dimension)
    }

    progress?("keyphrases")
    let tfidf = ClassTFIDF(table: PhraseTable(texts: texts))
    var ancestorWords = [Set<String>](repeating: [], count: tree.nodes.count)
    var order = [0]
    var head = 0
    while head < order.count {
      let parent = order[head]
      head += 1
      let children = tree.nodes[parent].children
      guard !children.isEmpty else { continue }
      guard onlyChildrenOf?.contains(parent) ?? true else {
        for child in children {
          var words = ancestorWords[parent]
          for phrase in tree.nodes[child].keyphrases.prefix(3) {
            for w in phrase.split(separator: " ") { words.insert(String(w)) }
          }
          ancestorWords[child] = words
          order.append(child)
        }
        continue
      }
      let phrases = tfidf.keyphrases(
        classes: children.map { members[$0] }, ancestorWords: ancestorWords[parent],
        count: max(keyphraseCount, candidateKeyphrases))
      for (child, list) in zip(children, phrases) {
        tree.nodes[child].keyphrases = list
        var words = ancestorWords[parent]
        for phrase in list.prefix(3) { for w in phrase.split(separator: " ") { words.insert(String(w)) } }
        ancestorWords[child] = words
        order.append(child)
      }
    }

    // Labels bottom-up: deepest sibling groups first.
    let depths = tree.nodes.indices.map { tree.depth(of: $0) }
    let parents = tree.nodes.indices.filter { !tree.nodes[$0].children.isEmpty }
    let maximumDepth = depths.max() ?? 0
    for depth in stride(from: maximumDepth - 1, through: 0, by: -1) {
      let groupParents = parents.filter { depths[$0] == depth && (onlyChildrenOf?.contains($0) ?? true) }
      if groupParents.isEmpty { continue }
      progress?("labels at level \(depth + 1)")
      var candidates: [Int: [String]] = [:]
      var distinct: [String] = []
      var seen: Set<String> = []
      for parent in groupParents {
        for child in tree.nodes[parent].children {
          let list = candidateLabels(
            child, tree: tree, texts: texts, titles: titles, members: members[child], points: points,
            centroids: centroids, dimension: dimension)
          candidates[child] = list
          for text in list where seen.insert(text).inserted { distinct.append(text) }
        }
      }
      var rowOf: [String: Int] = [:]
      var labelVectors: [Float] = []
      func embedMissing(_ texts: [String]) throws {
        var fresh: Set<String> = []
        let missing = texts.filter { rowOf[$0] == nil && fresh.insert($0).inserted }
        guard !missing.isEmpty else { return }
        var vectors = try embed(missing)
        for row in missing.indices { RowVectors.normalize(&vectors, row: row, dimension: dimension) }
        for text in missing { rowOf[text] = rowOf.count }
        labelVectors += vectors
      }
      try embedMissing(distinct)
      for round in 0..<(extensionRounds + 1) {
        var extensions: [String] = []
        for parent in groupParents {
          let children = tree.nodes[parent].children
          let chosen = chooseLabels(
            children: children, candidates: children.map { candidates[$0] ?? [] }, rowOf: rowOf,
            labelVectors: labelVectors, members: members, points: points, centroids: centroids,
            dimension: dimension)
          for (child, label) in zip(children, chosen) {
            tree.nodes[child].label = label
            guard round < extensionRounds else { continue }
            // Grow the chosen label by one more phrase of the node (a keyphrase or a nearby document's
            // leading words); the next round chooses among old and grown candidates.
            let nearest = nearestMembers(
              members[child], centroid: child, points: points, centroids: centroids, dimension: dimension,
              count: 6)
            let pool =
              Array(tree.nodes[child].keyphrases.prefix(6))
              + nearest.map { leadingPhrase(titles[$0], texts[$0], words: 2) }
            let words = Set(label.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }))
            for phrase in pool {
              let parts = phrase.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
              guard !parts.isEmpty, !parts.allSatisfy(words.contains) else { continue }
              let grown = label + ", " + phrase
              guard fitsLabelLimits(grown), !(candidates[child] ?? []).contains(grown)
              else { continue }
              candidates[child, default: []].append(grown)
              extensions.append(grown)
            }
          }
        }
        if round < extensionRounds { try embedMissing(extensions) }
      }
    }
    if let endpoint {
      progress?("naming with the endpoint")
      var answered = 0
      var failed = 0
      for node in order.dropFirst() {
        let parent = tree.nodes[node].parent ?? 0
        guard onlyChildrenOf?.contains(parent) ?? true else { continue }
        let siblings = tree.nodes[parent].children.filter { $0 != node }.map { tree.nodes[$0].label }
        let nearest = nearestMembers(
          members[node], centroid: node, points: points, centroids: centroids,
          dimension: dimension, count: nearestDocuments)
        let request = NamingRequest(
          keyphrases: Array(tree.nodes[node].keyphrases.prefix(keyphraseCount)),
          sampleTitles: nearest.map { leadingPhrase(titles[$0], texts[$0], words: 16) },
          parentLabel: parent == 0 ? nil : tree.nodes[parent].label, siblingLabels: siblings)
        if let answer = endpoint(request), !answer.isEmpty {
          tree.nodes[node].label = answer
          answered += 1
        } else {
          failed += 1
          // An endpoint that never answers is given up after three tries: the chosen labels stay.
          if answered == 0 && failed >= 3 {
            progress?("the endpoint did not answer; keeping the chosen labels")
            break
          }
        }
      }
    }
    for node in tree.nodes.indices.dropFirst()
    where onlyChildrenOf?.contains(tree.nodes[node].parent ?? 0) ?? true {
      tree.nodes[node].keyphrases = Array(tree.nodes[node].keyphrases.prefix(keyphraseCount))
    }
  }

  func nearestMembers(
    _ members: [Int], centroid node: Int, points: [Float], centroids: [Float], dimension: Int, count: Int
  ) -> [Int] {
    var scored: [(Float, Int)] = []
    scored.reserveCapacity(members.count)
    for d in members {
      var s: Float = 0
      for j in 0..<dimension { s += points[d * dimension + j] * centroids[node * dimension + j] }
      scored.append((s, d))
    }
    scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    return scored.prefix(count).map(\.1)
  }

  /// A title, or the text up to its first `:`, `;`, `.` or `(`, cut to `words` words.
  func leadingPhrase(_ title: String, _ text: String, words: Int) -> String {
    let source = title.isEmpty ? text : title
    var end = source.endIndex
    if title.isEmpty, let stop = source.firstIndex(where: { ":;.(".contains($0) }) { end = stop }
    let parts = source[..<end].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
    return parts.prefix(words).joined(separator: " ").trimmingCharacters(in: .punctuationCharacters)
  }

  func candidateLabels(
    _ node: Int, tree: TopicTree, texts: [String], titles: [String], members: [Int], points: [Float],
    centroids: [Float], dimension: Int
  ) -> [String] {
    var list: [String] = []
    func add(_ text: String) {
      let trimmed = text.trimmingCharacters(in: .whitespaces)
      if !trimmed.isEmpty, fitsLabelLimits(trimmed), !list.contains(trimmed) { list.append(trimmed) }
    }
    let phrases = Array(tree.nodes[node].keyphrases.prefix(candidateKeyphrases))
    for phrase in phrases { add(phrase) }
    if phrases.count >= 2 { add(phrases[0] + ", " + phrases[1]) }
    if phrases.count >= 3 { add(phrases[0] + ", " + phrases[1] + ", " + phrases[2]) }
    if phrases.count >= 3 { add(phrases[0] + ", " + phrases[2]) }
    let nearest = nearestMembers(
      members, centroid: node, points: points, centroids: centroids, dimension: dimension,
      count: nearestDocuments)
    for d in nearest { add(leadingPhrase(titles[d], texts[d], words: maximumLabelWords)) }
    let short = nearest.prefix(6).map { leadingPhrase(titles[$0], texts[$0], words: 3) }
    for i in short.indices { for j in short.indices where j > i { add(short[i] + ", " + short[j]) } }
    let tiny = nearest.prefix(4).map { leadingPhrase(titles[$0], texts[$0], words: 2) }
    if tiny.count >= 3 { add(tiny.prefix(3).joined(separator: ", ")) }
    if tiny.count >= 4 { add(tiny.dropFirst().joined(separator: ", ")) }
    for i in phrases.indices.prefix(5) {
      for j in phrases.indices.prefix(5) where j > i + 1 { add(phrases[i] + ", " + phrases[j]) }
    }
    let children = tree.nodes[node].children
    for child in children { add(tree.nodes[child].label) }
    if children.count >= 2 { add(tree.nodes[children[0]].label + ", " + tree.nodes[children[1]].label) }
    if children.count >= 3 {
      add(children.prefix(3).map { tree.nodes[$0].label }.joined(separator: ", "))
    }
    if phrases.count >= 4 { add(phrases.prefix(4).joined(separator: ", ")) }
    // Every candidate too long or none at all: the first keyphrase (cut to the limits), else the id.
    if list.isEmpty {
      let words = phrases.first?.split(separator: " ").prefix(maximumLabelWords).joined(separator: " ") ?? ""
      let cut = String(words.prefix(maximumLabelCharacters))
      list.append(cut.isEmpty ? tree.nodes[node].id : cut)
    }
    return list
  }

  /// Whether `label` keeps within `maximumLabelWords` words and `maximumLabelCharacters` characters.
  func fitsLabelLimits(_ label: String) -> Bool {
    label.split(separator: " ").count <= maximumLabelWords && label.count <= maximumLabelCharacters
  }

  /// Coordinate ascent on the routing accuracy of one sibling group.
  func chooseLabels(
    children: [Int], candidates: [[String]], rowOf: [String: Int], labelVectors: [Float],
    members: [[Int]], points: [Float], centroids: [Float], dimension: Int
  ) -> [String] {
    let m = children.count
    if m == 1 { return [candidates[0].first ?? ""] }
    // Candidate rows per child and their similarities to the group's documents.
    let rows: [[Int]] = candidates.map { $0.compactMap { rowOf[$0] } }
    var documents: [Int] = []
    var owner: [Int] = []
    for (position, child) in children.enumerated() {
      documents += members[child]
      owner += [Int](repeating: position, count: members[child].count)
    }
    let allRows = rows.flatMap { $0 }
    let candidateMatrix = TopicTreeBuilder.gather(labelVectors, rows: allRows, dimension: dimension)
    let documentMatrix = TopicTreeBuilder.gather(points, rows: documents, dimension: dimension)
    var similarity: [Float] = []
    let total = allRows.count
    SphericalKMeans.similarities(
      documentMatrix, n: documents.count, candidateMatrix, k: total, dimension: dimension, into: &similarity)
    var offset = [Int](repeating: 0, count: m)
    for i in 1..<m { offset[i] = offset[i - 1] + rows[i - 1].count }
    // Margins of every candidate against the sibling centroids.
    var margin = [Float](repeating: 0, count: total)
    for i in 0..<m {
      for (c, row) in rows[i].enumerated() {
        var own: Float = 0
        var other = -Float.infinity
        for (j, child) in children.enumerated() {
          var s: Float = 0
          for k in 0..<dimension { s += labelVectors[row * dimension + k] * centroids[child * dimension + k] }
          if j == i { own = s } else { other = max(other, s) }
        }
        margin[offset[i] + c] = own - other
      }
    }
    var choice = (0..<m).map { i -> Int in
      guard !rows[i].isEmpty else { return -1 }
      return (0..<rows[i].count).max { margin[offset[i] + $0] < margin[offset[i] + $1] } ?? 0
    }
    if choice.contains(-1) {
      return (0..<m).map { choice[$0] >= 0 ? candidates[$0][choice[$0]] : candidates[$0].first ?? "" }
    }
    let n = documents.count
    // Candidate-major copy, so that the sweeps read each candidate's similarities contiguously.
    var byCandidate = [Float](repeating: 0, count: total * n)
    byCandidate.withUnsafeMutableBufferPointer { out in
      similarity.withUnsafeBufferPointer { rowMajor in
        for d in 0..<n { for column in 0..<total { out[column * n + d] = rowMajor[d * total + column] } }
      }
    }
    similarity = []
    // Child i's documents are documents[start[i]..<start[i + 1]] (appended child by child).
    var start = [Int](repeating: 0, count: m + 1)
    for (position, child) in children.enumerated() {
      start[position + 1] = start[position] + members[child].count
    }
    var otherValue = [Float](repeating: 0, count: n)
    var otherOwner = [Int](repeating: 0, count: n)
    var rivals: [Int] = []
    for _ in 0..<sweeps {
      var changed = false
      for i in 0..<m {
        // The best other label's similarity and owner for every document (the first owner on ties).
        for d in 0..<n {
          otherValue[d] = -.infinity
          otherOwner[d] = -1
        }
        for j in 0..<m where j != i {
          let base = (offset[j] + choice[j]) * n
          for d in 0..<n where byCandidate[base + d] > otherValue[d] {
            otherValue[d] = byCandidate[base + d]
            otherOwner[d] = j
          }
        }
        // A candidate of child i is right on its own documents when it beats the best other label,
        // and on another child's documents that this child's label would otherwise win when it does not
        // beat it; elsewhere it cannot change the outcome.
        rivals.removeAll(keepingCapacity: true)
        for d in 0..<n where owner[d] != i && otherOwner[d] == owner[d] { rivals.append(d) }
        var best = (correct: -1, margin: -Float.infinity, c: choice[i])
        for c in 0..<rows[i].count {
          let column = offset[i] + c
          let correct = byCandidate.withUnsafeBufferPointer { values in
            otherValue.withUnsafeBufferPointer { other in
              let row = values.baseAddress! + column * n
              var count = 0
              for d in start[i]..<start[i + 1] where row[d] > other[d] { count += 1 }
              for d in rivals where other[d] >= row[d] { count += 1 }
              return count
            }
          }
          if correct > best.correct || (correct == best.correct && margin[column] > best.margin) {
            best = (correct, margin[column], c)
          }
        }
        if best.c != choice[i] {
          choice[i] = best.c
          changed = true
        }
      }
      if !changed { break }
    }
    return (0..<m).map { candidates[$0][choice[$0]] }
  }
}
