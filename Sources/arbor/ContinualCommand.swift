import ArgumentParser

/// `arbor continual`: streams and online learners on hierarchical label expansion.
struct ContinualCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "continual",
    abstract: "Continual learning on hierarchical label expansion.",
    subcommands: [ContinualStreamCommand.self, ContinualRunCommand.self]
  )
}
