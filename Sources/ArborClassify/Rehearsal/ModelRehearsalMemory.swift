import ArborTensor
import ArborTree

/// A bounded, class-balanced sample of training documents kept inside a model file for rehearsal.
///
/// Each item is a document's feature row (as the model computes it, dense part included) and
/// its gold labels as node indices of the model's taxonomy: the path from the first level down
/// to the deepest label, which is also the item's class. When more items compete than the budget
/// allows, every class keeps an equal share (classes with fewer items keep all of theirs and the
/// rest is shared out again), the class-balanced selection of GDumb (Prabhu et al., ECCV 2020)
/// and of PL-FMS's memory (Lee et al., ICCV 2023). Which items of a class stay is a seeded
/// random choice.
package struct ModelRehearsalMemory: Sendable {
  /// The feature rows of the kept items.
  package var rows = SparseRows()
  /// Each item's gold path (node indices below the root, first level first).
  package var paths: [[Int32]] = []
  /// For every taxonomy node, how many documents the model has learnt from whose gold path ends
  /// there (all of them, not only the kept ones): the class prior of everything seen. Empty when
  /// unknown (files written before it existed).
  package var seenCounts: [Float] = []

  package init() {}

  /// The number of items.
  package var count: Int { paths.count }

  /// An item's class: the end of its gold path.
  package func classOf(_ item: Int) -> Int32 { paths[item].last ?? -1 }

  /// Appends one item.
  package mutating func append(rows source: SparseRows, row: Int, path: [Int32]) {
    let range = source.offsets[row]..<source.offsets[row + 1]
    rows.append(columns: source.columns[range], values: source.values[range])
    paths.append(path)
  }

  /// How many items each class keeps under `budget`: equal shares, the unused part of small
  /// classes' shares given to the others ("water-filling").
  package static func quotas(classSizes: [Int], budget: Int) -> [Int] {
    var quotas = [Int](repeating: 0, count: classSizes.count)
    var open = classSizes.indices.filter { classSizes[$0] > 0 }
    var left = max(0, budget)
    while !open.isEmpty && left > 0 {
      let share = left / open.count
      if share == 0 {
        // Fewer items left than open classes: one more each for the first classes (a stable order).
        for index in open.prefix(left) { quotas[index] += 1 }
        break
      }
      var stillOpen: [Int] = []
      for index in open {
        let room = classSizes[index] - quotas[index]
        let given = min(room, share)
        quotas[index] += given
        left -= given
        if quotas[index] < classSizes[index] { stillOpen.append(index) }
      }
      open = stillOpen
    }
    return quotas
  }

  /// A class-balanced selection of at most `budget` items of `self`, chosen with `seed`.
  package func balanced(budget: Int, seed: UInt64) -> ModelRehearsalMemory {
    if count <= budget { return self }
    var members: [Int32: [Int]] = [:]
    for item in 0..<count { members[classOf(item), default: []].append(item) }
    let classes = members.keys.sorted()
    let quotas = Self.quotas(classSizes: classes.map { members[$0]!.count }, budget: budget)
    var generator = RandomGenerator(seed: seed)
    var kept: [Int] = []
    for (index, label) in classes.enumerated() {
      var items = members[label]!
      generator.shuffle(&items)
      kept += items.prefix(quotas[index])
    }
    kept.sort()
    var result = ModelRehearsalMemory()
    result.seenCounts = seenCounts
    for item in kept { result.append(rows: rows, row: item, path: paths[item]) }
    return result
  }

  /// The items of `self` followed by those of `other`.
  package mutating func append(contentsOf other: ModelRehearsalMemory) {
    rows.append(contentsOf: other.rows)
    paths += other.paths
  }

  /// Counts one more document whose gold path ends at `node` of a taxonomy of `nodeCount` nodes.
  package mutating func countSeen(_ node: Int, nodeCount: Int) {
    if seenCounts.count != nodeCount { seenCounts = [Float](repeating: 0, count: nodeCount) }
    seenCounts[node] += 1
  }

  /// The same items with node indices translated by `map` (old index to new index) into a
  /// taxonomy of `nodeCount` nodes.
  package func remapped(_ map: [Int], nodeCount: Int) -> ModelRehearsalMemory {
    var result = self
    result.paths = paths.map { path in path.map { Int32(map[Int($0)]) } }
    if !seenCounts.isEmpty {
      result.seenCounts = [Float](repeating: 0, count: nodeCount)
      for (old, count) in seenCounts.enumerated() { result.seenCounts[map[old]] = count }
    }
    return result
  }
}

/// Persistence as five or six float tensors (`memory.*`); float32 holds integers exactly below 2^24.
extension ModelRehearsalMemory {
  /// The tensors to store; none when the memory is empty.
  package var tensors: [(name: String, tensor: Tensor)] {
    guard count > 0 else { return [] }
    let seen: [(name: String, tensor: Tensor)] =
      seenCounts.isEmpty
      ? [] : [("memory.seen_counts", Tensor(shape: [seenCounts.count], storage: seenCounts))]
    var pathOffsets: [Float] = [0]
    var nodes: [Float] = []
    for path in paths {
      nodes += path.map(Float.init)
      pathOffsets.append(Float(nodes.count))
    }
    return [
      ("memory.row_offsets", Tensor(shape: [rows.offsets.count], storage: rows.offsets.map(Float.init))),
      ("memory.columns", Tensor(shape: [rows.columns.count], storage: rows.columns.map(Float.init))),
      ("memory.values", Tensor(shape: [rows.values.count], storage: rows.values)),
      ("memory.path_offsets", Tensor(shape: [pathOffsets.count], storage: pathOffsets)),
      ("memory.paths", Tensor(shape: [nodes.count], storage: nodes)),
    ] + seen
  }

  /// Whether the memory fits float32 storage exactly (every offset and index below 2^24).
  package var isStorable: Bool { rows.columns.count < 1 << 24 && paths.reduce(0) { $0 + $1.count } < 1 << 24 }

  /// Reads the memory of a model file; empty when the file has none, nil when it is damaged.
  package init?(file: SafeTensorsFile, featureCount: Int, nodeCount: Int) {
    self.init()
    guard file.entries["memory.row_offsets"] != nil else { return }
    guard let values = try? file.floats("memory.values"),
      let offsets = (try? file.floats("memory.row_offsets"))?.wholeNumbers(in: 0...values.count),
      let columns = (try? file.floats("memory.columns"))?.wholeNumbers(
        in: 0...Int32(clamping: max(0, featureCount - 1))),
      let nodes = (try? file.floats("memory.paths"))?.wholeNumbers(
        in: 0...Int32(clamping: max(0, nodeCount - 1))),
      let pathOffsets = (try? file.floats("memory.path_offsets"))?.wholeNumbers(in: 0...nodes.count),
      offsets.first == 0, pathOffsets.first == 0, offsets.count == pathOffsets.count,
      columns.count == values.count, offsets.last == columns.count, pathOffsets.last == nodes.count,
      zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
      zip(pathOffsets, pathOffsets.dropFirst()).allSatisfy({ $0 <= $1 })
    else { return nil }
    if file.entries["memory.seen_counts"] != nil {
      guard let seen = try? file.floats("memory.seen_counts"), seen.count == nodeCount,
        seen.allSatisfy({ $0 >= 0 && $0.isFinite })
      else { return nil }
      seenCounts = seen
    }
    rows.offsets = offsets
    rows.columns = columns
    rows.values = values
    paths = (0..<(pathOffsets.count - 1)).map { item in
      Array(nodes[pathOffsets[item]..<pathOffsets[item + 1]])
    }
  }
}
