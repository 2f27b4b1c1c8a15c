extension String {
    /// Without leading and trailing spaces, tabs, CR and LF — for header values and other protocol text, where
    /// Foundation's Unicode-aware `trimmingCharacters(in:)` costs far more than the check needs.
    public func trimmingASCIIWhitespace() -> String {
        let bytes = utf8
        func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !blank($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !blank($0) })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
