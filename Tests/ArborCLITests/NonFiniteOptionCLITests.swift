import Foundation
import Testing

/// Numeric options given `inf` or `nan`: a usage error naming the option, never a trap.
///
/// ArgumentParser reads both words as valid numbers, and checks such as `rate > 0` let infinity
/// through; `arbor finetune --learning-rate inf` used to stop on a precondition (signal 4).
@Suite("arbor CLI on non-finite numeric options")
struct NonFiniteOptionCLITests {
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

  @Test("a stop threshold outside [0, 1] is refused")
  func refusesStopThresholdAboveOne() throws {
    let result = try runArbor([
      "train", "--taxonomy", "T.json", "--train", "D.jsonl", "--out", "M.arbor", "--stop-threshold", "1.5",
    ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--stop-threshold is a probability"), "\(result.stderr)")
  }
}
