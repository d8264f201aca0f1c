extension HashedFeatureExtractor {
  /// ``appendBuckets(_:to:characterMark:)`` for text that is all ASCII, on its bytes: the same words
  /// (runs of ASCII letters and digits, lower-cased), the same features in the same order and the same
  /// hashes, without making a string per word.
  ///
  /// Each word is written once as `<word>` into one scratch buffer; its own feature hashes the inner
  /// bytes, its character n-grams hash windows of the bounded form (one byte per scalar in ASCII).
  func appendASCIIBuckets(_ bytes: UnsafeBufferPointer<UInt8>, to buckets: inout [Int], characterMark: Int) {
    // A word of length L takes at least L + 1 input bytes (the last one L) and L + 2 bounded bytes.
    let capacity = 2 * bytes.count + 4
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { bounded in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: bytes.count / 2 + 2) { starts in
        var length = 0
        var wordCount = 0
        var inWord = false
        for byte in bytes {
          let isDigit = byte >= 0x30 && byte <= 0x39
          let isLower = byte >= 0x61 && byte <= 0x7A
          let isUpper = byte >= 0x41 && byte <= 0x5A
          if isDigit || isLower || isUpper {
            if !inWord {
              starts[wordCount] = length
              wordCount += 1
              bounded[length] = 0x3C
              length += 1
              inWord = true
            }
            bounded[length] = isUpper ? byte | 0x20 : byte
            length += 1
          } else if inWord {
            bounded[length] = 0x3E
            length += 1
            inWord = false
          }
        }
        if inWord {
          bounded[length] = 0x3E
          length += 1
        }
        let modulus = UInt64(bucketCount)
        func end(of word: Int) -> Int { word + 1 < wordCount ? starts[word + 1] : length }
        for word in 0..<wordCount {
          let first = starts[word]
          let stop = end(of: word)
          let inner = UnsafeBufferPointer(rebasing: bounded[(first + 1)..<(stop - 1)])
          var own = start(kind: 1)
          own.combine(inner)
          buckets.append(Int(own.value % modulus))
          if usesWordBigrams, word + 1 < wordCount {
            let next = UnsafeBufferPointer(rebasing: bounded[(stop + 1)..<(end(of: word + 1) - 1)])
            var pair = start(kind: 2)
            pair.combine(inner)
            pair.combine(CollectionOfOne(UInt8(0x20)))
            pair.combine(next)
            buckets.append(Int(pair.value % modulus))
          }
          guard let lengths = characterNGramLengths else { continue }
          let count = stop - first
          for n in lengths where n <= count {
            for window in first...(stop - n) {
              var gram = start(kind: 3)
              gram.combine(UnsafeBufferPointer(rebasing: bounded[window..<(window + n)]))
              buckets.append(Int(gram.value % modulus) | characterMark)
            }
          }
        }
      }
    }
  }
}
