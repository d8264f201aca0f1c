import ArborContinual
import ArborTree
import Foundation

/// Text renderings of a continual run: table, JSON, CSV curves and an SVG plot.
enum ContinualReport {
  static func percent(_ value: Double?) -> String {
    guard let value else { return "—" }
    return String(format: "%.1f", value * 100)
  }

  static func number(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "null" }
    return JSONWriter.number(value)
  }

  /// The per-level table (accuracies in %).
  static func table(_ r: ContinualResult) -> String {
    var out = "method \(r.method)\nlevel  A_auc  A_avg  A_last  F_last\n"
    for level in r.levels {
      out += String(level.level).padding(toLength: 5, withPad: " ", startingAt: 0)
      for value in [level.anytime, level.average, level.last, level.forgetting] {
        let text = percent(value)
        out += String(repeating: " ", count: max(1, 7 - text.count)) + text
      }
      out += "\n"
    }
    out += "path accuracy \(percent(r.pathAccuracy))  consistency \(percent(r.consistency))  "
    out += "hF1 \(String(format: "%.4f", r.hierarchicalF1))  seconds \(String(format: "%.2f", r.seconds))\n"
    return out
  }

  /// `{"levels": [{"level", "A_auc", "A_avg", "A_last", "F_last"}], "path_accuracy", "consistency",
  /// "seconds", "hF1", "method"}`, accuracies as fractions.
  static func json(_ r: ContinualResult) -> String {
    let levels = r.levels.map { l in
      "{\"level\":\(l.level),\"A_auc\":\(number(l.anytime)),\"A_avg\":\(number(l.average)),"
        + "\"A_last\":\(number(l.last)),\"F_last\":\(number(l.forgetting))}"
    }
    return "{\"levels\":[" + levels.joined(separator: ",") + "],\"path_accuracy\":\(number(r.pathAccuracy)),"
      + "\"consistency\":\(number(r.consistency)),\"seconds\":\(number(r.seconds)),"
      + "\"hF1\":\(number(r.hierarchicalF1)),\"method\":" + JSONWriter.quoted(r.method) + "}\n"
  }

  /// One row per evaluation: samples, task, task_end, then the accuracy of each level (empty if unexposed).
  static func csv(_ r: ContinualResult) -> String {
    var out = "samples,task,task_end"
    for level in r.levels { out += ",accuracy_level\(level.level)" }
    out += "\n"
    for point in r.curve {
      out += "\(point.samples),\(point.task),\(point.isTaskEnd ? 1 : 0)"
      for value in point.accuracy { out += "," + (value.map { String(format: "%.6f", $0) } ?? "") }
      out += "\n"
    }
    return out
  }

  /// A line plot of the per-level anytime accuracy against stream samples.
  static func svg(_ r: ContinualResult) -> String {
    let width = 640.0
    let height = 400.0
    let left = 60.0
    let right = 130.0
    let top = 30.0
    let bottom = 50.0
    let maxSamples = Double(max(1, r.curve.map(\.samples).max() ?? 1))
    func x(_ samples: Int) -> Double { left + Double(samples) / maxSamples * (width - left - right) }
    func y(_ accuracy: Double) -> Double { top + (1 - accuracy) * (height - top - bottom) }
    let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
    out +=
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    out += "<text x=\"\(left)\" y=\"18\">\(r.method): accuracy per level over the stream</text>\n"
    for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
      let ty = y(tick)
      out += "<line x1=\"\(left)\" y1=\"\(ty)\" x2=\"\(width - right)\" y2=\"\(ty)\" stroke=\"#ddd\"/>\n"
      out += "<text x=\"\(left - 8)\" y=\"\(ty + 4)\" text-anchor=\"end\">\(Int(tick * 100))%</text>\n"
    }
    for point in r.curve where point.isTaskEnd {
      let tx = x(point.samples)
      out += "<line x1=\"\(tx)\" y1=\"\(top)\" x2=\"\(tx)\" y2=\"\(height - bottom)\" stroke=\"#bbb\" "
      out += "stroke-dasharray=\"4 3\"/>\n"
    }
    out += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" "
    out += "stroke=\"black\"/>\n<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" "
    out += "stroke=\"black\"/>\n"
    out += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">"
    out += "stream samples (max \(Int(maxSamples)))</text>\n"
    for (l, level) in r.levels.enumerated() {
      let colour = colours[l % colours.count]
      let points = r.curve.compactMap { p in p.accuracy[l].map { "\(x(p.samples)),\(y($0))" } }
      if !points.isEmpty {
        out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\""
        out += points.joined(separator: " ") + "\"/>\n"
      }
      let ly = top + 20 + Double(l) * 20
      out += "<line x1=\"\(width - right + 10)\" y1=\"\(ly)\" x2=\"\(width - right + 30)\" y2=\"\(ly)\" "
      out += "stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
      out += "<text x=\"\(width - right + 36)\" y=\"\(ly + 4)\">level \(level.level)</text>\n"
    }
    out += "</svg>\n"
    return out
  }
}
