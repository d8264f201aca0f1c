/// WordNet 3.0 database files (`data.noun`, `data.verb`) as Debian's `wordnet-base` installs them.
///
/// Each synset becomes a node `wn:` + its 8-digit offset; its lemmas (underscores
/// turned into spaces) give the label and alternative labels, its gloss the
/// definition; hypernym (`@`) and instance-hypernym (`@i`) pointers give its parents,
/// in file order. The word count `w_cnt` is hexadecimal, the pointer count decimal.
enum WordNetFormat {
  static func read(_ bytes: [UInt8], file: String?) throws(TaxonomyError) -> Taxonomy {
    var builder = TaxonomyBuilder()
    var problems: [TaxonomyDiagnostic] = []
    var lineNumber = 0
    var start = 0
    let count = bytes.count
    while start < count {
      var end = start
      while end < count && bytes[end] != 0x0A { end += 1 }
      lineNumber += 1
      defer { start = end + 1 }
      // The license header lines start with two spaces.
      if end - start < 2 || bytes[start] == 0x20 { continue }
      let location = SourceLocation(file: file, line: lineNumber)
      switch parseSynset(bytes[start..<end]) {
      case .success(let synset):
        builder.addNode(
          TaxonomyNode(
            id: synset.id, label: synset.lemmas.first ?? synset.id,
            alternativeLabels: Array(synset.lemmas.dropFirst()), definition: synset.gloss),
          at: location)
        for parent in synset.hypernyms { builder.addEdge(parent: parent, child: synset.id, at: location) }
      case .failure(let message):
        problems.append(.init(.syntax, "not a WordNet data line: \(message.description)", at: location))
        if problems.count >= 20 { throw TaxonomyError(problems) }
      }
    }
    guard problems.isEmpty else { throw TaxonomyError(problems) }
    if builder.nodeCount == 0 {
      throw TaxonomyError(.syntax, "no WordNet synsets found", at: SourceLocation(file: file))
    }
    return try builder.build()
  }

  struct Synset {
    var offset: String
    var id: String { "wn:" + offset }
    var lemmas: [String]
    var hypernyms: [String]
    var gloss: String?
  }

  /// Parses one data line: `offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (ptr)* ... | gloss`.
  static func parseSynset(_ line: ArraySlice<UInt8>) -> Result<Synset, ParseFailureMessage> {
    var gloss: String?
    var fieldsEnd = line.endIndex
    if let bar = line.firstIndex(of: UInt8(ascii: "|")) {
      fieldsEnd = bar
      gloss = String(decoding: line[(bar + 1)...], as: UTF8.self).trimmingSpaces()
    }
    let fields = line[line.startIndex..<fieldsEnd].split(separator: 0x20)
    guard fields.count >= 4 else { return .failure("expected at least 4 fields before the gloss") }
    let offset = String(decoding: fields[0], as: UTF8.self)
    guard offset.utf8.count == 8, offset.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
      return .failure("the synset offset must be 8 digits, found '\(offset)'")
    }
    guard let wordCount = Int(String(decoding: fields[3], as: UTF8.self), radix: 16), wordCount >= 0 else {
      return .failure("w_cnt must be a hexadecimal count")
    }
    var cursor = 4
    var lemmas: [String] = []
    for _ in 0..<wordCount {
      guard cursor + 1 < fields.count else { return .failure("fewer words than w_cnt says") }
      var lemma = String(decoding: fields[cursor], as: UTF8.self)
      lemma = lemma.replacingUnderscores()
      lemmas.append(lemma)
      cursor += 2
    }
    guard cursor < fields.count, let pointerCount = Int(String(decoding: fields[cursor], as: UTF8.self)),
      pointerCount >= 0
    else {
      return .failure("missing or invalid p_cnt")
    }
    cursor += 1
    var hypernyms: [String] = []
    for _ in 0..<pointerCount {
      guard cursor + 3 < fields.count else { return .failure("fewer pointers than p_cnt says") }
      let symbol = fields[cursor]
      if symbol.elementsEqual("@".utf8) || symbol.elementsEqual("@i".utf8) {
        hypernyms.append("wn:" + String(decoding: fields[cursor + 1], as: UTF8.self))
      }
      cursor += 4
    }
    return .success(Synset(offset: offset, lemmas: lemmas, hypernyms: hypernyms, gloss: gloss))
  }
}

/// A parse failure message that can be written as a string literal.
struct ParseFailureMessage: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation,
  CustomStringConvertible
{
  let description: String
  init(stringLiteral value: String) { description = value }
  init(stringInterpolation: DefaultStringInterpolation) {
    description = String(stringInterpolation: stringInterpolation)
  }
}

extension String {
  /// The string without leading and trailing spaces, tabs and line ends.
  package func trimmingSpaces() -> String {
    let scalars = unicodeScalars
    var lower = scalars.startIndex
    var upper = scalars.endIndex
    while lower < upper, [" ", "\t", "\r", "\n"].contains(scalars[lower]) {
      lower = scalars.index(after: lower)
    }
    while upper > lower, [" ", "\t", "\r", "\n"].contains(scalars[scalars.index(before: upper)]) {
      upper = scalars.index(before: upper)
    }
    return String(scalars[lower..<upper])
  }

  /// The string with every underscore turned into a space, as WordNet lemmas are read.
  package func replacingUnderscores() -> String {
    guard utf8.contains(UInt8(ascii: "_")) else { return self }
    return String(decoding: utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
  }
}
