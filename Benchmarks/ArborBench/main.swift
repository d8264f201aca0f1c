// arbor-bench: the Swift side of the benchmarks in Benchmarks/*/run.sh.
// Each mode prints its own timings; the scripts compare them with a Python peer run in the same job.

#if canImport(Glibc)
  import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
let modes: [String: ([String]) throws -> Void] = [
  "taxonomy": runTaxonomyBenchmark,
  "tensor": runTensorBenchmark,
  "encode": runEncoderBenchmark,
  "metrics": runMetricsBenchmark,
  "rl": runRLBenchmark,
]
guard let mode = arguments.first, let run = modes[mode] else {
  print("usage: arbor-bench MODE ARGS...; modes: \(modes.keys.sorted().joined(separator: ", "))")
  exit(2)
}
do {
  try run(Array(arguments.dropFirst()))
} catch {
  print("arbor-bench: \(error)")
  exit(1)
}
