import ArborClassify
import ArborTree
import ArgumentParser

/// `arbor sample`: HierVerb's path-based K-shot sample of a labelled corpus.
struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample",
    abstract: "Draw a path-based K-shot training sample (HierVerb's Algorithm 1).",
    discussion: """
      Shuffles the documents with the seed and keeps a document when every one of its label paths \
      still has fewer than K documents. Writes the kept records unchanged, in input order.
      """
  )

  @Option(help: "The taxonomy the labels belong to.") var taxonomy: String
  @Option(help: "Labelled training documents (JSONL).") var train: String
  @Option(help: "Documents per label path.") var shots: Int
  @Option(help: "Seed of the shuffle.") var seed: UInt64 = 0
  @Option(help: "Where to write the sample (JSONL); standard output when omitted.") var out: String?

  func validate() throws {
    if shots < 1 { throw ValidationError("--shots must be at least 1.") }
  }

  func run() throws {
    do {
      let tree = try Taxonomy.read(from: taxonomy)
      let bytes = try ArborFile.readBytes(train)
      let documents = try DocumentReader.parse(bytes, file: train, requireLabels: true, taxonomy: tree)
      let picked = Set(FewShotSampler(shots: shots, seed: seed).sample(documents, taxonomy: tree))
      // Copy the picked records' lines verbatim: documents are numbered in line order, blank lines skipped.
      var output: [UInt8] = []
      var documentIndex = 0
      for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
        if picked.contains(documentIndex) {
          output.append(contentsOf: line)
          output.append(0x0A)
        }
        documentIndex += 1
      }
      if let out {
        try ArborFile.writeAtomically(output, to: out)
      } else {
        print(String(decoding: output, as: UTF8.self), terminator: "")
      }
      printError(
        "arbor sample: kept \(picked.count) of \(documents.count) documents (\(shots) per path, seed \(seed))"
      )
    } catch {
      throw fail(error)
    }
  }
}
