/// Word unigrams and bigrams of a collection: every document as a list of phrase ids.
///
/// Words are maximal runs of letters and digits, lower-cased; stop words and one-letter words end a
/// bigram run and are never phrases themselves. A bigram joins two adjacent kept words.
struct PhraseTable {
  /// The phrase strings, by id.
  var phrases: [String] = []
  /// The words of each phrase (one or two).
  var words: [[String]] = []
  /// Phrase ids of each document, with repetitions.
  var documents: [[Int32]] = []

  /// The table of `texts`; with `keepingStopWords`, stop words count as words (for TF-IDF features).
  init(texts: [String], keepingStopWords: Bool = false) {
    var ids: [String: Int32] = [:]
    func id(_ phrase: String, _ parts: [String]) -> Int32 {
      if let known = ids[phrase] { return known }
      let new = Int32(phrases.count)
      ids[phrase] = new
      phrases.append(phrase)
      words.append(parts)
      return new
    }
    documents.reserveCapacity(texts.count)
    for text in texts {
      var row: [Int32] = []
      var previous: String?
      for word in Self.words(of: text) {
        guard word.count > 1, keepingStopWords || !Self.stopWords.contains(word),
          !word.allSatisfy(\.isNumber)
        else {
          previous = nil
          continue
        }
        row.append(id(word, [word]))
        if let previous { row.append(id(previous + " " + word, [previous, word])) }
        previous = word
      }
      documents.append(row)
    }
  }

  /// Lower-cased runs of letters and digits.
  static func words(of text: String) -> [String] {
    var out: [String] = []
    var current = ""
    for character in text.lowercased() {
      if character.isLetter || character.isNumber {
        current.append(character)
      } else if !current.isEmpty {
        out.append(current)
        current = ""
      }
    }
    if !current.isEmpty { out.append(current) }
    return out
  }

  static let stopWords: Set<String> = [
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "either", "especially", "etc", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "how", "however", "if", "in", "into", "is", "it", "its", "itself", "just", "like", "may", "more", "most",
    "much", "must", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "one", "only", "or",
    "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "two", "under", "until", "up", "usually", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "you", "your",
    "used", "using", "use", "something", "someone", "someone's", "we", "our", "paper", "propose",
    "proposed", "show", "based", "new", "approach", "method", "methods", "results",
  ]
}
