import ArgumentParser

/// `arbor organize build`: clusters a collection into a named topic tree.
struct OrganizeBuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "build", abstract: "Build a topic tree.")

  func run() throws {
    printError("arbor: organize build is not implemented yet")
    throw ExitCode(1)
  }
}
