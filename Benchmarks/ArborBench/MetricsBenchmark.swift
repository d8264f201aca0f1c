import ArborMetrics
import ArborTree

#if canImport(Glibc)
  import Glibc
#endif

/// `arbor-bench metrics TAXONOMY GOLD PRED`: times each phase of a full classification evaluation.
///
/// Prints one line per phase (seconds) and the h-micro-F1, so `Benchmarks/metrics/run.sh` can show
/// where the time of `arbor eval` goes.
func runMetricsBenchmark(_ arguments: [String]) throws {
  guard arguments.count == 3 else {
    print("usage: arbor-bench metrics TAXONOMY GOLD PRED")
    exit(2)
  }
  func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
  var t0 = now()
  func lap(_ name: String) {
    let t = now()
    print("\(name): \(String(format3(t - t0))) s")
    t0 = t
  }
  let taxonomy = try Taxonomy.read(from: arguments[0])
  lap("read taxonomy")
  let hierarchy = LabelHierarchy(taxonomy)
  lap("prepare closures")
  let (gold, pred) = try Evaluation.readPair(
    gold: arguments[1], predicted: arguments[2], hierarchy: hierarchy)
  lap("read gold and predictions (2 threads)")
  let evaluation = Evaluation.classification(hierarchy: hierarchy, gold: gold, predicted: pred)
  lap("accumulate")
  let report = evaluation.report()
  lap("report")
  print("samples: \(report.sampleCount) h-micro-f1: \(report["h-micro-f1"] ?? .nan)")
}

private func format3(_ x: Double) -> String {
  let scaled = (x * 1000).rounded() / 1000
  return "\(scaled)"
}
