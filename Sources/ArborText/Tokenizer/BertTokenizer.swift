import Foundation

/// BERT's uncased WordPiece tokenizer, token for token as the Hugging Face `tokenizers` package
/// runs all-MiniLM-L6-v2's `tokenizer.json` (Devlin et al. 2019; Wu et al. 2016 for WordPiece).
///
/// Steps: special tokens written literally in the text (`[CLS]`, `[SEP]`, `[MASK]`, `[PAD]`,
/// `[UNK]`) are kept whole; the rest is cleaned (control characters dropped, whitespace made a
/// space), CJK ideographs are spaced, accents are stripped (canonical decomposition, nonspacing marks
/// dropped), the text is lower-cased, split on whitespace and around punctuation, and each word is
/// cut by greedy longest-match WordPiece with `##` continuations; a word longer than
/// `maxInputCharactersPerWord` scalars or with no match becomes one `[UNK]`.
public struct BertTokenizer: Sendable {
  /// The WordPiece vocabulary.
  public let vocabulary: WordPieceVocabulary
  /// Longest word, in Unicode scalars, that WordPiece splits; longer words become `[UNK]`.
  public var maxInputCharactersPerWord = 100
  /// Whether to lower-case and strip accents (true for uncased models).
  public var lowercases = true
  /// Id of `[UNK]`.
  public let unknownID: Int
  /// Id of `[CLS]`, which starts every encoded sequence.
  public let classifierID: Int
  /// Id of `[SEP]`, which ends every encoded sequence.
  public let separatorID: Int
  /// Id of `[PAD]`, which fills batches to a common length.
  public let paddingID: Int
  /// Id of `[MASK]`.
  public let maskID: Int
  /// Special tokens recognized verbatim in the input, with their ids.
  let specialTokens: [(scalars: [Unicode.Scalar], id: Int)]

  /// Creates a tokenizer over `vocabulary`, which must contain the five special tokens.
  public init(vocabulary: WordPieceVocabulary, path: String = "vocab.txt") throws(TextError) {
    func require(_ token: String) throws(TextError) -> Int {
      guard let id = vocabulary.id(of: token) else {
        throw TextError(path: path, message: "the vocabulary has no \(token) token")
      }
      return id
    }
    self.vocabulary = vocabulary
    unknownID = try require("[UNK]")
    classifierID = try require("[CLS]")
    separatorID = try require("[SEP]")
    paddingID = try require("[PAD]")
    maskID = try require("[MASK]")
    specialTokens = [
      ("[PAD]", paddingID), ("[UNK]", unknownID), ("[CLS]", classifierID), ("[SEP]", separatorID),
      ("[MASK]", maskID),
    ].map { (Array($0.0.unicodeScalars), $0.1) }
  }

  /// Reads `vocab.txt` from `path`.
  public init(vocabularyPath path: String) throws(TextError) {
    try self.init(vocabulary: WordPieceVocabulary(contentsOf: path), path: path)
  }

  /// Token ids of `text` between `[CLS]` and `[SEP]`; with `maxLength`, the text's tokens are cut so
  /// that the whole sequence has at most `maxLength` ids (at least the two special ones).
  public func encode(_ text: String, maxLength: Int? = nil) -> [Int] {
    var ids = [classifierID]
    var body = tokenIDs(text)
    if let maxLength { body.removeLast(max(0, body.count - max(0, maxLength - 2))) }
    ids += body
    ids.append(separatorID)
    return ids
  }

  /// Token ids of `text` without `[CLS]`/`[SEP]` and without truncation.
  public func tokenIDs(_ text: String) -> [Int] {
    var ids: [Int] = []
    let scalars = Array(text.unicodeScalars)
    var segmentStart = 0
    var index = 0
    while index < scalars.count {
      if scalars[index] == "[", let (length, id) = specialToken(in: scalars, at: index) {
        appendSegment(scalars[segmentStart..<index], to: &ids)
        ids.append(id)
        index += length
        segmentStart = index
      } else {
        index += 1
      }
    }
    appendSegment(scalars[segmentStart..<scalars.count], to: &ids)
    return ids
  }

  /// The tokens (strings) of `text`, without `[CLS]`/`[SEP]`.
  public func tokenize(_ text: String) -> [String] {
    tokenIDs(text).map { vocabulary.tokens[$0] }
  }

  /// The longest special token that starts at `index`.
  private func specialToken(in scalars: [Unicode.Scalar], at index: Int) -> (Int, Int)? {
    var best: (Int, Int)? = nil
    for (token, id) in specialTokens where index + token.count <= scalars.count {
      if scalars[index..<(index + token.count)].elementsEqual(token), token.count > (best?.0 ?? 0) {
        best = (token.count, id)
      }
    }
    return best
  }

  /// Normalizes, splits and WordPiece-encodes text between special tokens.
  private func appendSegment(_ segment: ArraySlice<Unicode.Scalar>, to ids: inout [Int]) {
    guard !segment.isEmpty else { return }
    let normalized = normalize(segment)
    var word: [Unicode.Scalar] = []
    for scalar in normalized {
      if BertCharacterClasses.isWhitespace(scalar) {
        appendWord(word, to: &ids)
        word.removeAll(keepingCapacity: true)
      } else if BertCharacterClasses.isPunctuation(scalar) {
        appendWord(word, to: &ids)
        word.removeAll(keepingCapacity: true)
        appendWord([scalar], to: &ids)
      } else {
        word.append(scalar)
      }
    }
    appendWord(word, to: &ids)
  }

  /// Cleaning, CJK spacing, accent stripping and lower-casing, in the reference's order.
  func normalize(_ segment: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
    var cleaned: [Unicode.Scalar] = []
    cleaned.reserveCapacity(segment.count)
    var isASCII = true
    for scalar in segment {
      if BertCharacterClasses.isRemovedByCleaning(scalar) { continue }
      if BertCharacterClasses.isWhitespace(scalar) {
        cleaned.append(" ")
      } else if BertCharacterClasses.isChineseCharacter(scalar) {
        cleaned.append(" ")
        cleaned.append(scalar)
        cleaned.append(" ")
        isASCII = false
      } else {
        cleaned.append(scalar)
        if scalar.value >= 0x80 { isASCII = false }
      }
    }
    guard lowercases else { return cleaned }
    if isASCII {
      return cleaned.map(BertCharacterClasses.asciiLowercased)
    }
    var text = String.UnicodeScalarView()
    text.append(contentsOf: cleaned)
    let decomposed = String(text).decomposedStringWithCanonicalMapping
    var result: [Unicode.Scalar] = []
    result.reserveCapacity(cleaned.count)
    for scalar in decomposed.unicodeScalars where !BertCharacterClasses.isNonspacingMark(scalar) {
      if scalar.value < 0x80 {
        result.append(BertCharacterClasses.asciiLowercased(scalar))
      } else if scalar.properties.changesWhenLowercased {
        result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
      } else {
        result.append(scalar)
      }
    }
    return result
  }

  /// Greedy longest-match WordPiece over the scalars of one word.
  private func appendWord(_ word: [Unicode.Scalar], to ids: inout [Int]) {
    guard !word.isEmpty else { return }
    if word.count > maxInputCharactersPerWord {
      ids.append(unknownID)
      return
    }
    let firstNew = ids.count
    var start = 0
    var candidate = String.UnicodeScalarView()
    while start < word.count {
      var end = min(word.count, start + vocabulary.longestTokenScalars)
      var found: Int? = nil
      while end > start {
        candidate.removeAll(keepingCapacity: true)
        if start > 0 { candidate.append(contentsOf: "##".unicodeScalars) }
        candidate.append(contentsOf: word[start..<end])
        if let id = vocabulary.id(of: String(candidate)) {
          found = id
          break
        }
        end -= 1
      }
      guard let id = found else {
        ids.removeSubrange(firstNew...)
        ids.append(unknownID)
        return
      }
      ids.append(id)
      start = end
    }
  }
}
