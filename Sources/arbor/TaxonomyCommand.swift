import ArborTree
import ArgumentParser

/// `arbor taxonomy`: inspect, check and convert taxonomy files.
struct TaxonomyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "taxonomy",
    abstract: "Inspect, validate and convert taxonomy files.",
    subcommands: [Stats.self, Validate.self, Convert.self, Show.self]
  )

  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print node, edge, root, leaf and depth counts.")

    @Argument(help: "The taxonomy file.") var file: String
    @OptionGroup var input: TaxonomyInputOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
      let taxonomy: Taxonomy
      do { taxonomy = try input.read(file) } catch { throw fail(error) }
      let stats = TaxonomyStatistics(taxonomy)
      print(json ? stats.json : stats.table)
    }
  }

  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a taxonomy file; exit 1 with one line per problem.")

    @Argument(help: "The taxonomy file.") var file: String
    @OptionGroup var input: TaxonomyInputOptions

    func run() throws {
      do {
        let taxonomy = try input.read(file)
        print("\(file): valid (\(taxonomy.count) nodes, \(taxonomy.edgeCount) edges)")
      } catch {
        for diagnostic in error.diagnostics {
          var d = diagnostic
          if d.location == nil { d.location = SourceLocation(file: file) }
          print(d.description)
        }
        throw ExitCode(1)
      }
    }
  }

  struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Convert a taxonomy between formats; the output is written atomically.")

    @Argument(help: "The input taxonomy file.") var input: String
    @Argument(help: "The output file.") var output: String
    @Option(help: "Input format (default: from the file name).") var from: TaxonomyFormat?
    @Option(help: "Output format (default: from the file name).") var to: TaxonomyFormat?
    @Option(help: "Preferred language of SKOS labels.") var lang: String = "en"
    @Option(help: "For TSV edge lists: an id<TAB>label file.") var labels: String?

    func validate() throws {
      if let to, !to.isWritable {
        throw ValidationError("Arbor reads \(to.rawValue) but cannot write it.")
      }
    }

    func run() throws {
      do {
        let taxonomy = try Taxonomy.read(
          from: input, format: from, options: .init(language: lang, labelsPath: labels))
        try taxonomy.write(to: output, format: to)
      } catch {
        throw fail(error)
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the taxonomy as an indented tree.")

    @Argument(help: "The taxonomy file.") var file: String
    @OptionGroup var input: TaxonomyInputOptions
    @Option(help: "Start at this node id instead of the root.") var node: String?
    @Option(help: "Show at most this many levels below the start.") var depth: Int?

    func validate() throws {
      if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more.") }
    }

    func run() throws {
      let taxonomy: Taxonomy
      do { taxonomy = try input.read(file) } catch { throw fail(error) }
      var start = taxonomy.root
      if let node {
        guard let found = taxonomy.index(of: node) else {
          printError("arbor: \(file): no node with id '\(node)'")
          throw ExitCode(1)
        }
        start = found
      }
      var out = ""
      func visit(_ n: Int, _ level: Int) {
        out += String(repeating: "  ", count: level) + taxonomy.label(n) + " [" + taxonomy.id(n) + "]\n"
        if out.utf8.count > 1 << 16 {
          print(out, terminator: "")
          out = ""
        }
        if let depth, level >= depth { return }
        for child in taxonomy.children(of: n) { visit(child, level + 1) }
      }
      visit(start, 0)
      print(out, terminator: "")
    }
  }
}
