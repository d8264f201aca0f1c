/// A dense row-major tensor of `Float` on contiguous storage.
///
/// The last dimension varies fastest. A scalar has shape `[]` and one element. Shape mismatches
/// between operands are programming errors and stop the program with a message; data read from
/// files is validated before it becomes a tensor.
public struct Tensor: Sendable, Equatable {
  /// The dimensions, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `storage.count` equals the product of `shape`.
  public var storage: [Float]

  /// Creates a tensor from its shape and row-major elements.
  public init(shape: [Int], storage: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
    precondition(
      Tensor.elementCount(shape) == storage.count,
      "Tensor: shape \(shape) needs \(Tensor.elementCount(shape)) elements, got \(storage.count)")
    self.shape = shape
    self.storage = storage
  }

  /// A tensor of the given shape filled with `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, storage: [Float](repeating: value, count: Tensor.elementCount(shape)))
  }

  /// A tensor of zeros.
  public init(zeros shape: [Int]) {
    self.init(repeating: 0, shape: shape)
  }

  /// A scalar (shape `[]`).
  public init(scalar value: Float) {
    self.init(shape: [], storage: [value])
  }

  /// A matrix from rows of equal length.
  public init(rows: [[Float]]) {
    let columns = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): rows differ in length")
    self.init(shape: [rows.count, columns], storage: rows.flatMap { $0 })
  }

  /// The number of elements.
  public var count: Int { storage.count }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The single element of a one-element tensor.
  public var scalar: Float {
    precondition(storage.count == 1, "Tensor.scalar: tensor has shape \(shape)")
    return storage[0]
  }

  /// The element at row `row`, column `column` of a matrix.
  public subscript(row: Int, column: Int) -> Float {
    get {
      precondition(rank == 2, "Tensor[row, column]: tensor has shape \(shape)")
      return storage[row * shape[1] + column]
    }
    set {
      precondition(rank == 2, "Tensor[row, column]: tensor has shape \(shape)")
      storage[row * shape[1] + column] = newValue
    }
  }

  /// The same elements viewed with another shape of equal element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, storage: storage)
  }

  /// The product of the dimensions (1 for a scalar).
  public static func elementCount(_ shape: [Int]) -> Int {
    shape.reduce(1, *)
  }

  /// Normal samples with the given mean and standard deviation.
  public static func randomNormal(
    shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
  ) -> Tensor {
    let count = elementCount(shape)
    var storage = [Float](repeating: 0, count: count)
    for index in 0..<count { storage[index] = mean + standardDeviation * generator.nextNormal() }
    return Tensor(shape: shape, storage: storage)
  }

  /// Uniform samples from `range` (lower bound included, upper excluded).
  public static func randomUniform(
    shape: [Int], in range: Range<Float>, using generator: inout RandomGenerator
  ) -> Tensor {
    let count = elementCount(shape)
    var storage = [Float](repeating: 0, count: count)
    let width = range.upperBound - range.lowerBound
    for index in 0..<count { storage[index] = range.lowerBound + width * generator.nextUniform() }
    return Tensor(shape: shape, storage: storage)
  }

  /// Glorot/Xavier uniform initialisation for a `[fanIn, fanOut]` weight matrix:
  /// U(−a, a) with a = √(6 / (fanIn + fanOut)) (Glorot & Bengio, 2010).
  public static func glorotUniform(fanIn: Int, fanOut: Int, using generator: inout RandomGenerator) -> Tensor
  {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    return randomUniform(shape: [fanIn, fanOut], in: -limit..<limit, using: &generator)
  }
}

extension Tensor: CustomStringConvertible {
  /// The shape and up to the first eight elements.
  public var description: String {
    let shown = storage.prefix(8).map { "\($0)" }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(shown)\(storage.count > 8 ? ", …" : "")])"
  }
}
