import Foundation

/// Class-based TF-IDF (Grootendorst 2022, BERTopic) of sibling nodes: the weight of phrase `t` in class
/// `c` is `W(t, c) = tf(t, c) / |c| · log(1 + A / f(t))`, where `tf(t, c)` counts `t` in the documents of
/// `c`, `|c|` is the number of phrases of `c`, `A` the mean `|c|` over the siblings and `f(t)` the count of
/// `t` over all siblings. Phrases sharing a word with an ancestor's keyphrases are multiplied by
/// `ancestorDiscount`.
struct ClassTFIDF {
  var table: PhraseTable
  var ancestorDiscount: Float = 0.2
  /// Phrases that occur in fewer documents of a class than this are not keyphrases of it.
  var minimumDocuments = 2

  /// Keyphrases of each sibling class (`classes[i]` lists document indices), best first.
  func keyphrases(
    classes: [[Int]], ancestorWords: Set<String>, count: Int
  ) -> [[String]] {
    var frequencies: [[Int32: Int32]] = []
    var documentCounts: [[Int32: Int32]] = []
    var totals: [Double] = []
    var overall: [Int32: Int32] = [:]
    for members in classes {
      var tf: [Int32: Int32] = [:]
      var df: [Int32: Int32] = [:]
      var total = 0
      for d in members {
        let row = table.documents[d]
        total += row.count
        for t in row { tf[t, default: 0] += 1 }
        for t in Set(row) { df[t, default: 0] += 1 }
      }
      for (t, c) in tf { overall[t, default: 0] += c }
      frequencies.append(tf)
      documentCounts.append(df)
      totals.append(Double(max(total, 1)))
    }
    let average = totals.reduce(0, +) / Double(max(1, totals.count))
    return classes.indices.map { c in
      let minimum = Int32(min(minimumDocuments, max(1, classes[c].count / 2)))
      var scored: [(Double, Int32)] = []
      for (t, tf) in frequencies[c] where (documentCounts[c][t] ?? 0) >= minimum {
        var w = Double(tf) / totals[c] * log(1 + average / Double(overall[t] ?? 1))
        if table.words[Int(t)].contains(where: ancestorWords.contains) { w *= Double(ancestorDiscount) }
        scored.append((w, t))
      }
      scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : table.phrases[Int($0.1)] < table.phrases[Int($1.1)] }
      var chosen: [String] = []
      var used: Set<String> = []
      for (_, t) in scored {
        let words = table.words[Int(t)]
        // Skip a unigram already inside a chosen bigram and a bigram repeating two chosen words.
        if words.count == 1, used.contains(words[0]) { continue }
        if words.count == 2, used.contains(words[0]) && used.contains(words[1]) { continue }
        chosen.append(table.phrases[Int(t)])
        for w in words { used.insert(w) }
        if chosen.count == count { break }
      }
      return chosen
    }
  }
}
