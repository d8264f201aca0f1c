import Foundation

/// Clustering scores against a reference partition.
///
/// - NMI (Strehl & Ghosh 2002) with the arithmetic-mean normalisation scikit-learn uses by default:
///   `NMI = I(U; V) / ((H(U) + H(V)) / 2)`, natural logarithms; 1 when both labelings have one
///   class (or none), 0 when `I = 0`.
/// - ARI (Hubert & Arabie 1985) in the pair-counting form of scikit-learn: with ordered pair counts
///   `tp, fp, fn, tn`, `ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn))`, 1 when
///   `fn = fp = 0`.
/// - Dendrogram purity (Heller & Ghahramani 2005): the mean over pairs of items of the same class of
///   the share of that class among the leaves of the smallest predicted subtree holding both.
public enum ClusteringMetrics {
  /// Counts of each (class, cluster) pair and of each class and cluster.
  struct Contingency {
    var cells: [Int64: Int] = [:]
    var classes: [Int32: Int] = [:]
    var clusters: [Int32: Int] = [:]
    var total = 0

    init(_ classes: [Int32], _ clusters: [Int32]) {
      for (a, b) in zip(classes, clusters) {
        cells[Int64(a) << 32 | Int64(UInt32(bitPattern: b)), default: 0] += 1
        self.classes[a, default: 0] += 1
        self.clusters[b, default: 0] += 1
        total += 1
      }
    }
  }

  static func entropy(_ counts: Dictionary<Int32, Int>.Values, _ total: Int) -> Double {
    let n = Double(total)
    var h = 0.0
    for c in counts {
      let p = Double(c) / n
      h -= p * (log(Double(c)) - log(n))
    }
    return h
  }

  /// Normalised mutual information of two labelings of the same items.
  public static func normalizedMutualInformation(_ classes: [Int32], _ clusters: [Int32]) -> Double {
    let t = Contingency(classes, clusters)
    if t.classes.count == t.clusters.count && t.classes.count <= 1 { return 1 }
    if t.classes.count == 1 || t.clusters.count == 1 { return 0 }
    let n = Double(t.total)
    var mi = 0.0
    for (key, count) in t.cells {
      let a = Double(t.classes[Int32(truncatingIfNeeded: key >> 32)]!)
      let b = Double(t.clusters[Int32(truncatingIfNeeded: key)]!)
      let c = Double(count)
      mi += c / n * (log(c) + log(n) - log(a) - log(b))
    }
    mi = max(mi, 0)
    if mi == 0 { return 0 }
    let normalizer = (entropy(t.classes.values, t.total) + entropy(t.clusters.values, t.total)) / 2
    return mi / normalizer
  }

  /// Adjusted Rand index of two labelings of the same items.
  public static func adjustedRandIndex(_ classes: [Int32], _ clusters: [Int32]) -> Double {
    let t = Contingency(classes, clusters)
    let n = Double(t.total)
    var squares = 0.0
    for c in t.cells.values { squares += Double(c) * Double(c) }
    var classSquares = 0.0
    for c in t.classes.values { classSquares += Double(c) * Double(c) }
    var clusterSquares = 0.0
    for c in t.clusters.values { clusterSquares += Double(c) * Double(c) }
    let tp = squares - n
    let fp = clusterSquares - squares
    let fn = classSquares - squares
    let tn = n * n - fp - fn - squares
    if fn == 0 && fp == 0 { return 1 }
    return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
  }

  /// Dendrogram purity of a predicted hierarchy given as one top-down path of cluster ids per item.
  ///
  /// The hierarchy is the trie of the paths: a node is a path prefix, and an item is a leaf below
  /// the node of its whole path. The smallest subtree holding two items is their longest common
  /// prefix. Returns 0 when no two items share a class.
  public static func dendrogramPurity(classes: [Int32], paths: [ArraySlice<Int32>]) -> Double {
    let tree = PrefixTree(paths)
    return dendrogramPurity(classes: classes, itemNodes: tree.itemNodes, parent: tree.parent)
  }

  /// Dendrogram purity for items placed at `itemNodes` of a tree given by `parent` (root: -1).
  static func dendrogramPurity(classes: [Int32], itemNodes itemNode: [Int32], parent: [Int32]) -> Double {
    var size = [Int](repeating: 0, count: parent.count)
    for node in itemNode {
      var v = node
      while v >= 0 {
        size[Int(v)] += 1
        v = parent[Int(v)]
      }
    }
    // Group items by class, then count per class along each item's way up.
    let order = classes.indices.sorted { classes[$0] < classes[$1] }
    var perClass = [Int](repeating: 0, count: parent.count)
    var childPairs = [Double](repeating: 0, count: parent.count)
    var touched: [Int32] = []
    var numerator = 0.0
    var pairs = 0.0
    var start = 0
    while start < order.count {
      var end = start
      while end < order.count && classes[order[end]] == classes[order[start]] { end += 1 }
      let classSize = Double(end - start)
      pairs += classSize * (classSize - 1) / 2
      for k in start..<end {
        var v = itemNode[order[k]]
        while v >= 0 {
          if perClass[Int(v)] == 0 { touched.append(v) }
          perClass[Int(v)] += 1
          v = parent[Int(v)]
        }
      }
      for v in touched where parent[Int(v)] >= 0 {
        let c = Double(perClass[Int(v)])
        childPairs[Int(parent[Int(v)])] += c * (c - 1) / 2
      }
      for v in touched {
        let c = Double(perClass[Int(v)])
        let lcaPairs = c * (c - 1) / 2 - childPairs[Int(v)]
        if lcaPairs > 0 { numerator += lcaPairs * c / Double(size[Int(v)]) }
      }
      for v in touched {
        perClass[Int(v)] = 0
        childPairs[Int(v)] = 0
      }
      touched.removeAll(keepingCapacity: true)
      start = end
    }
    return pairs > 0 ? numerator / pairs : 0
  }
}

/// The trie of top-down cluster paths: node 0 is the empty prefix.
struct PrefixTree {
  var parent: [Int32] = [-1]
  var depth: [Int32] = [0]
  var itemNodes: [Int32] = []

  init(_ paths: [ArraySlice<Int32>]) {
    var childOf: [Int64: Int32] = [:]
    itemNodes.reserveCapacity(paths.count)
    for path in paths {
      var node: Int32 = 0
      for cluster in path {
        let key = Int64(node) << 32 | Int64(UInt32(bitPattern: cluster))
        if let next = childOf[key] {
          node = next
        } else {
          let next = Int32(parent.count)
          parent.append(node)
          depth.append(depth[Int(node)] + 1)
          childOf[key] = next
          node = next
        }
      }
      itemNodes.append(node)
    }
  }

  /// The prefix node of an item's path at a depth, or `nil` when the path is shorter.
  func node(ofItem item: Int, atDepth d: Int) -> Int32? {
    var v = itemNodes[item]
    if depth[Int(v)] < d { return nil }
    while depth[Int(v)] > d { v = parent[Int(v)] }
    return v
  }
}
