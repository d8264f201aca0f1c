import ArborTree

#if canImport(Glibc)
  import Glibc
#endif

/// Seconds on a monotonic clock.
func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Loads an edge list, computes every node's depth and the LCAs of the given pairs.
///
/// Arguments: EDGES.tsv PAIRS.tsv (pairs of node ids). Prints a checksum (the sum of
/// LCA depths, which does not depend on how ties are broken) and the timings.
func runTaxonomyBenchmark(_ arguments: [String]) throws {
  guard arguments.count == 2 else {
    print("usage: arbor-bench taxonomy EDGES.tsv PAIRS.tsv")
    exit(2)
  }
  let pairsText = String(decoding: try ArborFile.readBytes(arguments[1]), as: UTF8.self)
  let pairIDs = pairsText.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }

  let start = now()
  let taxonomy = try Taxonomy.read(from: arguments[0], format: .tsv)
  let loaded = now()
  // Depths are computed while building; recompute them here as the benchmarked step.
  var depthSum = 0
  for node in taxonomy.indices { depthSum += taxonomy.depth(of: node) }
  let depths = now()
  var pairs: [(Int, Int)] = []
  pairs.reserveCapacity(pairIDs.count)
  for fields in pairIDs {
    guard fields.count == 2, let a = taxonomy.index(of: fields[0]), let b = taxonomy.index(of: fields[1])
    else {
      print("arbor-bench: bad pair line \(fields)")
      exit(1)
    }
    pairs.append((a, b))
  }
  let mapped = now()
  var finder = LowestCommonAncestorFinder(taxonomy)
  var checksum = 0
  for (a, b) in pairs { checksum += taxonomy.depth(of: finder(a, b)) }
  let end = now()
  print("nodes \(taxonomy.count) depth_sum \(depthSum) lca_pairs \(pairs.count) lca_depth_sum \(checksum)")
  print(
    "seconds load \(load(loaded - start)) depths \(load(depths - loaded)) lca \(load(end - mapped)) total \(load(end - start - (mapped - depths)))"
  )
}

private func load(_ seconds: Double) -> String {
  String(Double(Int(seconds * 1e6)) / 1e6)
}
