import ArgumentParser

/// The `arbor` command: hierarchical classification and taxonomy tools.
@main
struct Arbor: ParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "arbor",
    abstract: "Hierarchical classification and taxonomy toolkit.",
    version: version,
    subcommands: [TaxonomyCommand.self, EvalCommand.self]
  )
}
