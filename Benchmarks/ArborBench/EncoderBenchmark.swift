import ArborText
import Foundation

/// Encodes texts with all-MiniLM-L6-v2 and reports throughput, achieved GFLOP/s and the sgemm peak.
///
/// Arguments: TEXTS.txt (one text per line) [--model DIR] [--batch 32] [--max-length 128]
/// [--threads 2] [--vectors OUT.f32] [--repeat 3] [--parallelism batches|within]. BLAS threads come from
/// OPENBLAS_NUM_THREADS (the encoder sets them to 1 while it runs whole batches on its own threads).
func runEncoderBenchmark(_ arguments: [String]) throws {
  var options: [String: String] = [:]
  var positional: [String] = []
  var index = 0
  while index < arguments.count {
    if arguments[index].hasPrefix("--"), index + 1 < arguments.count {
      options[String(arguments[index].dropFirst(2))] = arguments[index + 1]
      index += 2
    } else {
      positional.append(arguments[index])
      index += 1
    }
  }
  guard positional.count == 1 else {
    print(
      "usage: arbor-bench encode TEXTS.txt [--model DIR] [--batch N] [--max-length N] [--threads N]"
        + " [--vectors OUT.f32] [--repeat N] [--parallelism batches|within]")
    exit(2)
  }
  let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: positional[0])), as: UTF8.self)
  let texts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter {
    !$0.isEmpty
  }
  let threads = Int(options["threads"] ?? "") ?? 2
  let directory = try options["model"] ?? ModelLocator.miniLMDirectory()
  var encoder = try SentenceEncoder(directory: directory, threadCount: threads)
  encoder.batchSize = Int(options["batch"] ?? "") ?? 32
  encoder.maxLength = Int(options["max-length"] ?? "") ?? 128
  let repeats = Int(options["repeat"] ?? "") ?? 3
  encoder.parallelism = options["parallelism"] == "within" ? .withinBatch : .batches

  let peakBefore = SgemmPeak.measure()
  _ = encoder.encode(Array(texts.prefix(64)))  // warm-up: page in weights, start BLAS threads
  var best = Double.infinity
  var vectors: [Float] = []
  for _ in 0..<max(1, repeats) {
    let start = now()
    vectors = encoder.encode(texts)
    best = min(best, now() - start)
  }
  let peakAfter = SgemmPeak.measure()
  let lengths = encoder.tokenize(texts).map(\.count)
  let flops = encoder.model.flopCount(lengths: lengths)
  if let path = options["vectors"] {
    try vectors.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
  }
  let peak = max(peakBefore, peakAfter)
  print("texts \(texts.count) tokens \(lengths.reduce(0, +)) gflop \(flops * 1e-9)")
  print("seconds \(best) texts_per_second \(Double(texts.count) / best) gflops \(flops / best * 1e-9)")
  print("sgemm_peak_gflops \(peak) fraction_of_peak \(flops / best * 1e-9 / peak)")
}
