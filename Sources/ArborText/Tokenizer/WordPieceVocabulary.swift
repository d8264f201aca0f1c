import Foundation

/// The token list of a WordPiece model: token `i` of `vocab.txt` (one per line) has id `i`.
public struct WordPieceVocabulary: Sendable {
  /// Every token, indexed by id.
  public let tokens: [String]
  /// Id of every token.
  let ids: [String: Int]
  /// The most Unicode scalars in any token, not counting a leading `##`; bounds the greedy search.
  let longestTokenScalars: Int

  /// Builds a vocabulary from tokens in id order; a repeated token keeps its first id.
  public init(tokens: [String]) {
    self.tokens = tokens
    var ids: [String: Int] = [:]
    ids.reserveCapacity(tokens.count)
    var longest = 1
    for (id, token) in tokens.enumerated() {
      if ids[token] == nil { ids[token] = id }
      var length = token.unicodeScalars.count
      if token.hasPrefix("##") { length -= 2 }
      longest = max(longest, length)
    }
    self.ids = ids
    self.longestTokenScalars = longest
  }

  /// Reads `vocab.txt`: UTF-8, one token per line (`\n` or `\r\n`), line `i` (from 0) is id `i`.
  public init(contentsOf path: String) throws(TextError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TextError(path: path, message: "cannot read the WordPiece vocabulary (expected vocab.txt)")
    }
    var tokens: [String] = []
    var lineStart = data.startIndex
    var lineNumber = 1
    for index in data.indices where data[index] == 0x0A || index == data.endIndex - 1 {
      var lineEnd = data[index] == 0x0A ? index : index + 1
      if lineEnd > lineStart, data[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      guard let token = String(validating: data[lineStart..<lineEnd], as: UTF8.self) else {
        throw TextError(path: "\(path):\(lineNumber)", message: "the token is not valid UTF-8")
      }
      tokens.append(token)
      lineStart = index + 1
      lineNumber += 1
    }
    guard !tokens.isEmpty else { throw TextError(path: path, message: "the vocabulary is empty") }
    self.init(tokens: tokens)
  }

  /// Number of tokens.
  public var count: Int { tokens.count }

  /// The id of `token`, or nil when it is not in the vocabulary.
  public func id(of token: String) -> Int? { ids[token] }
}
