/// Package-visible access to the tokenizer's character classes, for tests that check every code point.
package enum BertCharacterClassProbe {
  /// Whether cleaning removes `scalar`.
  package static func isRemovedByCleaning(_ scalar: Unicode.Scalar) -> Bool {
    BertCharacterClasses.isRemovedByCleaning(scalar)
  }
  /// Whether `scalar` is whitespace.
  package static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    BertCharacterClasses.isWhitespace(scalar)
  }
  /// Whether `scalar` is a CJK ideograph that gets spaced.
  package static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
    BertCharacterClasses.isChineseCharacter(scalar)
  }
  /// Whether `scalar` is split off as punctuation.
  package static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    BertCharacterClasses.isPunctuation(scalar)
  }
  /// Whether accent stripping drops `scalar`.
  package static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
    BertCharacterClasses.isNonspacingMark(scalar)
  }
  /// The lower-case mapping the tokenizer applies.
  package static func lowercased(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
    BertCharacterClasses.lowercased(scalar)
  }
}
