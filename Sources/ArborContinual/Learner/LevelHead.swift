import COpenBLAS
import Foundation

/// A linear softmax head over the classes of one level, grown by one row when a class first appears,
/// trained with Adam (Kingma & Ba, ICLR 2015) whose moments are carried over when the head grows.
public struct LevelHead: Sendable {
  /// Width of the input vectors.
  public let dimension: Int
  /// Node indices of the head's classes, in order of appearance (row order).
  public private(set) var classes: [Int] = []
  /// Row of each class.
  public private(set) var row: [Int: Int] = [:]
  /// Weights, `classes.count × dimension`, row-major.
  public private(set) var weights: [Float] = []
  /// One bias per class.
  public private(set) var bias: [Float] = []
  /// Adam's first moments of the weights.
  public private(set) var weightMoment1: [Float] = []
  /// Adam's second moments of the weights.
  public private(set) var weightMoment2: [Float] = []
  /// Adam's first moments of the biases.
  public private(set) var biasMoment1: [Float] = []
  /// Adam's second moments of the biases.
  public private(set) var biasMoment2: [Float] = []

  /// An empty head.
  public init(dimension: Int) {
    self.dimension = dimension
  }

  /// The number of classes.
  public var count: Int { classes.count }

  /// Appends a class with the given initial weights (zeros when nil) and zero Adam moments; a class
  /// already present is left as it is. Returns the class's row.
  @discardableResult
  public mutating func addClass(_ node: Int, weights initial: [Float]? = nil, bias initialBias: Float = 0)
    -> Int
  {
    if let existing = row[node] { return existing }
    row[node] = classes.count
    classes.append(node)
    if let initial, initial.count == dimension {
      weights += initial
    } else {
      weights += [Float](repeating: 0, count: dimension)
    }
    bias.append(initialBias)
    weightMoment1 += [Float](repeating: 0, count: dimension)
    weightMoment2 += [Float](repeating: 0, count: dimension)
    biasMoment1.append(0)
    biasMoment2.append(0)
    return classes.count - 1
  }

  /// Logits of `rows` input vectors (`rows × dimension`) into `output` (`rows × count`), by BLAS.
  public func logits(_ inputs: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
    guard rows > 0, count > 0 else { return }
    for r in 0..<rows {
      for c in 0..<count { output[r * count + c] = bias[c] }
    }
    weights.withUnsafeBufferPointer { w in
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(count), Int32(dimension), 1, inputs,
        Int32(dimension), w.baseAddress, Int32(dimension), 1, output, Int32(count))
    }
  }

  /// One Adam step with gradients `weightGradient` (`count × dimension`) and `biasGradient`, at the
  /// optimizer's step `step` (1-based, shared by every head).
  mutating func adamStep(
    weightGradient: UnsafeBufferPointer<Float>, biasGradient: UnsafeBufferPointer<Float>,
    step: Int, optimizer: AdamSettings
  ) {
    let c1 = 1 - powf(optimizer.beta1, Float(step))
    let c2 = 1 - powf(optimizer.beta2, Float(step))
    Self.update(&weights, &weightMoment1, &weightMoment2, weightGradient, c1, c2, optimizer)
    Self.update(&bias, &biasMoment1, &biasMoment2, biasGradient, c1, c2, optimizer)
  }

  private static func update(
    _ parameters: inout [Float], _ m: inout [Float], _ v: inout [Float], _ g: UnsafeBufferPointer<Float>,
    _ c1: Float, _ c2: Float, _ o: AdamSettings
  ) {
    let b1 = o.beta1
    let b2 = o.beta2
    let rate = o.learningRate
    let eps = o.epsilon
    parameters.withUnsafeMutableBufferPointer { p in
      m.withUnsafeMutableBufferPointer { m in
        v.withUnsafeMutableBufferPointer { v in
          for i in 0..<p.count {
            let gi = g[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            p[i] -= rate * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
          }
        }
      }
    }
  }

  /// Overwrites the weights (and optionally biases) of the existing rows, e.g. to restore a snapshot.
  mutating func setWeights(_ newWeights: [Float], bias newBias: [Float]) {
    precondition(newWeights.count == weights.count && newBias.count == bias.count)
    weights = newWeights
    bias = newBias
  }
}

/// Adam's settings (Kingma & Ba, ICLR 2015).
public struct AdamSettings: Sendable {
  /// Step size.
  public var learningRate: Float = 1e-3
  /// Decay of the first moment.
  public var beta1: Float = 0.9
  /// Decay of the second moment.
  public var beta2: Float = 0.999
  /// Added to the root of the second moment.
  public var epsilon: Float = 1e-8

  /// PyTorch's defaults with learning rate 1e-3.
  public init() {}
}
