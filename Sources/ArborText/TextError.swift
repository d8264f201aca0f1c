/// A failure to load or use a text resource, naming the file (or field) and what was expected.
public struct TextError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The file, directory or input that caused the failure.
  public let path: String
  /// What went wrong and what was expected.
  public let message: String

  /// Creates an error about `path`.
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// `PATH: message`, the form the CLI prints.
  public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
