import ArborTensor
import ArgumentParser

/// The `arbor` command: hierarchical classification and taxonomy tools.
@main
struct Arbor: ParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "arbor",
    abstract: "Hierarchical classification and taxonomy toolkit.",
    version: version,
    subcommands: [
      TaxonomyCommand.self, TrainCommand.self, ClassifyCommand.self, SampleCommand.self, EvalCommand.self,
      ExpandCommand.self, FinetuneCommand.self, EmbedCommand.self, OrganizeCommand.self, LearnCommand.self,
      ContinualCommand.self,
    ]
  )

  /// Runs the command; usage errors exit with status 2 (not ArgumentParser's 64) as Unix tools do.
  static func main() {
    AllocatorTuning.keepFreedTensorMemory()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        printError(fullMessage(for: error))
        exit(withError: ExitCode(2))
      }
      exit(withError: error)
    }
  }
}
