import ArgumentParser

/// `arbor organize`: labelled topic trees from document collections.
struct OrganizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "organize",
    abstract: "Organize a document collection into a labelled topic tree.",
    subcommands: [OrganizeBuildCommand.self, OrganizeAddCommand.self]
  )
}
