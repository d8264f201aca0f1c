import ArborOrganize
import ArborText
import ArborTree
import ArgumentParser
import Foundation

/// `arbor organize build`: clusters a collection into a named topic tree.
struct OrganizeBuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build",
    abstract: "Build a labelled topic tree from a document collection.",
    discussion: """
      Embeds every record (title and text) with the encoder, clusters the vectors into a tree (by default \
      joined with a 256-dimensional SVD of the collection's TF-IDF, see --lexical-weight), names every \
      node with a short label and keyphrases, and writes the tree as an Arbor taxonomy (format from --out's \
      name or --format; SKOS RDF/XML among them), optionally the assignments JSONL ({"id", "path": [node \
      ids, top level first]}), the HTML view and the model `arbor organize add` grows. See docs/organize.md.
      """
  )

  @Argument(help: "The collection (JSONL, BibTeX, RIS or CSL-JSON).") var collection: String
  @Option(help: "Collection format (default: from the file name).") var collectionFormat: CollectionFormat?
  @Flag(help: "Reject entries without text instead of skipping them.") var strict = false
  @Option(help: "Output taxonomy file (written atomically).") var out: String
  @Option(help: "Output taxonomy format (default: from --out's name).") var format: TaxonomyFormat?
  @Option(help: "Write {\"id\", \"path\"} JSONL here.") var assignments: String?
  @Option(help: "Write the self-contained HTML view here.") var html: String?
  @Option(help: "Write the model for `arbor organize add` here (.safetensors).") var treeModel: String?
  @Option(help: "Name of the collection (the root's label and the view's title).") var title: String?
  @OptionGroup var encoding: OrganizeEncoderOptions
  @Option(help: "top-down, bottom-up or ward.") var method: TopicTreeOptions.Method = .topDown
  @Option(help: "Nodes per level, e.g. 11,47,129 (default: data-driven).") var levels: String?
  @Option(help: "Data-driven: deepest level.") var maxDepth: Int = 3
  @Option(help: "Data-driven: fewest children of a split node.") var minChildren: Int = 2
  @Option(help: "Data-driven: most children of a node.") var maxChildren: Int = 12
  @Option(help: "Data-driven: fewest documents per node.") var minSize: Int = 5
  @Option(help: "Seed of every random choice.") var seed: UInt64 = 1
  @Option(help: "k-means restarts per clustering.") var restarts: Int = 4
  @Option(help: "Path k-means refinement passes (fixed levels).") var refine: Int = 5
  @Option(
    help: """
      Weight of the TF-IDF SVD features beside the encoder's (0: encoder only); a comma-separated list \
      gives one weight per level from the top, the last serving the deeper levels (e.g. 0.8,0.4).
      """)
  var lexicalWeight: String = "0.8,0.7,0.4"
  @Flag(help: "Refine on the encoder's vectors only (where the label navigator works).")
  var refineOnEncoder = false
  @Option(help: "Also build one tree per field or field group (a+b), repeatable.") var facet: [String] = []
  @Option(help: "keyphrases, or endpoint (an OpenAI-compatible LLM; falls back to keyphrases).")
  var namer: String = "keyphrases"
  @Option(help: "Endpoint namer: base URL (http://host:port/v1).") var url: String?
  @Option(help: "Endpoint namer: model name.") var model: String?

  func validate() throws {
    if let levels, parseLevels(levels) == nil {
      throw ValidationError("--levels must be comma-separated positive integers, e.g. 11,47,129.")
    }
    if maxDepth < 1 { throw ValidationError("--max-depth must be at least 1.") }
    if minChildren < 2 { throw ValidationError("--min-children must be at least 2 (no single children).") }
    if maxChildren < minChildren { throw ValidationError("--max-children must be at least --min-children.") }
    if minSize < 1 { throw ValidationError("--min-size must be at least 1.") }
    if restarts < 1 { throw ValidationError("--restarts must be at least 1.") }
    if refine < 0 { throw ValidationError("--refine must not be negative.") }
    if parseWeights(lexicalWeight) == nil {
      throw ValidationError(
        "--lexical-weight must be a non-negative number or a comma-separated list of them, e.g. 0.8,0.4.")
    }
    if namer != "keyphrases" && namer != "endpoint" {
      throw ValidationError("--namer must be keyphrases or endpoint.")
    }
    if namer == "endpoint" && (url == nil || model == nil) {
      throw ValidationError("--namer endpoint needs --url and --model.")
    }
    if let format, !format.isWritable { throw ValidationError("Arbor cannot write \(format.rawValue).") }
    if format == nil && TaxonomyFormat.detect(path: out) == nil {
      throw ValidationError("Cannot tell the output format from --out's name; pass --format.")
    }
  }

  func parseWeights(_ text: String) -> [Float]? {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
      Float($0.trimmingCharacters(in: .whitespaces))
    }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 && ($0 ?? 0).isFinite }) else { return nil }
    return parts.compactMap { $0 }
  }

  func parseLevels(_ text: String) -> [Int]? {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
    return parts.compactMap { $0 }
  }

  func run() throws {
    let started = Date()
    let records: [CollectionRecord]
    do { records = try readCollection(collection, format: collectionFormat, strict: strict) } catch {
      throw fail(error)
    }
    guard records.count >= 2 else {
      printError("arbor: \(collection): a topic tree needs at least 2 documents with text")
      throw ExitCode(1)
    }
    var options = TopicTreeOptions()
    options.method = method
    options.seed = seed
    options.restarts = restarts
    options.refinementPasses = refine
    if let levels, let sizes = parseLevels(levels) {
      options.levels = .fixed(sizes)
    } else {
      options.levels = .dataDriven(
        maxDepth: maxDepth, minChildren: minChildren, maxChildren: maxChildren, minSize: minSize)
    }
    // Endpoint answers are cached beside the embedding cache (~/.cache/arbor/namer by default).
    let namerCache = URL(fileURLWithPath: encoding.cacheDir ?? EmbeddingCache().directory)
      .deletingLastPathComponent().appendingPathComponent("namer").path
    let endpoint: EndpointNamer? =
      namer == "endpoint"
      ? EndpointNamer(url: url ?? "", model: model ?? "", cacheDirectory: namerCache) : nil

    // Every output is made first, then written: a failure leaves no partial output.
    var outputs: [(path: String, text: String)] = []
    var modelToWrite: (TopicTreeModel, String)?
    let groups: [(name: String?, fields: [String])] =
      [(nil, [])] + facet.map { ($0, $0.split(separator: "+").map(String.init)) }
    for group in groups {
      let texts = records.map { record -> String in
        guard !group.fields.isEmpty else { return record.fullText }
        return group.fields.map { field -> String in
          switch field {
          case "title": return record.title
          case "text", "abstract": return record.text
          case "keywords": return record.keywords.joined(separator: "; ")
          default: return record.fields[field] ?? ""
          }
        }.filter { !$0.isEmpty }.joined(separator: ". ")
      }
      if !group.fields.isEmpty, texts.allSatisfy(\.isEmpty) {
        printError("arbor: \(collection): no record has the field(s) \(group.name ?? "") (--facet)")
        throw ExitCode(1)
      }
      let note = group.name.map { " (facet \($0))" } ?? ""
      let embeddingStart = Date()
      // The builtin encoder's idf is fitted on the texts it organizes (and saved with the model).
      let idf = encoding.encoder == "builtin" ? TFIDFModel(fitting: texts) : nil
      let encoder: any TextEncoder
      do {
        encoder = try encoding.makeEncoder(encoding.encoder, builtinDimension: encoding.dimension, idf: idf)
      } catch {
        printError("arbor: \(error)")
        throw ExitCode(1)
      }
      let vectors = try encoding.encode(texts, with: encoder, label: "embedding\(note)")
      let embeddingSeconds = Date().timeIntervalSince(embeddingStart)
      let built: TopicTreeModel
      do {
        let weights = parseWeights(lexicalWeight) ?? OrganizePipeline.defaultLexicalWeights
        var pipeline = OrganizePipeline(options: options, lexicalWeights: weights)
        pipeline.refineOnEncoder = refineOnEncoder
        built = try pipeline.run(
          ids: records.map(\.id), texts: texts, titles: records.map(\.title), vectors: vectors,
          dimension: encoder.dimension,
          embedLabels: { try encoding.encode($0, with: encoder, label: nil) },
          endpoint: endpoint.map { namer in { namer.name($0) } },
          progress: stderrIsTerminal ? { printError("arbor: \($0)\(note)") } : nil)
      } catch let error as TaxonomyError {
        // Name the collection, and the facet whose texts were clustered.
        var located = error
        for index in located.diagnostics.indices {
          if located.diagnostics[index].location == nil {
            located.diagnostics[index].location = SourceLocation(file: collection)
          }
          if let name = group.name {
            located.diagnostics[index].message = "facet '\(name)': " + located.diagnostics[index].message
          }
        }
        throw fail(located)
      }
      var model = built
      model.encoderIdentity = encoder.identity
      model.encoderName = encoding.encoder
      model.builtinDimension = encoding.dimension
      model.builtinDocumentFrequencies = idf?.documentFrequencies
      model.builtinDocumentCount = idf?.documentCount ?? 0
      let tree = model.tree
      let collectionTitle =
        (title ?? collection.split(separator: "/").last.map(String.init) ?? "topics")
        + (group.name.map { " — \($0)" } ?? "")
      let taxonomy: Taxonomy
      do { taxonomy = try tree.taxonomy(title: collectionTitle) } catch { throw fail(error) }
      let suffix = group.name.map { $0.replacingOccurrences(of: "+", with: "-") }
      func path(_ base: String) -> String { suffix.map { suffixedPath(base, $0) } ?? base }
      do {
        outputs.append((path(out), try taxonomy.serialized(as: format ?? TaxonomyFormat.detect(path: out)!)))
      } catch { throw fail(error) }
      let paths = records.indices.map { d in tree.path(to: tree.documentLeaves[d]).map { tree.nodes[$0].id } }
      if let assignments {
        var text = ""
        for (record, nodePath) in zip(records, paths) {
          text += "{\"id\":\(JSONWriter.quoted(record.id)),\"path\":["
          text += nodePath.map(JSONWriter.quoted).joined(separator: ",") + "]}\n"
        }
        outputs.append((path(assignments), text))
      }
      if let html {
        let documents = zip(records, paths).map { record, nodePath in
          ViewDocument(
            id: record.id, title: record.title.isEmpty ? String(record.text.prefix(160)) : record.title,
            path: nodePath)
        }
        outputs.append(
          (path(html), TopicTreeView.html(tree: taxonomy, documents: documents, title: collectionTitle)))
      }
      if let treeModel { modelToWrite = modelToWrite ?? (model, path(treeModel)) }
      let navigation = model.navigationOutcome
      printError(
        "arbor: timings\(note): embedding \(String(format: "%.1f", embeddingSeconds)) s, "
          + model.timings.map { "\($0.phase) \(String(format: "%.1f", $0.seconds)) s" }.joined(
            separator: ", "))
      printError(
        "arbor: \(records.count) documents\(note) -> levels \(tree.levelSizes.map(String.init).joined(separator: "/"))"
          + (navigation.map {
            String(format: "; label navigation exact %.3f, per level ", $0.exact)
              + $0.levelAccuracy.map { String(format: "%.3f", $0) }.joined(separator: "/")
          } ?? ""))
    }
    do {
      for output in outputs { try ArborFile.writeAtomically(output.text, to: output.path) }
      if let (model, path) = modelToWrite { try model.write(to: path) }
    } catch { throw fail(error) }
    printError(String(format: "arbor: wrote %@ in %.1f s", out, Date().timeIntervalSince(started)))
  }
}
