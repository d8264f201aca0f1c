import ArborRL
import ArborTensor
import ArborTree

/// A saved model kind that `arbor finetune` can train through the tree-path policy contract.
///
/// A model adopts `arbor finetune` by conforming its policy to `TreePathPolicy` (docs/rl.md) and adding
/// one of these to ``finetunableModels``: rebuild the policy from the saved parameters, read a context
/// from a training record, and name the configuration to save with the fine-tuned weights.
protocol FinetunableModel {
  /// The policy the model becomes.
  associatedtype Policy: TreePathPolicy

  /// The `model` value of a saved model's configuration.
  static var kind: String { get }

  /// Rebuilds the policy from a saved store and its configuration; `modelPath` locates relative files.
  static func policy(
    store: ParameterStore, configuration: [String: String], taxonomy: Taxonomy, modelPath: String
  ) throws(TaxonomyError) -> Policy

  /// The context of one training or dev record (errors name `location` and the field).
  static func context(of record: JSONValue, policy: Policy, at location: SourceLocation)
    throws(TaxonomyError) -> Policy.Context
}

extension FinetunableModel {
  /// Runs `arbor finetune`'s generic training loop for this model kind.
  static func finetune(
    with command: FinetuneCommand, store: ParameterStore, configuration: [String: String], weightsPath: String
  ) throws {
    try command.finetune(Self.self, store: store, configuration: configuration, weightsPath: weightsPath)
  }
}

/// Every model kind `arbor finetune` can train.
var finetunableModels: [any FinetunableModel.Type] { [LinearTreePolicyModel.self] }

/// `LinearTreePolicy` models (`model = linear-tree-policy`): records carry `features`, an array of numbers.
enum LinearTreePolicyModel: FinetunableModel {
  static let kind = LinearTreePolicy.modelKind

  static func policy(
    store: ParameterStore, configuration: [String: String], taxonomy: Taxonomy, modelPath: String
  ) throws(TaxonomyError) -> LinearTreePolicy {
    let stopping = TreeActionSpace.Stopping(rawValue: configuration["stopping"] ?? "never")
    guard let stopping else {
      throw TaxonomyError(
        .schema, "configuration 'stopping' must be never or atInternalNodes", at: .init(file: modelPath))
    }
    guard
      let policy = LinearTreePolicy(
        actionSpace: TreeActionSpace(taxonomy: taxonomy, stopping: stopping), parameters: store)
    else {
      throw TaxonomyError(
        .schema, "parameters 'weight' and 'bias' do not match the taxonomy's decision nodes",
        at: .init(file: modelPath))
    }
    return policy
  }

  static func context(of record: JSONValue, policy: LinearTreePolicy, at location: SourceLocation)
    throws(TaxonomyError) -> [Float]
  {
    guard let values = record["features"]?.arrayValue else {
      throw TaxonomyError(.schema, "field 'features' must be an array of numbers", at: location)
    }
    var features: [Float] = []
    for value in values {
      guard let number = value.numberValue, number.isFinite else {
        throw TaxonomyError(.schema, "field 'features' must hold finite numbers", at: location)
      }
      features.append(Float(number))
    }
    guard features.count == policy.featureCount else {
      throw TaxonomyError(
        .schema, "field 'features' has \(features.count) numbers, the model expects \(policy.featureCount)",
        at: location)
    }
    return features
  }
}
