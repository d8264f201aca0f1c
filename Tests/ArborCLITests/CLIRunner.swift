import Foundation

/// The result of running the `arbor` executable.
struct CLIResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Locates the `arbor` binary that `swift build` put beside the test bundle.
func arborExecutable() -> URL {
  var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for _ in 0..<4 {
    let candidate = directory.appendingPathComponent("arbor")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    directory = directory.deletingLastPathComponent()
  }
  // Fall back to the debug build folder of this checkout.
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  return root.appendingPathComponent(".build/debug/arbor")
}

/// Runs `arbor` with arguments and optional standard input; waits for it to finish.
///
/// Output goes through temporary files, so a large output cannot block the child.
func runArbor(_ arguments: [String], stdin: String? = nil) throws -> CLIResult {
  let dir = try makeTemporaryDirectory()
  defer { try? FileManager.default.removeItem(at: dir) }
  let outURL = dir.appendingPathComponent("stdout")
  let errURL = dir.appendingPathComponent("stderr")
  let inURL = dir.appendingPathComponent("stdin")
  try Data().write(to: outURL)
  try Data().write(to: errURL)
  try Data((stdin ?? "").utf8).write(to: inURL)
  let process = Process()
  process.executableURL = arborExecutable()
  process.arguments = arguments
  process.standardOutput = try FileHandle(forWritingTo: outURL)
  process.standardError = try FileHandle(forWritingTo: errURL)
  process.standardInput = try FileHandle(forReadingFrom: inURL)
  try process.run()
  process.waitUntilExit()
  return CLIResult(
    status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
    stderr: try String(contentsOf: errURL, encoding: .utf8))
}

/// A fresh temporary directory for one test.
func makeTemporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-cli-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Writes eight one-word fruit records (`d0`…`d7`) to `c.jsonl` in `dir` and returns its URL.
func writeFruitCollection(in dir: URL) throws -> URL {
  let collection = dir.appendingPathComponent("c.jsonl")
  let words = ["apple", "banana", "cherry", "grape", "melon", "lemon", "peach", "plum"]
  try words.enumerated().map { "{\"id\": \"d\($0.offset)\", \"text\": \"\($0.element) fruit\"}" }
    .joined(separator: "\n").write(to: collection, atomically: true, encoding: .utf8)
  return collection
}

/// The path of WordNet's noun data file when installed, or nil.
var installedWordNetNouns: String? {
  let path = "/usr/share/wordnet/data.noun"
  return FileManager.default.fileExists(atPath: path) ? path : nil
}
