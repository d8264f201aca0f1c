/// Anything that turns texts into fixed-width dense vectors.
public protocol TextEncoder: Sendable {
  /// Width of every vector.
  var dimension: Int { get }
  /// A string that changes whenever the vectors would (model files, settings); embedding caches key on it.
  var identity: String { get }
  /// Vectors of `texts`, row-major `[texts.count, dimension]`, in input order.
  func encode(_ texts: [String]) -> [Float]
}
