/// The byte-level helpers of the parser: character classes (RFC 9110), hex digits, header-value tokens, and
/// absolute-form targets.
extension HTTPRequestParser {
    /// tchar of RFC 9110 §5.6.2.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
        default: false
        }
    }

    /// The origin-form of an absolute-form target (`http://host/path?q` → `/path?q`).
    static func originForm(ofAbsolute target: String) -> String? {
        let lower = target.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        let afterScheme = target[target.index(target.startIndex, offsetBy: lower.hasPrefix("http://") ? 7 : 8)...]
        guard !afterScheme.isEmpty else { return nil }
        if let slash = afterScheme.firstIndex(of: "/") { return String(afterScheme[slash...]) }
        if let query = afterScheme.firstIndex(of: "?") { return "/" + afterScheme[query...] }
        return "/"
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }

    /// Header names are tokens (ASCII): lower-case them without Unicode machinery.
    static func asciiLowercase(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) else { return name }
        return String(decoding: name.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
