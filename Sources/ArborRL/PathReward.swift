import ArborMetrics
import ArborTree

/// A reward of a predicted path against a sample's gold labels.
public protocol PathRewardFunction {
  /// The reward of `predicted` (labels top-down, root excluded) against `gold` (node indices).
  mutating func reward(predicted: [Int], gold: [Int]) -> Double
}

/// The path rewards `ArborMetrics` provides per sample.
public enum PathRewardKind: String, Sendable, CaseIterable {
  /// Per-sample hierarchical F1 on ancestor-closed sets (Kiritchenko et al. 2006).
  case hf1
  /// 1 when the closed predicted set equals the closed gold set, else 0.
  case exact
  /// HierVerb's per-sample P-metric γ(x)·F1 of the path counts (Ji et al. 2023).
  case pmetric
  /// Wu & Palmer similarity of the predicted node to the closest gold node (root depth 1).
  case wup
}

/// A weighted sum of ArborMetrics rewards, e.g. `0.5*hf1+0.5*exact`.
public struct PathReward: PathRewardFunction {
  /// The terms of the sum.
  public let terms: [(kind: PathRewardKind, weight: Double)]
  var scorer: HierarchicalScorer
  var wuPalmer: WuPalmer

  /// A reward on `taxonomy` made of `terms`.
  public init(taxonomy: Taxonomy, terms: [(kind: PathRewardKind, weight: Double)]) {
    self.terms = terms
    scorer = HierarchicalScorer(LabelHierarchy(taxonomy))
    wuPalmer = WuPalmer(taxonomy)
  }

  /// Parses `hf1`, `exact`, `pmetric`, `wup` or a weighted sum such as `0.7*exact+0.3*hf1`;
  /// nil (with the offending term in `error`) when a term is not understood.
  public static func parseTerms(_ text: String) -> Result<
    [(kind: PathRewardKind, weight: Double)], RewardParseError
  > {
    var terms: [(kind: PathRewardKind, weight: Double)] = []
    for rawTerm in text.split(separator: "+", omittingEmptySubsequences: false) {
      let term = rawTerm.trimmingCharacters(in: " ")
      let parts = term.split(separator: "*", omittingEmptySubsequences: false)
      let name = String(parts.last ?? "").trimmingCharacters(in: " ")
      var weight = 1.0
      if parts.count == 2 {
        guard let parsed = Double(parts[0].trimmingCharacters(in: " ")), parsed.isFinite else {
          return .failure(RewardParseError(term: term))
        }
        weight = parsed
      } else if parts.count != 1 {
        return .failure(RewardParseError(term: term))
      }
      guard let kind = PathRewardKind(rawValue: name) else { return .failure(RewardParseError(term: term)) }
      terms.append((kind, weight))
    }
    return .success(terms)
  }

  /// The weighted sum of the terms for one sample.
  public mutating func reward(predicted: [Int], gold: [Int]) -> Double {
    var total = 0.0
    for (kind, weight) in terms {
      switch kind {
      case .hf1: total += weight * scorer.f1(gold: gold, predicted: predicted)
      case .exact: total += weight * (scorer.isExactPathMatch(gold: gold, predicted: predicted) ? 1 : 0)
      case .pmetric: total += weight * scorer.pathScore(gold: gold, predicted: predicted)
      case .wup:
        if let last = predicted.last { total += weight * wuPalmer.best(predicted: last, gold: gold) }
      }
    }
    return total
  }
}

/// A reward specification that could not be parsed.
public struct RewardParseError: Error, Equatable, CustomStringConvertible {
  /// The term that was not understood.
  public var term: String
  /// Explains the expected form.
  public var description: String {
    "unknown reward term '\(term)': expected hf1, exact, pmetric, wup or WEIGHT*NAME joined by +"
  }
}

extension StringProtocol {
  fileprivate func trimmingCharacters(in character: Character) -> String {
    var slice = Substring(self)
    while slice.first == character { slice = slice.dropFirst() }
    while slice.last == character { slice = slice.dropLast() }
    return String(slice)
  }
}
