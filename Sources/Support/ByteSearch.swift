extension String {
    /// Whether `needle`'s UTF-8 bytes occur in this string's, by a plain scan. For protocol text on hot paths:
    /// Foundation's `contains` bridges through NSString, and `utf8.firstRange(of:)` builds a generic searcher on
    /// every call; both cost many times the search itself.
    public func containsBytes(of needle: String) -> Bool {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { text in
            needle.withUTF8 { pattern in
                guard let first = pattern.first else { return true }
                guard pattern.count <= text.count else { return false }
                var start = 0
                while start <= text.count - pattern.count {
                    if text[start] == first {
                        var length = 1
                        while length < pattern.count, text[start + length] == pattern[length] { length += 1 }
                        if length == pattern.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }
}
