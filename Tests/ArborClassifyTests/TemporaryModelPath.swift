import Foundation

/// A fresh path for a model file in the temporary directory (the caller removes it).
func temporaryModelPath() -> String {
  FileManager.default.temporaryDirectory.appendingPathComponent("arbor-\(UUID().uuidString).arbor").path
}
