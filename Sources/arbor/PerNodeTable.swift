import ArborMetrics
import ArborTree

/// The `--per-node` CSV of `arbor eval`.
enum PerNodeTable {
  /// One row per node with any gold or predicted occurrence: flat and hierarchical counts and scores.
  static func csv(_ evaluation: ClassificationEvaluation) -> String {
    let taxonomy = evaluation.hierarchy.taxonomy
    var out = "id,label,depth,gold,predicted,correct,precision,recall,f1,"
    out += "h_gold,h_predicted,h_correct,h_precision,h_recall,h_f1\n"
    let flat = evaluation.flat
    let hier = evaluation.hierarchical
    for node in 0..<taxonomy.count where node != taxonomy.root {
      if flat.gold[node] == 0 && flat.predicted[node] == 0 && hier.gold[node] == 0
        && hier.predicted[node] == 0
      {
        continue
      }
      let f = flat.scores(of: node)
      let h = hier.scores(of: node)
      let fields: [String] = [
        quote(taxonomy.id(node)), quote(taxonomy.label(node)), String(taxonomy.depth(of: node)),
        String(flat.gold[node]), String(flat.predicted[node]), String(flat.correct[node]),
        "\(f.precision)", "\(f.recall)", "\(f.f1)",
        String(hier.gold[node]), String(hier.predicted[node]), String(hier.correct[node]),
        "\(h.precision)", "\(h.recall)", "\(h.f1)",
      ]
      out += fields.joined(separator: ",") + "\n"
    }
    return out
  }

  /// An RFC 4180 field: quoted when it holds a comma, quote or line break.
  static func quote(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
