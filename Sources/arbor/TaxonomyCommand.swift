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
    static let configuration = CommandConfiguration(
      abstract: "Print the taxonomy as an indented tree.",
      discussion: """
        In a DAG a node's children are listed under its first occurrence; later occurrences say \
        "(children shown above)". Lines deeper than level 32 are indented as level 32 and start with \
        "[level N]".
        """)

    @Argument(help: "The taxonomy file.") var file: String
    @OptionGroup var input: TaxonomyInputOptions
    @Option(help: "Start at this node id instead of the root.") var node: String?
    @Option(help: "Show at most this many levels below the start.") var depth: Int?

    /// Lines deeper than this level are indented as this level and start with their level number.
    static let maximumIndentedLevel = 32

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
      // Depth-first and iterative, so a very deep taxonomy cannot exhaust the stack. Indentation stops
      // growing at `maximumIndentedLevel` (deeper lines name their level instead), and in a DAG a node's
      // children are listed under its first occurrence only, so the output stays proportional to the
      // number of edges instead of the number of root paths.
      var out = ""
      var expanded = Set<Int>()
      var stack = [(node: start, level: 0)]
      while let (n, level) = stack.popLast() {
        out += String(repeating: "  ", count: min(level, Self.maximumIndentedLevel))
        if level > Self.maximumIndentedLevel { out += "[level \(level)] " }
        out += taxonomy.label(n) + " [" + taxonomy.id(n) + "]"
        let children = taxonomy.children(of: n)
        if !children.isEmpty, depth.map({ level < $0 }) ?? true {
          if expanded.insert(n).inserted {
            stack.append(contentsOf: children.reversed().map { (node: $0, level: level + 1) })
          } else {
            out += " (children shown above)"
          }
        }
        out += "\n"
        if out.utf8.count > 1 << 16 {
          print(out, terminator: "")
          out = ""
        }
      }
      print(out, terminator: "")
    }
  }
}
