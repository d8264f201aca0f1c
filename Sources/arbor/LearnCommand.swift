import ArgumentParser

/// `arbor learn`: updates a trained classifier with new labelled documents and new labels.
struct LearnCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "learn", abstract: "Update a classifier.")

  func run() throws {
    printError("arbor: learn is not implemented yet")
    throw ExitCode(1)
  }
}
