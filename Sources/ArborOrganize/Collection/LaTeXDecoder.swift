import Foundation

/// Turns the LaTeX of BibTeX field values into plain Unicode text.
///
/// Rules: braces are dropped (they only protect case); accent commands (`\"o`, `\'{e}`, `\c c`, `\v{s}`,
/// `\'{\i}`, ...) become the accented letter (NFC); special letters (`\ss`, `\ae`, `\o`, `\l`, `\i`, ...) and
/// symbols (`\&`, `\%`, `\textendash`, `\ldots`, Greek letters, ...) become their characters; `--` and `---`
/// become en and em dashes, ` `` ` and `''` curly double quotes, `~` and `\ ` a space; `$` is dropped;
/// other commands are dropped and their braced arguments kept (`\emph{Word}` → `Word`); runs of whitespace
/// become one space. Like TeX, spaces after a command word are skipped.
enum LaTeXDecoder {
  /// The plain text of a LaTeX value.
  static func decode(_ text: String) -> String {
    if !text.unicodeScalars.contains(where: needsWork) { return CollectionFields.collapsingWhitespace(text) }
    let scalars = Array(text.unicodeScalars)
    var decoder = Decoding(scalars: scalars)
    decoder.run(0..<scalars.count)
    let collapsed = CollectionFields.collapsingWhitespace(String(decoder.output))
    return decoder.combined ? collapsed.precomposedStringWithCanonicalMapping : collapsed
  }

  /// Whether a character may need more than copying.
  private static func needsWork(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "{", "}", "\\", "~", "-", "`", "'", "$", "?", "!": return true
    default: return false
    }
  }

  /// The combining mark of each accent command (`\"` diaeresis, `\c` cedilla, ...).
  static let accents: [String: Unicode.Scalar] = [
    "`": "\u{300}", "'": "\u{301}", "^": "\u{302}", "~": "\u{303}", "=": "\u{304}", "u": "\u{306}",
    ".": "\u{307}", "\"": "\u{308}", "r": "\u{30A}", "H": "\u{30B}", "v": "\u{30C}", "d": "\u{323}",
    "c": "\u{327}", "k": "\u{328}", "b": "\u{331}", "t": "\u{361}",
  ]

  /// Command words that stand for a character or a short text.
  static let symbols: [String: String] = [
    "ss": "ß", "SS": "SS", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "o": "ø",
    "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
    "NG": "Ŋ", "dj": "đ", "DJ": "Đ", "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…",
    "textellipsis": "…", "S": "§", "P": "¶", "copyright": "©", "textcopyright": "©", "pounds": "£",
    "textsterling": "£", "euro": "€", "texteuro": "€", "textregistered": "®", "texttrademark": "™",
    "textdegree": "°", "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "guillemotleft": "«", "guillemotright": "»", "textbackslash": "\\",
    "textasciitilde": "~", "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "textperiodcentered": "·", "textbullet": "•", "textexclamdown": "¡", "textquestiondown": "¿",
    "hyphen": "-", "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2e", "times": "×",
    "pm": "±",
    "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "infty": "∞", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "approx": "≈", "sim": "∼", "quad": " ", "qquad": " ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
  ]

  /// Commands whose braced argument is dropped with them.
  static let argumentDropping: Set<String> = ["noopsort", "label", "index", "hspace", "vspace", "cite"]

  /// One decoding pass over a scalar array.
  private struct Decoding {
    let scalars: [Unicode.Scalar]
    var output = String.UnicodeScalarView()
    /// Whether combining marks were emitted (the result then needs composing).
    var combined = false
    /// How many accent arguments enclose this pass (bounded, so hostile nesting cannot exhaust the stack).
    let depth: Int

    init(scalars: [Unicode.Scalar], depth: Int = 0) {
      self.scalars = scalars
      self.depth = depth
    }

    /// The deepest accent-inside-accent nesting decoded; deeper arguments are kept as plain text.
    static let maximumDepth = 32

    /// Decodes `range` onto the output.
    mutating func run(_ range: Range<Int>) {
      var i = range.lowerBound
      let end = range.upperBound
      func next(_ offset: Int) -> Unicode.Scalar? { i + offset < end ? scalars[i + offset] : nil }
      while i < end {
        let c = scalars[i]
        switch c {
        case "{", "}", "$":
          i += 1
        case "~":
          output.append(" ")
          i += 1
        case "-" where next(1) == "-":
          if next(2) == "-" {
            output.append("—")
            i += 3
          } else {
            output.append("–")
            i += 2
          }
        case "`" where next(1) == "`":
          output.append("“")
          i += 2
        case "'" where next(1) == "'":
          output.append("”")
          i += 2
        case "?" where next(1) == "`":
          output.append("¿")
          i += 2
        case "!" where next(1) == "`":
          output.append("¡")
          i += 2
        case "\\":
          i = command(at: i, end: end)
        default:
          output.append(c)
          i += 1
        }
      }
    }

    /// Decodes the command starting with the backslash at `start`; returns where decoding goes on.
    mutating func command(at start: Int, end: Int) -> Int {
      var i = start + 1
      guard i < end else { return end }
      let first = scalars[i]
      if !isLetter(first) {
        i += 1
        if let mark = LaTeXDecoder.accents[String(first)] { return accent(mark, from: i, end: end) }
        switch first {
        case "\\", " ", ",", ";", ":", "\n", "\t": output.append(" ")
        case "-", "/", "@", "!": break
        default: output.append(first)
        }
        return i
      }
      var name = String.UnicodeScalarView()
      while i < end && isLetter(scalars[i]) {
        name.append(scalars[i])
        i += 1
      }
      let word = String(name)
      while i < end && (scalars[i] == " " || scalars[i] == "\t" || scalars[i] == "\n") { i += 1 }
      if word.unicodeScalars.count == 1, let mark = LaTeXDecoder.accents[word] {
        return accent(mark, from: i, end: end)
      }
      if let symbol = LaTeXDecoder.symbols[word] {
        output.append(contentsOf: symbol.unicodeScalars)
      } else if LaTeXDecoder.argumentDropping.contains(word), i < end, scalars[i] == "{" {
        return matchingBrace(from: i, end: end).map { $0 + 1 } ?? end
      }
      return i
    }

    /// Applies the combining `mark` to the argument starting at `from`: `{x}`, `\i`, or a single character.
    mutating func accent(_ mark: Unicode.Scalar, from start: Int, end: Int) -> Int {
      var i = start
      while i < end && (scalars[i] == " " || scalars[i] == "\t" || scalars[i] == "\n") { i += 1 }
      guard i < end else { return end }
      var argument = Decoding(scalars: scalars, depth: depth + 1)
      if scalars[i] == "{" {
        let close = matchingBrace(from: i, end: end) ?? end
        if depth < Self.maximumDepth {
          argument.run(i + 1..<close)
        } else {
          argument.output.append(contentsOf: scalars[i + 1..<close])
        }
        i = min(close + 1, end)
      } else if scalars[i] == "\\" && depth < Self.maximumDepth {
        i = argument.command(at: i, end: end)
      } else if scalars[i] == "}" {
        return i
      } else {
        argument.output.append(scalars[i])
        i += 1
      }
      var letters = argument.output.makeIterator()
      guard let base = letters.next() else { return i }
      output.append(base == "ı" ? "i" : base == "ȷ" ? "j" : base)
      output.append(mark)
      while let rest = letters.next() { output.append(rest) }
      combined = true
      return i
    }

    /// The index of the brace that closes the one at `open`, or nil when it never closes.
    func matchingBrace(from open: Int, end: Int) -> Int? {
      var depth = 0
      var i = open
      while i < end {
        switch scalars[i] {
        case "\\": i += 1
        case "{": depth += 1
        case "}":
          depth -= 1
          if depth == 0 { return i }
        default: break
        }
        i += 1
      }
      return nil
    }

    /// Whether a character is an ASCII letter (command words are made of them).
    func isLetter(_ c: Unicode.Scalar) -> Bool {
      (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
    }
  }
}
