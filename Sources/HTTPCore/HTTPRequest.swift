/// An HTTP request as the server hands it to a handler: head and the complete (bounded) body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as received (origin-form, e.g. `/v1/groups/1%40g.us?x=1`).
    public var target: String
    /// The path part of the target, still percent-encoded.
    public var path: String
    /// The query part of the target without `?`, still percent-encoded; nil when absent.
    public var query: String?
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(
        method: String, target: String, versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        // Byte-level: `?` is ASCII, and a Character search walks grapheme clusters.
        let utf8 = target.utf8
        if let mark = utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(Substring(utf8[..<mark]))
            query = String(Substring(utf8[utf8.index(after: mark)...]))
        } else {
            path = target
            query = nil
        }
        self.versionMinor = versionMinor
        self.headers = headers
        self.body = body
    }

    /// Query parameters, percent-decoded (`+` as space), in order. Undecodable pairs are skipped.
    public var queryItems: [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(String(parts[0]), plusAsSpace: true) else { return nil }
            let value = parts.count > 1 ? PercentDecoding.decode(String(parts[1]), plusAsSpace: true) : ""
            guard let value else { return nil }
            return (name, value)
        }
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? { queryItems.first(where: { $0.name == name })?.value }
}

/// Percent-decoding (RFC 3986 §2.1) that refuses malformed escapes and invalid UTF-8 instead of guessing.
public enum PercentDecoding {
    public static func decode(_ text: String, plusAsSpace: Bool = false) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(37) || (plusAsSpace && bytes.contains(43)) else { return text }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 37 {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusAsSpace && byte == 43 ? 32 : byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Encodes everything but RFC 3986 unreserved characters (for path segments and query values).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 65...90, 97...122, 48...57, 45, 46, 95, 126: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
