import ArborTree

/// Named metric values in a fixed order, with per-level values, printable as a table or JSON.
public struct MetricReport: Sendable {
  /// One metric value.
  public struct Entry: Sendable {
    /// The metric's name, e.g. `h-micro-f1`.
    public var name: String
    /// The group `--metrics` can select it by, e.g. `hierarchical`.
    public var group: String
    /// The value.
    public var value: Double
  }

  /// The values of one level (depth) of the taxonomy.
  public struct Level: Sendable {
    /// The depth (root 0, so levels start at 1).
    public var depth: Int
    /// The samples the level's accuracy counts.
    public var samples: Int
    /// Named values in order.
    public var metrics: [(name: String, value: Double)]
  }

  /// The values in order.
  public var entries: [Entry] = []
  /// Per-level values, by increasing depth.
  public var levels: [Level] = []
  /// How many samples were scored.
  public var sampleCount = 0

  /// An empty report.
  public init() {}

  /// Appends a value.
  public mutating func add(_ name: String, _ value: Double, group: String) {
    entries.append(Entry(name: name, group: group, value: value))
  }

  /// The value of a metric by name, or `nil`.
  public subscript(name: String) -> Double? { entries.first { $0.name == name }?.value }

  /// Keeps only the metrics whose name or group is listed; an empty list keeps everything.
  public func selecting(_ names: [String]) -> MetricReport {
    guard !names.isEmpty else { return self }
    var copy = self
    copy.entries = entries.filter { names.contains($0.name) || names.contains($0.group) }
    if !names.contains("level") && !names.contains("per-level") { copy.levels = [] }
    return copy
  }

  /// Every metric name and group this report knows, for checking `--metrics`.
  public var knownNames: Set<String> {
    Set(entries.map(\.name) + entries.map(\.group) + ["level", "per-level"])
  }

  static func format(_ value: Double) -> String {
    guard value.isFinite else { return "nan" }
    let scaled = (value * 10000).rounded() / 10000
    var text = String(scaled)
    if let dot = text.firstIndex(of: ".") {
      let decimals = text.distance(from: dot, to: text.endIndex) - 1
      if decimals < 4 { text += String(repeating: "0", count: 4 - decimals) }
    } else {
      text += ".0000"
    }
    return text
  }

  /// A readable two-column table, then per-level rows when `levels` is true.
  public func table(levels showLevels: Bool) -> String {
    let width = max(entries.map(\.name.count).max() ?? 0, 8)
    var out = "samples" + String(repeating: " ", count: width - 7 + 2) + String(sampleCount) + "\n"
    for entry in entries {
      out +=
        entry.name + String(repeating: " ", count: width - entry.name.count + 2) + Self.format(entry.value)
      out += "\n"
    }
    if showLevels && !levels.isEmpty {
      let names = levels[0].metrics.map(\.name)
      let widths = names.map { max($0.count, 8) }
      func cell(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(width - text.count, 0))
      }
      func line(_ text: String) -> String {
        String(text.reversed().drop { $0 == " " }.reversed()) + "\n"
      }
      out += "\n" + line("level  samples  " + zip(names, widths).map { cell($0, $1) }.joined(separator: "  "))
      for level in levels {
        out += line(
          cell(String(level.depth), 7) + cell(String(level.samples), 9)
            + zip(level.metrics, widths).map { cell(Self.format($0.value), $1) }.joined(separator: "  "))
      }
    }
    return out
  }

  /// JSON with full-precision numbers: `{"samples": n, "metrics": {...}, "levels": [...]}`.
  public func json(levels showLevels: Bool) -> String {
    func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
    var out = "{\n  \"samples\": \(sampleCount),\n  \"metrics\": {"
    out += entries.map { "\n    \(JSONWriter.quoted($0.name)): \(number($0.value))" }.joined(separator: ",")
    out += entries.isEmpty ? "}" : "\n  }"
    if showLevels {
      out += ",\n  \"levels\": ["
      out += levels.map { level in
        "\n    {\"depth\": \(level.depth), \"samples\": \(level.samples), "
          + level.metrics.map { "\(JSONWriter.quoted($0.name)): \(number($0.value))" }.joined(separator: ", ")
          + "}"
      }.joined(separator: ",")
      out += levels.isEmpty ? "]" : "\n  ]"
    }
    out += "\n}\n"
    return out
  }
}
