/// Where in an input a problem was found.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  /// The file path, when the input came from a file.
  public var file: String?
  /// The 1-based line, when known.
  public var line: Int?

  /// Creates a location.
  public init(file: String? = nil, line: Int? = nil) {
    self.file = file
    self.line = line
  }

  /// `FILE:LINE`, `FILE` or `LINE`, as compilers print them.
  public var description: String {
    switch (file, line) {
    case (let file?, let line?): return "\(file):\(line)"
    case (let file?, nil): return file
    case (nil, let line?): return "line \(line)"
    case (nil, nil): return "<input>"
    }
  }
}

/// One problem found while reading or building a taxonomy.
public struct TaxonomyDiagnostic: Sendable, Hashable, CustomStringConvertible {
  /// What kind of problem this is.
  public enum Kind: String, Sendable, Hashable {
    /// A node without an id.
    case emptyID
    /// Two nodes with the same id.
    case duplicateID
    /// An edge names an id that no node has.
    case unknownID
    /// A node is its own parent.
    case selfLoop
    /// Following parents leads back to the start.
    case cycle
    /// The input could not be parsed.
    case syntax
    /// The input parsed but breaks the format's schema.
    case schema
    /// The input could not be read at all.
    case io
  }

  /// What kind of problem this is.
  public var kind: Kind
  /// A sentence saying what is wrong and what was expected.
  public var message: String
  /// Where it is, when known.
  public var location: SourceLocation?

  /// Creates a diagnostic.
  public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
    self.kind = kind
    self.message = message
    self.location = location
  }

  /// `FILE:LINE: message`, or just the message when no location is known.
  public var description: String {
    if let location { return "\(location): \(message)" }
    return message
  }
}

/// The error thrown when a taxonomy cannot be read or built; it carries every problem found.
public struct TaxonomyError: Error, Sendable, CustomStringConvertible {
  /// Every problem, in the order found.
  public var diagnostics: [TaxonomyDiagnostic]

  /// Creates an error from one or more diagnostics.
  public init(_ diagnostics: [TaxonomyDiagnostic]) {
    self.diagnostics = diagnostics
  }

  /// Creates an error with a single diagnostic.
  public init(_ kind: TaxonomyDiagnostic.Kind, _ message: String, at location: SourceLocation? = nil) {
    self.diagnostics = [TaxonomyDiagnostic(kind, message, at: location)]
  }

  /// One line per diagnostic.
  public var description: String {
    diagnostics.map(\.description).joined(separator: "\n")
  }
}
