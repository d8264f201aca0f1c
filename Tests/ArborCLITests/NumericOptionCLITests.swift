import Foundation
import Testing

/// Numeric options given `inf`, `nan` or huge integers: a usage error naming the option, never a trap.
///
/// ArgumentParser reads `inf` and `nan` as valid numbers, and checks such as `rate > 0` let infinity
/// through; `arbor finetune --learning-rate inf` used to stop on a precondition (signal 4), and
/// `--epochs`, `--dimension` or `--group-size` of Int.max on an arithmetic overflow or a bad pointer.
@Suite("arbor CLI on out-of-range numeric options")
struct NumericOptionCLITests {
  /// A command line with the option last; its paths need not exist, since options are checked first.
  struct Case: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var option: String
    var testDescription: String { "\(arguments.prefix(2).joined(separator: " ")) \(option)" }
  }

  static let cases: [Case] = {
    let train = ["train", "--taxonomy", "T.json", "--train", "D.jsonl", "--out", "M.arbor"]
    let learn = ["learn", "--model", "M.arbor", "D.jsonl", "--out", "N.arbor"]
    let finetune = ["finetune", "--model", "M.arbor", "--train", "D.jsonl", "--out", "N.arbor"]
    let run = ["continual", "run", "--stream", "S.jsonl", "--test", "D.jsonl", "--taxonomy", "T.json"]
    let stream = [
      "continual", "stream", "--corpus", "D.jsonl", "--taxonomy", "T.json", "--scenario", "multi-depth",
      "--out", "S.jsonl",
    ]
    let expandTrain = ["expand", "train", "--taxonomy", "T.json", "--out", "E.arbor"]
    let place = ["expand", "place", "--taxonomy", "T.json", "--terms", "Q.jsonl", "--out", "X.json"]
    let options: [([String], [String])] = [
      (
        train,
        [
          "--cost", "--ancestor-weight", "--lr", "--stop-threshold", "--dense-weight", "--encoder-lr",
          "--prototype-weight",
        ]
      ),
      (learn, ["--lr", "--replay", "--logit-adjustment"]),
      (finetune, ["--learning-rate", "--kl", "--temperature"]),
      (run, ["--head-weight", "--prototype-weight", "--prior-weight", "--shrinkage"]),
      (stream, ["--blurry", "--imbalance"]),
      (expandTrain, ["--learning-rate"]),
      (place, ["--threshold"]),
    ]
    return options.flatMap { command, names in names.map { Case(arguments: command, option: $0) } }
  }()

  @Test("inf and nan are refused by name", arguments: cases, ["inf", "nan"])
  func refusesNonFinite(_ testCase: Case, value: String) throws {
    let result = try runArbor(testCase.arguments + [testCase.option, value])
    #expect(result.status != 0)
    #expect(result.stderr.contains("\(testCase.option) must be a finite number"), "\(result.stderr)")
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("runtime failure"))
  }

  static let hugeIntegerCases: [Case] = [
    Case(
      arguments: ["train", "--taxonomy", "T.json", "--train", "D.jsonl", "--out", "M.arbor"],
      option: "--epochs"),
    Case(arguments: ["learn", "--model", "M.arbor", "D.jsonl", "--out", "N.arbor"], option: "--epochs"),
    Case(arguments: ["learn", "--model", "M.arbor", "D.jsonl", "--out", "N.arbor"], option: "--replay"),
    Case(arguments: ["expand", "train", "--taxonomy", "T.json", "--out", "E.arbor"], option: "--epochs"),
    Case(arguments: ["expand", "train", "--taxonomy", "T.json", "--out", "E.arbor"], option: "--dimension"),
    Case(
      arguments: ["finetune", "--model", "M.arbor", "--train", "D.jsonl", "--out", "N.arbor"],
      option: "--group-size"),
    Case(
      arguments: ["embed", "D.jsonl", "--encoder", "builtin", "--out", "V.safetensors"], option: "--dimension"
    ),
    Case(arguments: ["organize", "build", "D.jsonl", "--out", "T.json"], option: "--dimension"),
    Case(
      arguments: ["continual", "run", "--stream", "S.jsonl", "--test", "D.jsonl", "--taxonomy", "T.json"],
      option: "--dimension"),
  ]

  @Test("Int.max is refused with the option's range", arguments: hugeIntegerCases)
  func refusesHugeIntegers(_ testCase: Case) throws {
    let result = try runArbor(testCase.arguments + [testCase.option, "\(Int.max)"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("\(testCase.option) must be between"), "\(result.stderr)")
  }

  @Test("a data-driven --min-size of Int.max is a clear error, not an overflow")
  func hugeMinimumSize() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let collection = try writeFruitCollection(in: directory)
    let out = directory.appendingPathComponent("t.json").path
    let build = [
      "organize", "build", collection.path, "--encoder", "builtin", "--max-depth", "2", "--out", out,
    ]
    let result = try runArbor(build + ["--min-size", "\(Int.max)"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("arbor: \(collection.path): the collection's 8 documents cannot be split"),
      "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    // Nodes of at least 2 × 2 documents can be split.
    let small = try runArbor(build + ["--min-size", "2"])
    #expect(small.status == 0, "\(small.stderr)")
    #expect(FileManager.default.fileExists(atPath: out))
  }

  @Test("a stop threshold outside [0, 1] is refused")
  func refusesStopThresholdAboveOne() throws {
    let result = try runArbor([
      "train", "--taxonomy", "T.json", "--train", "D.jsonl", "--out", "M.arbor", "--stop-threshold", "1.5",
    ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--stop-threshold is a probability"), "\(result.stderr)")
  }
}
