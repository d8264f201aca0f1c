import ArborTensor
import ArborTree

/// A linear softmax policy per node on feature vectors: logits(n, x) = x·W_n + b_n.
///
/// The reference adopter of ``TreePathPolicy``: used by the synthetic benchmark, the tests, and
/// `arbor finetune` for models saved with configuration `model = linear-tree-policy`.
public struct LinearTreePolicy: TreePathPolicy {
  /// The model kind written in a saved model's configuration.
  public static let modelKind = "linear-tree-policy"

  /// The tree and stopping rule.
  public let actionSpace: TreeActionSpace
  /// Length of the feature vectors.
  public let featureCount: Int
  /// `weight`: `[featureCount, decisionNodes.count × maximumActionCount]`, `bias`: `[1, same]`.
  public var parameters: ParameterStore
  let weight: ParameterID
  let bias: ParameterID

  /// A policy with small random weights (normal, standard deviation `scale`) and zero biases.
  public init(
    actionSpace: TreeActionSpace, featureCount: Int, scale: Float = 0.01,
    using generator: inout RandomGenerator
  ) {
    self.actionSpace = actionSpace
    self.featureCount = featureCount
    let columns = actionSpace.decisionNodes.count * actionSpace.maximumActionCount
    var store = ParameterStore()
    weight = store.add(
      "weight",
      Tensor.randomNormal(shape: [featureCount, columns], standardDeviation: scale, using: &generator))
    bias = store.add("bias", Tensor(zeros: [1, columns]), weightDecay: false)
    parameters = store
  }

  /// A policy on `actionSpace` with the given parameters (`weight` and `bias` as above); nil when they do
  /// not have the expected names and shapes.
  public init?(actionSpace: TreeActionSpace, parameters: ParameterStore) {
    guard let weight = parameters.id(named: "weight"), let bias = parameters.id(named: "bias") else {
      return nil
    }
    let columns = actionSpace.decisionNodes.count * actionSpace.maximumActionCount
    let weightShape = parameters[weight].shape
    guard weightShape.count == 2, weightShape[1] == columns, parameters[bias].shape == [1, columns] else {
      return nil
    }
    self.actionSpace = actionSpace
    self.featureCount = weightShape[0]
    self.parameters = parameters
    self.weight = weight
    self.bias = bias
  }

  /// One matrix product gives every node's logits for every context; the queried rows are gathered.
  public func logits(for queries: [PolicyQuery], in contexts: [[Float]], on tape: Tape) -> Variable {
    let width = actionSpace.maximumActionCount
    let nodes = actionSpace.decisionNodes.count
    var features = [Float]()
    features.reserveCapacity(contexts.count * featureCount)
    for context in contexts {
      precondition(context.count == featureCount, "LinearTreePolicy: expected \(featureCount) features")
      features.append(contentsOf: context)
    }
    let x = tape.constant(Tensor(shape: [contexts.count, featureCount], storage: features))
    let all = x.matmul(tape.parameter(weight, in: parameters)) + tape.parameter(bias, in: parameters)
    let rows = all.reshaped([contexts.count * nodes, width])
    return rows.gatherRows(
      queries.map { $0.context * nodes + actionSpace.decisionIndex[$0.node] })
  }
}
