/// Credentials scrubbed from provider answers. Some providers echo the request — auth headers included — in their
/// error bodies; whatever an adapter then quotes (an error message, an event, a log line) must not carry them. The
/// scrub happens once, where every answer enters the gateway, so no adapter can forget it.
struct Redaction: Sendable {
    static let placeholder = Array("[redacted]".utf8)
    /// Shorter values are not secrets worth the false positives (`Bearer`, `true`).
    static let minimumLength = 8

    private let secrets: [[UInt8]]

    /// - Parameter credentials: header values; for `Bearer x`/`Basic x` both the value and its token are secrets.
    init(credentials: [String]) {
        var secrets: Set<[UInt8]> = []
        for value in credentials {
            secrets.insert(Array(value.utf8))
            if let space = value.lastIndex(of: " ") { secrets.insert(Array(value[value.index(after: space)...].utf8)) }
        }
        // Longest first, so a token inside a longer value is replaced with it.
        self.secrets = secrets.filter { $0.count >= Redaction.minimumLength }.sorted { $0.count > $1.count }
    }

    func scrub(_ body: [UInt8]) -> [UInt8] {
        var body = body
        for secret in secrets { body = Redaction.replace(secret, in: body) }
        return body
    }

    static func replace(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard haystack.count >= needle.count, let first = needle.first else { return haystack }
        var output: [UInt8] = []
        var index = 0
        var copied = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) {
                if output.isEmpty { output.reserveCapacity(haystack.count) }
                output.append(contentsOf: haystack[copied..<index])
                output.append(contentsOf: placeholder)
                index += needle.count
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return haystack }
        output.append(contentsOf: haystack[copied...])
        return output
    }
}
