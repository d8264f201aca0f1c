/// The character classes of BERT's basic tokenizer (Devlin et al. 2019, "BERT: Pre-training of Deep
/// Bidirectional Transformers for Language Understanding", and its released `tokenization.py`), as the
/// Hugging Face `tokenizers` package applies them.
///
/// The reference takes "format control", "punctuation" and "nonspacing mark" from Unicode
/// general-category tables frozen at Unicode 8.0, so a scalar assigned later is none of those there
/// (and unassigned scalars are kept). `referenceUnicodeVersion` records that version, and
/// `reclassified` the few scalars whose category changed since; the tokenizer fixture checks every
/// code point against the reference.
enum BertCharacterClasses {
  /// The Unicode version of the reference's general-category tables.
  static let referenceUnicodeVersion: (major: Int, minor: Int) = (8, 0)

  /// Whether `scalar` was assigned by `referenceUnicodeVersion`.
  @inline(__always)
  static func isKnownToReference(_ scalar: Unicode.Scalar) -> Bool {
    guard let age = scalar.properties.age else { return false }
    return (age.major, age.minor) <= referenceUnicodeVersion
  }

  /// Whitespace for cleaning and splitting: the Unicode White_Space property (tab, newline and
  /// carriage return included).
  @inline(__always)
  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value < 0x80 {
      return scalar.value == 0x20 || (scalar.value >= 0x09 && scalar.value <= 0x0D)
    }
    return scalar.properties.isWhitespace
  }

  /// Scalars that cleaning removes: NUL, U+FFFD and the categories Cc, Cf, Co and Cs, except tab,
  /// newline and carriage return, which count as whitespace. Unassigned scalars stay.
  @inline(__always)
  static func isRemovedByCleaning(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if value < 0x80 {
      if value == 0x09 || value == 0x0A || value == 0x0D { return false }
      return value < 0x20 || value == 0x7F
    }
    if value == 0xFFFD { return true }
    switch scalar.properties.generalCategory {
    case .control, .privateUse, .surrogate: return true
    case .format: return isKnownToReference(scalar)
    default: return false
    }
  }

  /// CJK Unified Ideographs and their extensions and compatibility blocks, which BERT surrounds by
  /// spaces so that each becomes a word of its own.
  @inline(__always)
  static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
      0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
      return true
    default:
      return false
    }
  }

  /// Punctuation for splitting: every ASCII symbol or punctuation mark (`!` through `/`, `:` through
  /// `@`, `[` through `` ` ``, `{` through `~`) and the Unicode P* categories.
  @inline(__always)
  static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if value < 0x80 {
      return (value >= 0x21 && value <= 0x2F) || (value >= 0x3A && value <= 0x40)
        || (value >= 0x5B && value <= 0x60) || (value >= 0x7B && value <= 0x7E)
    }
    guard isKnownToReference(scalar) else { return false }
    if value == 0x166D || value == 0x111C9 { return true }  // Po in Unicode 8.0, So and Mn now
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return true
    default:
      return false
    }
  }

  /// Nonspacing marks (Mn), which accent stripping drops after canonical decomposition.
  @inline(__always)
  static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
    guard scalar.value >= 0x300, isKnownToReference(scalar) else { return false }
    switch scalar.value {
    case 0x1734, 0x1171E: return true  // Mn in Unicode 8.0, Mc now
    case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false  // Lo, Mc or Po in Unicode 8.0, Mn now
    default: return scalar.properties.generalCategory == .nonspacingMark
    }
  }

  /// The full lower-case mapping of `scalar` (Unicode SpecialCasing included, no context).
  @inline(__always)
  static func lowercased(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
    if scalar.value < 0x80 { return [asciiLowercased(scalar)] }
    guard scalar.properties.changesWhenLowercased else { return [scalar] }
    return Array(scalar.properties.lowercaseMapping.unicodeScalars)
  }

  /// `scalar` with A-Z mapped to a-z; `scalar` must be ASCII.
  @inline(__always)
  static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
    let value = UInt8(truncatingIfNeeded: scalar.value)
    return Unicode.Scalar(value >= 0x41 && value <= 0x5A ? value + 0x20 : value)
  }
}
