import ArborTensor
import ArborTree
import Foundation

/// A topic tree with what `arbor organize add` needs to grow it: the documents' encoder vectors (node
/// sums are in the same space) and the encoder that made them.
///
/// Saved as safetensors: tensors `sums` `[nodes, dimension]` and `documents` `[documents, dimension]`
/// (unit-length encoder vectors); metadata `model` = `arbor-topic-tree`, `encoder` (the encoder's
/// identity), `encoderName` (builtin, minilm or a directory), `builtinDimension`, `nodes` (a JSON array
/// of `{"id", "parent", "label", "keyphrases", "size"}`, parent as an index, -1 for the root),
/// `documentIDs`, `documentLeaves` and `documentTexts` (JSON arrays); for the builtin encoder also the
/// tensor `builtinDocumentFrequencies` and metadata `builtinDocumentCount` (its fitted idf). A model
/// fine-tuned by `arbor finetune` also has the tensor `centroids` `[nodes, dimension]` (the tuned
/// unit-length centroids placement uses, ``TopicTree/tunedCentroids``) and metadata `finetuned` (what it
/// was tuned from); files without them read as before. A tree built on joined lexical features has
/// metadata `lexicalFeatures` (`{"weights", "dimension", "seed", "documents"}`, see
/// ``LexicalFeatureSettings``); without it, `add` places by the encoder's vectors alone.
public struct TopicTreeModel: Sendable {
  /// The `model` metadata value.
  public static let kind = "arbor-topic-tree"

  /// The tree; its sums are in the encoder's space.
  public var tree: TopicTree
  /// Unit-length encoder vectors of the tree's documents, `[tree.documentIDs.count, dimension]`.
  public var documentVectors: [Float]
  /// The encoder's identity (vectors of new documents must come from the same encoder).
  public var encoderIdentity: String
  /// How to make the encoder again: `builtin`, `minilm` or a model directory.
  public var encoderName: String
  /// Vector width of the builtin encoder (when `encoderName` is builtin).
  public var builtinDimension: Int
  /// The builtin encoder's fitted document frequencies (one per hashed bucket) and text count, when the
  /// encoder is builtin with TF-IDF weighting (saved as tensor `builtinDocumentFrequencies`).
  public var builtinDocumentFrequencies: [Int32]?
  /// Texts the builtin document frequencies were counted over.
  public var builtinDocumentCount = 0
  /// The documents' texts as they were embedded (saved, so that `add` can name split leaves).
  public var documentTexts: [String] = []
  /// What the model was fine-tuned from and how (`arbor finetune`), saved as metadata `finetuned`.
  public var finetuning: String?
  /// How the build joined TF-IDF SVD features to the encoder's (nil: encoder vectors only), saved as
  /// metadata `lexicalFeatures`.
  public var lexicalFeatures: LexicalFeatureSettings?
  /// Seconds per phase of the build (not saved).
  public var timings: [(phase: String, seconds: Double)] = []
  /// How the label-only navigator did on the tree's own documents (not saved).
  public var navigationOutcome: LabelNavigator.Outcome?

  /// Creates a model.
  public init(
    tree: TopicTree, documentVectors: [Float], encoderIdentity: String, encoderName: String,
    builtinDimension: Int
  ) {
    self.tree = tree
    self.documentVectors = documentVectors
    self.encoderIdentity = encoderIdentity
    self.encoderName = encoderName
    self.builtinDimension = builtinDimension
  }

  /// Writes the model atomically.
  public func write(to path: String) throws(TaxonomyError) {
    let nodes = tree.nodes.map { node -> String in
      "{\"id\":\(JSONWriter.quoted(node.id)),\"parent\":\(node.parent ?? -1),"
        + "\"label\":\(JSONWriter.quoted(node.label)),\"size\":\(node.size),\"keyphrases\":["
        + node.keyphrases.map(JSONWriter.quoted).joined(separator: ",") + "]}"
    }
    var metadata = [
      "model": Self.kind, "encoder": encoderIdentity, "encoderName": encoderName,
      "builtinDimension": String(builtinDimension), "dimension": String(tree.dimension),
      "nodes": "[" + nodes.joined(separator: ",") + "]",
      "documentIDs": "[" + tree.documentIDs.map(JSONWriter.quoted).joined(separator: ",") + "]",
      "documentLeaves": "[" + tree.documentLeaves.map(String.init).joined(separator: ",") + "]",
      "documentTexts": "[" + documentTexts.map(JSONWriter.quoted).joined(separator: ",") + "]",
      "builtinDocumentCount": String(builtinDocumentCount),
    ]
    if let finetuning { metadata["finetuned"] = finetuning }
    if let lexicalFeatures { metadata["lexicalFeatures"] = lexicalFeatures.json }
    var tensors = [
      (name: "sums", tensor: Tensor(shape: [tree.nodes.count, tree.dimension], storage: tree.sums)),
      (
        name: "documents",
        tensor: Tensor(shape: [tree.documentIDs.count, tree.dimension], storage: documentVectors)
      ),
    ]
    if let tuned = tree.tunedCentroids {
      tensors.append(
        (name: "centroids", tensor: Tensor(shape: [tree.nodes.count, tree.dimension], storage: tuned)))
    }
    if let frequencies = builtinDocumentFrequencies {
      tensors.append(
        (
          name: "builtinDocumentFrequencies",
          tensor: Tensor(shape: [frequencies.count], storage: frequencies.map(Float.init))
        ))
    }
    do {
      try SafeTensorsFile.write(tensors, metadata: metadata, to: path)
    } catch {
      throw TaxonomyError(.io, error.message, at: SourceLocation(file: path))
    }
  }

  /// Reads a model written by `write(to:)`; errors name the file and the field.
  public static func read(from path: String) throws(TaxonomyError) -> TopicTreeModel {
    func failure(_ message: String) -> TaxonomyError {
      TaxonomyError(.schema, message, at: SourceLocation(file: path))
    }
    let file: SafeTensorsFile
    let sums: Tensor
    let documents: Tensor
    do {
      file = try SafeTensorsFile(path: path)
      sums = try file.tensor("sums")
      documents = try file.tensor("documents")
    } catch {
      throw TaxonomyError(.io, error.message, at: SourceLocation(file: path))
    }
    let metadata = file.metadata
    guard metadata["model"] == kind else {
      throw failure("not a topic-tree model (metadata 'model' is not '\(kind)')")
    }
    guard let dimension = metadata["dimension"].flatMap(Int.init), dimension > 0,
      sums.shape.count == 2, sums.shape[1] == dimension, documents.shape.count == 2,
      documents.shape[1] == dimension
    else { throw failure("tensors 'sums' and 'documents' must be [count, dimension]") }
    func json(_ key: String) throws(TaxonomyError) -> [JSONValue] {
      guard let text = metadata[key] else { throw failure("metadata '\(key)' is missing") }
      let value: JSONValue
      do throws(JSONSyntaxError) {
        value = try JSONParser.parse(Array(text.utf8))
      } catch {
        throw failure("metadata '\(key)': invalid JSON: \(error.message)")
      }
      guard let array = value.arrayValue else { throw failure("metadata '\(key)' must be a JSON array") }
      return array
    }
    var nodes: [TopicTree.Node] = []
    for (index, value) in try json("nodes").enumerated() {
      guard let id = value["id"]?.stringValue, let parent = value["parent"]?.integerValue,
        let size = value["size"]?.integerValue, size >= 0
      else { throw failure("metadata 'nodes' entry \(index) needs id, parent and size (whole numbers)") }
      guard parent < index, (parent >= 0) == (index > 0) else {
        throw failure("metadata 'nodes' entry \(index): parent must be an earlier node (-1 for the root)")
      }
      nodes.append(
        TopicTree.Node(
          id: id, parent: parent >= 0 ? parent : nil, size: size,
          label: value["label"]?.stringValue ?? "",
          keyphrases: value["keyphrases"]?.arrayValue?.compactMap(\.stringValue) ?? []))
      if parent >= 0 { nodes[parent].children.append(index) }
    }
    guard !nodes.isEmpty, sums.shape[0] == nodes.count else {
      throw failure("tensor 'sums' needs one row per node")
    }
    let ids = try json("documentIDs").map { $0.stringValue ?? "" }
    let leaves = try json("documentLeaves").map { $0.integerValue ?? -1 }
    guard ids.count == leaves.count, documents.shape[0] == ids.count,
      leaves.allSatisfy({ $0 > 0 && $0 < nodes.count && nodes[$0].children.isEmpty })
    else { throw failure("documents, their ids and their leaves do not match the tree") }
    let texts = try json("documentTexts").map { $0.stringValue ?? "" }
    guard texts.count == ids.count else {
      throw failure("metadata 'documentTexts' needs one text per document")
    }
    let tree = TopicTree(
      nodes: nodes, dimension: dimension, sums: sums.storage, documentIDs: ids, documentLeaves: leaves)
    var model = TopicTreeModel(
      tree: tree, documentVectors: documents.storage, encoderIdentity: metadata["encoder"] ?? "",
      encoderName: metadata["encoderName"] ?? "builtin",
      builtinDimension: metadata["builtinDimension"].flatMap(Int.init) ?? 512)
    model.documentTexts = texts
    model.finetuning = metadata["finetuned"]
    if let text = metadata["lexicalFeatures"] {
      model.lexicalFeatures = try lexicalSettings(text, documentCount: ids.count, failure: failure)
    }
    if file.entries["centroids"] != nil {
      let tuned: Tensor
      do { tuned = try file.tensor("centroids") } catch {
        throw TaxonomyError(.io, error.message, at: SourceLocation(file: path))
      }
      guard tuned.shape == [nodes.count, dimension], tuned.storage.allSatisfy(\.isFinite) else {
        throw failure("tensor 'centroids' must be [nodes, dimension] of finite numbers")
      }
      model.tree.tunedCentroids = tuned.storage
    }
    if file.entries["builtinDocumentFrequencies"] != nil {
      let stored: [Float]
      do { stored = try file.tensor("builtinDocumentFrequencies").storage } catch {
        throw TaxonomyError(.io, error.message, at: SourceLocation(file: path))
      }
      guard let frequencies = stored.wholeNumbers(in: 0...Int32.max) else {
        throw failure("tensor 'builtinDocumentFrequencies' must hold whole numbers from 0 to 2^31 - 1")
      }
      model.builtinDocumentFrequencies = frequencies
      guard let count = Int(metadata["builtinDocumentCount"] ?? "0"), count >= 0 else {
        throw failure("metadata 'builtinDocumentCount' must be a whole number of documents")
      }
      model.builtinDocumentCount = count
    }
    return model
  }

  /// The `lexicalFeatures` metadata of a model with `documentCount` documents.
  static func lexicalSettings(
    _ text: String, documentCount: Int, failure: (String) -> TaxonomyError
  ) throws(TaxonomyError) -> LexicalFeatureSettings {
    let expected =
      "metadata 'lexicalFeatures' must be {\"weights\": [numbers in 0...10], \"dimension\": "
      + "positive, \"seed\": non-negative, \"documents\": 2...\(documentCount)}"
    let value: JSONValue
    do throws(JSONSyntaxError) {
      value = try JSONParser.parse(Array(text.utf8))
    } catch {
      throw failure(expected)
    }
    guard let weights = value["weights"]?.arrayValue?.compactMap(\.numberValue), !weights.isEmpty,
      weights.allSatisfy({ $0 >= 0 && $0 <= 10 }),
      let dimension = value["dimension"]?.numberValue, dimension >= 1, dimension <= 65_536,
      let seed = value["seed"]?.numberValue, seed >= 0, seed < 1.8e19,
      let documents = value["documents"]?.numberValue, documents >= 2, documents <= Double(documentCount)
    else { throw failure(expected) }
    return LexicalFeatureSettings(
      weights: weights.map(Float.init), dimension: Int(dimension), seed: UInt64(seed),
      documentCount: Int(documents))
  }
}
