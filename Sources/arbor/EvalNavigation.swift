import ArborMetrics
import ArborOrganize
import ArborText
import ArborTree
import ArgumentParser

/// Navigation success of the label-only navigator on a topic tree, for `arbor eval --task clustering --tree`.
enum EvalNavigation {
  /// Adds `navigation-exact` and `navigation-level-D-accuracy` to `report`: every gold record with a
  /// predicted path is embedded (its text from the gold file) and navigated from the root of `treePath`
  /// by the labels of the children at each level; its target is its own predicted path.
  static func add(
    to report: inout MetricReport, treePath: String, goldPath: String, predictedPath: String,
    encoding: OrganizeEncoderOptions
  ) throws {
    let tree: Taxonomy
    let gold: [EmbedRecord]
    do {
      tree = try Taxonomy.read(from: treePath)
      gold = try EmbedRecord.read(goldPath)
    } catch { throw fail(error) }
    let paths = try readPaths(predictedPath, tree: tree)
    var texts: [String] = []
    var targets: [[Int]] = []
    for record in gold {
      guard let path = paths[record.id], !path.isEmpty else { continue }
      texts.append(record.text)
      targets.append(path)
    }
    guard !texts.isEmpty else {
      printError("arbor: no gold record has a predicted path in \(predictedPath); nothing to navigate")
      throw ExitCode(1)
    }
    let encoder: any TextEncoder
    // The builtin encoder's idf is fitted on the gold texts, as `organize build` fits it on its collection.
    let idf = encoding.encoder == "builtin" ? TFIDFModel(fitting: gold.map(\.text)) : nil
    do {
      encoder = try encoding.makeEncoder(encoding.encoder, builtinDimension: encoding.dimension, idf: idf)
    } catch {
      printError("arbor: \(error)")
      throw ExitCode(1)
    }
    let labelVectors = try encoding.encode(tree.indices.map { tree.label($0) }, with: encoder, label: nil)
    let vectors = try encoding.encode(texts, with: encoder, label: stderrIsTerminal ? "embedding" : nil)
    var children = tree.indices.map { Array(tree.children(of: $0)) }
    // The navigator starts at index 0: move the root there by swapping it with node 0.
    let root = tree.root
    var rows = labelVectors
    var mapped = targets
    if root != 0 {
      children.swapAt(0, root)
      let d = encoder.dimension
      for j in 0..<d { rows.swapAt(j, root * d + j) }
      func swap(_ i: Int) -> Int { i == 0 ? root : (i == root ? 0 : i) }
      children = children.map { $0.map(swap) }
      mapped = targets.map { $0.map(swap) }
    }
    let outcome = LabelNavigator(children: children, labelVectors: rows, dimension: encoder.dimension)
      .evaluate(vectors: vectors, targets: mapped)
    report.add("navigation-exact", outcome.exact, group: "navigation")
    for (level, accuracy) in outcome.levelAccuracy.enumerated() {
      report.add("navigation-level-\(level + 1)-accuracy", accuracy, group: "navigation")
    }
  }

  /// `id` → node indices of its `"path"`, each checked against the tree (parent of the next).
  static func readPaths(_ path: String, tree: Taxonomy) throws -> [String: [Int]] {
    let bytes: [UInt8]
    do { bytes = try ArborFile.readBytes(path) } catch { throw fail(error) }
    var out: [String: [Int]] = [:]
    var line = 0
    for slice in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
      line += 1
      guard slice.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
      func failure(_ message: String) -> ExitCode {
        printError("arbor: \(path):\(line): \(message)")
        return ExitCode(1)
      }
      let value: JSONValue
      do throws(JSONSyntaxError) { value = try JSONParser.parse(Array(slice)) } catch {
        throw failure("invalid JSON: \(error.message)")
      }
      guard let id = value["id"]?.stringValue ?? value["id"]?.numberValue.map({ String(Int($0)) }) else {
        throw failure("expected an \"id\"")
      }
      guard let nodes = value["path"]?.arrayValue else { throw failure("expected a \"path\" array (--tree)") }
      var indices: [Int] = []
      for node in nodes {
        guard let name = node.stringValue, let index = tree.index(of: name) else {
          throw failure("path node \(node) is not a node of the --tree taxonomy")
        }
        if let last = indices.last, !tree.children(of: last).contains(index) {
          throw failure("path node '\(name)' is not a child of the node before it in --tree")
        }
        indices.append(index)
      }
      if let first = indices.first, !tree.children(of: tree.root).contains(first) {
        throw failure("a path must start at a top-level node of --tree")
      }
      out[id] = indices
    }
    return out
  }
}
