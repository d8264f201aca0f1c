import ArborOrganize
import ArborText
import ArborTree
import ArgumentParser
import Foundation

/// `arbor organize add`: places new documents into an existing topic tree.
struct OrganizeAddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add documents to a topic tree without rebuilding it.",
    discussion: """
      Reads the model `arbor organize build --tree-model` wrote, embeds the new records with the same \
      encoder, places each at the leaf whose path is most similar (--placement path, the rule the build \
      assigned its documents by, in the build's joined encoder and TF-IDF SVD spaces when it used \
      lexical weights) or top-down at the child with the most similar centroid (--placement greedy), \
      either way by the tuned centroids of a model fine-tuned by arbor finetune; updates sizes and \
      centroids, splits leaves with more than --max-leaf documents in two (new ids ID.1, ID.2; every \
      existing id is kept) and writes the grown model (--out), optionally the tree, the new documents' \
      assignments and the HTML view.
      """
  )

  @Option(help: "The model written by `arbor organize build --tree-model`.") var tree: String
  @Argument(help: "New documents (JSONL, BibTeX, RIS or CSL-JSON).") var collection: String
  @Option(help: "Collection format (default: from the file name).") var collectionFormat: CollectionFormat?
  @Option(help: "Where to write the grown model (may be the --tree file itself).") var out: String
  @Option(help: "Also write the grown tree as a taxonomy here.") var taxonomy: String?
  @Option(help: "Format of --taxonomy (default: from its name).") var format: TaxonomyFormat?
  @Option(help: "Write the new documents' {\"id\", \"path\"} JSONL here.") var assignments: String?
  @Option(help: "Write the HTML view of the grown tree here.") var html: String?
  @Option(help: "Split a leaf that holds more documents than this.") var maxLeaf: Int = 500
  @Option(help: "Seed of the splits.") var seed: UInt64 = 1
  @Option(
    help: "path (the leaf with the most similar path, as the build assigns) or greedy (level by level).")
  var placement: TopicTreePlacement = .path
  @Option(help: "Threads for the transformer encoder (default: all cores).") var threads: Int?
  @Option(help: "Embedding cache directory (default: $ARBOR_CACHE_DIR or ~/.cache/arbor/embeddings).")
  var cacheDir: String?

  func validate() throws {
    if maxLeaf < 2 { throw ValidationError("--max-leaf must be at least 2.") }
    if let taxonomy, format == nil, TaxonomyFormat.detect(path: taxonomy) == nil {
      throw ValidationError("Cannot tell the format of --taxonomy from its name; pass --format.")
    }
  }

  func run() throws {
    var model: TopicTreeModel
    let records: [CollectionRecord]
    do {
      model = try TopicTreeModel.read(from: tree)
      records = try readCollection(collection, format: collectionFormat, strict: false)
    } catch { throw fail(error) }
    let known = Set(model.tree.documentIDs)
    if let duplicate = records.first(where: { known.contains($0.id) }) {
      printError("arbor: \(collection): document '\(duplicate.id)' is already in the tree")
      throw ExitCode(1)
    }
    var arguments: [String] = []
    if let threads { arguments += ["--threads", String(threads)] }
    if let cacheDir { arguments += ["--cache-dir", cacheDir] }
    let encoding = try OrganizeEncoderOptions.parse(arguments)
    let encoder = try encoding.makeEncoder(for: model, modelPath: tree)
    let texts = records.map(\.fullText)
    let vectors = try encoding.encode(texts, with: encoder, label: stderrIsTerminal ? "embedding" : nil)
    let addition: TopicTreeAddition
    do {
      addition = try model.add(
        ids: records.map(\.id), texts: texts, vectors: vectors, maxLeaf: maxLeaf, seed: seed,
        namer: TopicNamer(embed: { try encoding.encode($0, with: encoder, label: nil) }), placement: placement
      )
    } catch let error as TaxonomyError { throw fail(error) }

    var outputs: [(String, String)] = []
    let grown = model.tree
    do {
      let taxonomyValue = try grown.taxonomy(
        title: grown.nodes[0].label.isEmpty ? "topics" : grown.nodes[0].label)
      if let taxonomy {
        outputs.append(
          (taxonomy, try taxonomyValue.serialized(as: format ?? TaxonomyFormat.detect(path: taxonomy)!)))
      }
      if let assignments {
        var text = ""
        for (record, path) in zip(records, addition.paths) {
          text += "{\"id\":\(JSONWriter.quoted(record.id)),\"path\":["
          text += path.map { JSONWriter.quoted(grown.nodes[$0].id) }.joined(separator: ",") + "]}\n"
        }
        outputs.append((assignments, text))
      }
      if let html {
        let documents = grown.documentIDs.indices.map { d in
          ViewDocument(
            id: grown.documentIDs[d], title: String(model.documentTexts[d].prefix(160)),
            path: grown.path(to: grown.documentLeaves[d]).map { grown.nodes[$0].id })
        }
        outputs.append((html, TopicTreeView.html(tree: taxonomyValue, documents: documents, title: "topics")))
      }
      for (path, text) in outputs { try ArborFile.writeAtomically(text, to: path) }
      try model.write(to: out)
    } catch { throw fail(error) }
    printError(
      "arbor: added \(records.count) documents; split \(addition.splitLeaves.count) leaves"
        + (addition.splitLeaves.isEmpty ? "" : " (\(addition.splitLeaves.prefix(8).joined(separator: ", ")))")
        + "; \(grown.nodes.count - 1) nodes")
  }
}
