import ArgumentParser

/// `arbor continual`: streams and online learners on hierarchical label expansion.
struct ContinualCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "continual",
    abstract: "Continual learning on hierarchical label expansion.",
    subcommands: [ContinualStreamCommand.self, ContinualRunCommand.self]
  )
}

/// `arbor continual stream`: writes a seeded HLE-style stream.
struct ContinualStreamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "stream", abstract: "Write a stream.")

  func run() throws {
    printError("arbor: continual stream is not implemented yet")
    throw ExitCode(1)
  }
}

/// `arbor continual run`: runs an online learner over a stream.
struct ContinualRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a learner on a stream.")

  func run() throws {
    printError("arbor: continual run is not implemented yet")
    throw ExitCode(1)
  }
}
