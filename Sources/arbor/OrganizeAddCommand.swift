import ArgumentParser

/// `arbor organize add`: places new documents into an existing topic tree.
struct OrganizeAddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add", abstract: "Add documents to a topic tree.")

  func run() throws {
    printError("arbor: organize add is not implemented yet")
    throw ExitCode(1)
  }
}
