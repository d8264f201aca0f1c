import ArborTree
import ArgumentParser

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Prints a line to standard error.
func printError(_ message: String) {
  var line = message
  if !line.hasSuffix("\n") { line += "\n" }
  let bytes = Array(line.utf8)
  bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// Throws a validation error naming the first option whose value is infinite or not a number.
///
/// ArgumentParser reads `inf` and `nan` as valid `Float` and `Double` values; no option of `arbor`
/// means either, and range checks such as `x > 0` let infinity through.
func requireFinite(_ options: KeyValuePairs<String, Double?>) throws {
  for case (let name, let value?) in options where !value.isFinite {
    throw ValidationError("\(name) must be a finite number, got \(value).")
  }
}

/// The widest built-in encoder vectors a command accepts (`--dimension`); the default is 512.
let maximumEncoderDimension = 65_536

/// The most passes over the data a command accepts (`--epochs`), far beyond any useful run, so that
/// step counts computed from it cannot overflow.
let maximumEpochs = 1_000_000

/// Runs `load` for the encoder a model file names (metadata `field` = `name`); a failure is reported
/// with the model file and the field, since the user never typed the encoder's name, and exits 1.
func loadingModelEncoder<Result>(
  _ name: String, model: String, field: String, _ load: () throws -> Result
) throws -> Result {
  do { return try load() } catch {
    printError(
      "arbor: \(model): the model's encoder '\(name)' (metadata '\(field)') cannot be loaded: \(error)")
    throw ExitCode(1)
  }
}

/// Whether standard error is a terminal, so progress lines make sense.
var stderrIsTerminal: Bool { isatty(2) == 1 }

/// Reports a taxonomy error as `arbor: FILE:LINE: message` lines and exits with status 1.
func fail(_ error: TaxonomyError) -> ExitCode {
  for diagnostic in error.diagnostics { printError("arbor: \(diagnostic)") }
  return ExitCode(1)
}

extension TaxonomyFormat: ExpressibleByArgument {
  /// Every format name for `--help`.
  public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// Options shared by commands that read one taxonomy.
struct TaxonomyInputOptions: ParsableArguments {
  @Option(name: .customLong("format"), help: "Input format (default: from the file name).")
  var format: TaxonomyFormat?

  @Option(help: "Preferred language of SKOS labels.")
  var lang: String = "en"

  @Option(help: "For TSV edge lists: an id<TAB>label file.")
  var labels: String?

  func read(_ path: String) throws(TaxonomyError) -> Taxonomy {
    try Taxonomy.read(from: path, format: format, options: .init(language: lang, labelsPath: labels))
  }
}
