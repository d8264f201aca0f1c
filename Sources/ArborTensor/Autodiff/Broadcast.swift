/// How two shapes broadcast against each other (NumPy rules: shapes are aligned on the right and
/// each pair of dimensions must be equal or one of them 1).
struct BroadcastPlan {
  let outputShape: [Int]
  /// Per output dimension, the element stride of each operand (0 where it is broadcast).
  let leftStrides: [Int]
  let rightStrides: [Int]

  init(_ left: [Int], _ right: [Int]) {
    let rank = max(left.count, right.count)
    let paddedLeft = [Int](repeating: 1, count: rank - left.count) + left
    let paddedRight = [Int](repeating: 1, count: rank - right.count) + right
    var output = [Int](repeating: 0, count: rank)
    for axis in 0..<rank {
      let (a, b) = (paddedLeft[axis], paddedRight[axis])
      precondition(a == b || a == 1 || b == 1, "broadcast: shapes \(left) and \(right) are incompatible")
      output[axis] = a == 1 ? b : a
    }
    outputShape = output
    leftStrides = BroadcastPlan.strides(paddedLeft)
    rightStrides = BroadcastPlan.strides(paddedRight)
  }

  /// Row-major strides, with 0 for dimensions of size 1 (which broadcast).
  private static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: shape.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = shape[axis] == 1 ? 0 : step
      step *= shape[axis]
    }
    return strides
  }

  /// Calls `body(outputOffset, leftOffset, rightOffset, count, leftStep, rightStep)` for each run
  /// along the last dimension, in output order.
  @inline(__always)
  func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
    let rank = outputShape.count
    guard rank > 0 else {
      body(0, 0, 0, 1, 0, 0)
      return
    }
    let inner = outputShape[rank - 1]
    let runs = Tensor.elementCount(Array(outputShape.dropLast()))
    guard inner > 0, runs > 0 else { return }
    let leftStep = leftStrides[rank - 1]
    let rightStep = rightStrides[rank - 1]
    var counter = [Int](repeating: 0, count: rank - 1)
    var leftOffset = 0
    var rightOffset = 0
    for run in 0..<runs {
      body(run * inner, leftOffset, rightOffset, inner, leftStep, rightStep)
      // Advance the multi-index over the outer dimensions.
      var axis = rank - 2
      while axis >= 0 {
        counter[axis] += 1
        leftOffset += leftStrides[axis]
        rightOffset += rightStrides[axis]
        if counter[axis] < outputShape[axis] { break }
        leftOffset -= leftStrides[axis] * counter[axis]
        rightOffset -= rightStrides[axis] * counter[axis]
        counter[axis] = 0
        axis -= 1
      }
    }
  }
}

/// The binary elementwise operations with broadcasting.
enum BinaryOperation {
  case add, subtract, multiply, divide
}

extension Variable {
  /// Elementwise sum with NumPy broadcasting (e.g. a `[n]` bias added to every row of `[m, n]`).
  public static func + (left: Variable, right: Variable) -> Variable {
    binary(.add, left, right)
  }

  /// Elementwise difference with NumPy broadcasting.
  public static func - (left: Variable, right: Variable) -> Variable {
    binary(.subtract, left, right)
  }

  /// Elementwise (Hadamard) product with NumPy broadcasting.
  public static func * (left: Variable, right: Variable) -> Variable {
    binary(.multiply, left, right)
  }

  /// Elementwise quotient with NumPy broadcasting; ∂a = g/b, ∂b = −g·a/b².
  public static func / (left: Variable, right: Variable) -> Variable {
    binary(.divide, left, right)
  }

  /// Elementwise sum with broadcasting (same as `+`).
  public func adding(_ other: Variable) -> Variable { self + other }

  /// Elementwise product with broadcasting (same as `*`).
  public func multiplying(_ other: Variable) -> Variable { self * other }

  private static func binary(_ operation: BinaryOperation, _ left: Variable, _ right: Variable) -> Variable {
    precondition(left.tape === right.tape, "binary operation on variables from different tapes")
    let a = left.value
    let b = right.value
    let plan = BroadcastPlan(a.shape, b.shape)
    var output = Tensor(zeros: plan.outputShape)
    output.storage.withUnsafeMutableBufferPointer { y in
      a.storage.withUnsafeBufferPointer { x1 in
        b.storage.withUnsafeBufferPointer { x2 in
          plan.forEachRun { out, l, r, count, ls, rs in
            switch operation {
            case .add: for j in 0..<count { y[out + j] = x1[l + j * ls] + x2[r + j * rs] }
            case .subtract: for j in 0..<count { y[out + j] = x1[l + j * ls] - x2[r + j * rs] }
            case .multiply: for j in 0..<count { y[out + j] = x1[l + j * ls] * x2[r + j * rs] }
            case .divide: for j in 0..<count { y[out + j] = x1[l + j * ls] / x2[r + j * rs] }
            }
          }
        }
      }
    }
    let (leftIndex, rightIndex) = (left.index, right.index)
    return left.tape.record(output, inputs: [left, right]) { tape, upstream in
      let a = tape.values[leftIndex].storage
      let b = tape.values[rightIndex].storage
      upstream.withUnsafeBufferPointer { g in
        tape.accumulate(leftIndex) { gradient in
          b.withUnsafeBufferPointer { x2 in
            plan.forEachRun { out, l, r, count, ls, rs in
              switch operation {
              case .add, .subtract: for j in 0..<count { gradient[l + j * ls] += g[out + j] }
              case .multiply: for j in 0..<count { gradient[l + j * ls] += g[out + j] * x2[r + j * rs] }
              case .divide: for j in 0..<count { gradient[l + j * ls] += g[out + j] / x2[r + j * rs] }
              }
            }
          }
        }
        tape.accumulate(rightIndex) { gradient in
          a.withUnsafeBufferPointer { x1 in
            b.withUnsafeBufferPointer { x2 in
              plan.forEachRun { out, l, r, count, ls, rs in
                switch operation {
                case .add: for j in 0..<count { gradient[r + j * rs] += g[out + j] }
                case .subtract: for j in 0..<count { gradient[r + j * rs] -= g[out + j] }
                case .multiply: for j in 0..<count { gradient[r + j * rs] += g[out + j] * x1[l + j * ls] }
                case .divide:
                  for j in 0..<count {
                    let denominator = x2[r + j * rs]
                    gradient[r + j * rs] -= g[out + j] * x1[l + j * ls] / (denominator * denominator)
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
