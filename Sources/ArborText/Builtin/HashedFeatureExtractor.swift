import Foundation

/// Word unigrams, word bigrams and character n-grams hashed into a fixed number of buckets, in the style of
/// fastText (Bojanowski et al. 2017, "Enriching Word Vectors with Subword Information"; Joulin et al. 2017,
/// "Bag of Tricks for Efficient Text Classification") and feature hashing (Weinberger et al. 2009).
///
/// Text is normalized first: canonical decomposition, nonspacing marks dropped, lower-cased. A word is a
/// maximal run of letters, digits and spacing marks; each CJK ideograph is a word of its own. Each word
/// gives its own feature and the character n-grams of `<word>` (boundary markers included) whose lengths
/// lie in `characterNGramLengths`; each pair of adjacent words gives a bigram feature. Features are hashed
/// with 64-bit FNV-1a (stable across runs and machines) after a one-byte kind tag and `seed`.
public struct HashedFeatureExtractor: Sendable, Equatable {
  /// Number of buckets (rows of the hashed table).
  public var bucketCount: Int
  /// Lengths of character n-grams, in Unicode scalars, counting the `<` and `>` markers; nil for none.
  public var characterNGramLengths: ClosedRange<Int>?
  /// Whether adjacent word pairs are features.
  public var usesWordBigrams: Bool
  /// Mixed into every hash, so that different tables can use unrelated buckets.
  public var seed: UInt64

  /// Creates an extractor; the defaults are 2^20 buckets, n-grams of 3 to 5 scalars and bigrams.
  public init(
    bucketCount: Int = 1 << 20, characterNGramLengths: ClosedRange<Int>? = 3...5,
    usesWordBigrams: Bool = true,
    seed: UInt64 = 0
  ) {
    self.bucketCount = max(1, bucketCount)
    self.characterNGramLengths = characterNGramLengths.map { max(1, $0.lowerBound)...max(1, $0.upperBound) }
    self.usesWordBigrams = usesWordBigrams
    self.seed = seed
  }

  /// A string naming every setting, for cache keys.
  public var identity: String {
    "b\(bucketCount):n\(characterNGramLengths.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "none")"
      + ":\(usesWordBigrams ? "bi" : "uni"):s\(seed)"
  }

  /// The normalized words of `text`.
  public func words(_ text: String) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    func finish() {
      if !current.isEmpty { words.append(String(current)) }
      current = String.UnicodeScalarView()
    }
    let decomposed =
      text.unicodeScalars.allSatisfy(\.isASCII) ? text : text.decomposedStringWithCanonicalMapping
    for scalar in decomposed.unicodeScalars {
      if scalar.isASCII {
        // The same decisions as below without the property lookups: ASCII letters and digits are the only
        // ASCII scalars that are alphabetic or numeric; nothing ASCII is a mark or a CJK ideograph.
        let value = scalar.value
        if (value >= 0x30 && value <= 0x39) || (value >= 0x61 && value <= 0x7A) {
          current.append(scalar)
        } else if value >= 0x41 && value <= 0x5A {
          current.append(BertCharacterClasses.asciiLowercased(scalar))
        } else {
          finish()
        }
        continue
      }
      let properties = scalar.properties
      if properties.generalCategory == .nonspacingMark { continue }
      if BertCharacterClasses.isChineseCharacter(scalar) {
        finish()
        current.append(scalar)
        finish()
      } else if properties.isAlphabetic || properties.numericType != nil
        || properties.generalCategory == .spacingMark
      {
        if scalar.isASCII {
          current.append(BertCharacterClasses.asciiLowercased(scalar))
        } else if properties.changesWhenLowercased {
          current.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
        } else {
          current.append(scalar)
        }
      } else {
        finish()
      }
    }
    finish()
    return words
  }

  /// The bucket of every feature of `text`, repeated as often as the feature occurs, in text order.
  public func buckets(_ text: String) -> [Int] {
    var buckets: [Int] = []
    appendBuckets(text, to: &buckets)
    return buckets
  }

  /// Appends the buckets of every feature of `text` to `buckets`; character n-gram buckets are ORed with
  /// `characterMark` (0 by default), so that callers can tell them from word features.
  public func appendBuckets(_ text: String, to buckets: inout [Int], characterMark: Int = 0) {
    var text = text
    let done = text.withUTF8 { bytes -> Bool in
      guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
      appendASCIIBuckets(bytes, to: &buckets, characterMark: characterMark)
      return true
    }
    if done { return }
    appendUnicodeBuckets(text, to: &buckets, characterMark: characterMark)
  }

  /// ``appendBuckets(_:to:characterMark:)`` for any text, through its normalized words.
  func appendUnicodeBuckets(_ text: String, to buckets: inout [Int], characterMark: Int) {
    let words = words(text)
    var bounded: [Unicode.Scalar] = []
    for (index, word) in words.enumerated() {
      buckets.append(bucket(kind: 1, word.utf8))
      if usesWordBigrams, index + 1 < words.count {
        var hash = start(kind: 2)
        hash.combine(word.utf8)
        hash.combine(CollectionOfOne(0x20))
        hash.combine(words[index + 1].utf8)
        buckets.append(Int(hash.value % UInt64(bucketCount)))
      }
      guard let lengths = characterNGramLengths else { continue }
      bounded.removeAll(keepingCapacity: true)
      bounded.append("<")
      bounded.append(contentsOf: word.unicodeScalars)
      bounded.append(">")
      for length in lengths where length <= bounded.count {
        for first in 0...(bounded.count - length) {
          var hash = start(kind: 3)
          for scalar in bounded[first..<(first + length)] { hash.combine(UTF8.encode(scalar)!) }
          buckets.append(Int(hash.value % UInt64(bucketCount)) | characterMark)
        }
      }
    }
  }

  func start(kind: UInt8) -> StableHash {
    var hash = StableHash(seed: seed)
    hash.combine(CollectionOfOne(kind))
    return hash
  }

  private func bucket(kind: UInt8, _ bytes: some Sequence<UInt8>) -> Int {
    var hash = start(kind: kind)
    hash.combine(bytes)
    return Int(hash.value % UInt64(bucketCount))
  }
}
