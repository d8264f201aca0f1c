/// The prefix tree of a group's paths: shared prefixes merge, and every prefix carries the mean reward of
/// the paths through it (TEMPO's prefix-to-tree values, SPO-tree's Monte Carlo values).
struct PrefixTree {
  /// `prefixes[path][t]`: the prefix after `t` decisions of `path` (0 is the empty prefix at the root).
  var prefixes: [[Int]] = []
  /// Sum of rewards of the paths through each prefix.
  var rewardSums: [Double] = [0]
  /// Number of paths through each prefix.
  var pathCounts: [Int] = [0]
  /// Number of distinct continuations of each prefix.
  var childCounts: [Int] = [0]

  /// Builds the tree of `group`'s paths.
  init(_ group: PathGroup) {
    var index: [PrefixKey: Int] = [:]
    for (path, reward) in zip(group.paths, group.rewards) {
      var current = 0
      var chain = [0]
      rewardSums[0] += reward
      pathCounts[0] += 1
      for decision in 0..<path.decisionCount {
        let key = PrefixKey(parent: current, state: path.state(after: decision))
        if let existing = index[key] {
          current = existing
        } else {
          current = rewardSums.count
          index[key] = current
          rewardSums.append(0)
          pathCounts.append(0)
          childCounts.append(0)
          childCounts[key.parent] += 1
        }
        rewardSums[current] += reward
        pathCounts[current] += 1
        chain.append(current)
      }
      prefixes.append(chain)
    }
  }

  /// V(prefix): the mean reward of the group's paths through it.
  func value(_ prefix: Int) -> Double { rewardSums[prefix] / Double(pathCounts[prefix]) }

  /// Whether the group took at least two different actions after this prefix.
  func isBranching(_ prefix: Int) -> Bool { childCounts[prefix] >= 2 }

  private struct PrefixKey: Hashable {
    var parent: Int
    var state: PathState
  }
}
