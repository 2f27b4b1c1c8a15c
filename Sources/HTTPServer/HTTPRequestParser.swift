import HTTPCore

/// An incremental HTTP/1.1 request parser (RFC 9112): a pure value fed bytes, returning what it found.
///
/// The caller owns the input buffer and drops the bytes the parser reports as consumed. A head is parsed only
/// once it is complete; body bytes are taken as they arrive. Strict by design: CRLF only, no obs-fold, one
/// Content-Length, no Content-Length with Transfer-Encoding, `chunked` as the only transfer coding. Ambiguity
/// in framing is what request smuggling feeds on, so every doubt is a 4xx and a closed connection.
public struct HTTPRequestParser: Sendable {
    /// What one call to `parse` found.
    public enum Step: Sendable {
        /// More bytes are needed.
        case needMore
        /// A head was parsed and a body follows (lets the server answer `100 Continue` or refuse early).
        case head(HTTPRequestHead)
        /// A complete request.
        case request(HTTPRequestHead, body: [UInt8])
    }

    /// Progress of the search for the end of a head.
    private struct HeadScan: Sendable {
        var scanned = 0
        var firstLineEnd: Int? = nil
        var lineCount = 0
        var leadingEmptyLines = 0
    }

    private enum State: Sendable {
        case head(HeadScan)
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(scanned: Int, total: Int)
    }

    public let limits: HTTPParserLimits
    private var state: State = .head(HeadScan())
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    public init(limits: HTTPParserLimits = HTTPParserLimits()) { self.limits = limits }

    /// True between requests (no partial request buffered in the parser).
    public var isIdle: Bool {
        if case .head(let scan) = state { return scan.scanned == 0 && scan.firstLineEnd == nil && head == nil }
        return false
    }

    /// True once a head has been parsed and its body is being read.
    public var isReadingBody: Bool { head != nil }

    /// Parses `input` from `start` on (a buffer and how much of it was already consumed).
    public mutating func parse(_ input: [UInt8], from start: Int = 0) throws(HTTPParseError) -> (Step, consumed: Int) {
        try input.withUnsafeBufferPointer { all throws(HTTPParseError) in try parse(UnsafeBufferPointer(rebasing: all[start...])) }
    }

    /// Parses from `bytes`, returning the step and how many bytes were consumed.
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (Step, consumed: Int) {
        var consumed = 0
        while true {
            let rest = UnsafeBufferPointer(rebasing: bytes[consumed...])
            switch state {
            case .head(var scan):
                // RFC 9112 §2.2: ignore empty lines before the request line (a few, not forever).
                if scan.scanned == 0, scan.firstLineEnd == nil, rest.count >= 2, rest[0] == 13, rest[1] == 10 {
                    scan.leadingEmptyLines += 1
                    if scan.leadingEmptyLines > 8 { throw .malformedRequestLine }
                    consumed += 2
                    state = .head(scan)
                    continue
                }
                guard let (parsed, length) = try parseHead(rest, scan: scan) else { return (.needMore, consumed) }
                consumed += length
                switch parsed.framing {
                case .none:
                    return (.request(parsed, body: []), consumed)
                case .length(let n):
                    head = parsed
                    body = []
                    body.reserveCapacity(min(n, 64 * 1024))  // grow with the bytes that arrive, not the promise
                    state = .body(remaining: n)
                case .chunked:
                    head = parsed
                    body = []
                    state = .chunkSize
                }
                return (.head(parsed), consumed)

            case .body(let remaining):
                let take = min(remaining, rest.count)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: rest[0..<take]))
                consumed += take
                if take < remaining {
                    state = .body(remaining: remaining - take)
                    return (.needMore, consumed)
                }
                return (finish(), consumed)

            case .chunkSize:
                guard let lineEnd = try findLineEnd(rest, from: 0, limit: limits.maxChunkLineBytes, error: .invalidChunkSize)
                else { return (.needMore, consumed) }
                let size = try parseChunkSize(UnsafeBufferPointer(rebasing: rest[0..<lineEnd]))
                consumed += lineEnd + 2
                if size == 0 {
                    state = .trailers(scanned: 0, total: 0)
                } else {
                    guard body.count + size <= limits.maxBodyBytes else { throw .bodyTooLarge }
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let take = min(remaining, rest.count)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: rest[0..<take]))
                consumed += take
                if take < remaining {
                    state = .chunkData(remaining: remaining - take)
                    return (.needMore, consumed)
                }
                state = .chunkDataEnd

            case .chunkDataEnd:
                guard rest.count >= 2 else {
                    if rest.count == 1 && rest[0] != 13 { throw .invalidChunkTerminator }
                    return (.needMore, consumed)
                }
                guard rest[0] == 13, rest[1] == 10 else { throw .invalidChunkTerminator }
                consumed += 2
                state = .chunkSize

            case .trailers(let scanned, let total):
                // Trailer fields are read and discarded (RFC 9112 §7.1.2): we never merge them into headers.
                guard let lineEnd = try findLineEnd(rest, from: scanned, limit: limits.maxHeaderBytes - total, error: .headersTooLarge)
                else {
                    // Resume one byte back so a trailing CR is checked against the byte that follows it.
                    state = .trailers(scanned: max(0, rest.count - 1), total: total)
                    return (.needMore, consumed)
                }
                if lineEnd == 0 {
                    consumed += 2
                    return (finish(), consumed)
                }
                let line = UnsafeBufferPointer(rebasing: rest[0..<lineEnd])
                _ = try parseHeaderLine(line)
                consumed += lineEnd + 2
                state = .trailers(scanned: 0, total: total + lineEnd + 2)
            }
        }
    }

    private mutating func finish() -> Step {
        let done = Step.request(head!, body: body)
        head = nil
        body = []
        state = .head(HeadScan())
        return done
    }

    // MARK: - Head

    /// Parses a complete head, or returns nil (remembering how far it scanned) when it is not all there yet.
    ///
    /// The terminator search resumes where the previous call stopped, so a client trickling bytes costs
    /// linear work, not quadratic.
    private mutating func parseHead(_ bytes: UnsafeBufferPointer<UInt8>, scan: HeadScan) throws(HTTPParseError)
        -> (HTTPRequestHead, Int)?
    {
        var scan = scan
        var index = scan.scanned
        var end: Int? = nil
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 10 {
                guard index > 0, bytes[index - 1] == 13 else { throw .invalidLineEnding }
                if scan.firstLineEnd == nil {
                    // An empty first line was consumed by `parse` already; reaching one here means garbage.
                    if index == 1 { throw .malformedRequestLine }
                    scan.firstLineEnd = index - 1
                } else {
                    scan.lineCount += 1
                    if scan.lineCount > limits.maxHeaderCount { throw .tooManyHeaders }
                    if bytes[index - 2] == 10 {
                        end = index + 1
                        break
                    }
                }
            } else if byte == 13 {
                // A CR is judged by the byte after it: wait for that byte before scanning on (or counting the CR
                // against a limit), so the answer does not depend on where the stream was cut.
                guard index + 1 < bytes.count else { break }
                if bytes[index + 1] != 10 { throw .invalidLineEnding }
            }
            index += 1
            if let firstLineEnd = scan.firstLineEnd {
                if index - firstLineEnd > limits.maxHeaderBytes { throw .headersTooLarge }
            } else if index > limits.maxRequestLineBytes {
                throw .requestLineTooLong
            }
        }
        guard let end, let firstLineEnd = scan.firstLineEnd else {
            // Resume where the scan stopped (at a trailing CR, or after the last byte): scanning an LF again would
            // count its line twice.
            scan.scanned = index
            state = .head(scan)
            return nil
        }
        if firstLineEnd > limits.maxRequestLineBytes { throw .requestLineTooLong }

        let (method, target, minor) = try parseRequestLine(UnsafeBufferPointer(rebasing: bytes[0..<firstLineEnd]))
        var headers = HTTPHeaders()
        var lineStart = firstLineEnd + 2
        while lineStart < end - 2 {
            var lineEnd = lineStart
            while bytes[lineEnd] != 13 { lineEnd += 1 }
            let (name, value) = try parseHeaderLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
            headers.add(HTTPHeaders.Field(name: name, lowercasedName: HTTPRequestParser.asciiLowercase(name), value: value))
            lineStart = lineEnd + 2
        }
        let head = try interpret(method: method, target: target, minor: minor, headers: headers)
        state = .head(HeadScan())
        return (head, end)
    }

    private func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (String, String, Int) {
        guard let firstSpace = line.firstIndex(of: 32) else { throw .malformedRequestLine }
        guard let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 32) else { throw .malformedRequestLine }
        let methodBytes = line[0..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPRequestParser.isTokenByte) else { throw .malformedRequestLine }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 32 && $0 < 127 }) else { throw .malformedRequestLine }
        // "HTTP/" DIGIT "." DIGIT, exactly.
        let version = Array(versionBytes)
        guard version.count == 8, version[0..<5].elementsEqual("HTTP/".utf8), version[6] == 46,
            (48...57).contains(version[5]), (48...57).contains(version[7])
        else { throw .malformedRequestLine }
        guard version[5] == 49 else { throw .unsupportedVersion }
        let minor = Int(version[7] - 48)
        let method = String(decoding: methodBytes, as: UTF8.self)
        var target = String(decoding: targetBytes, as: UTF8.self)
        if target.first != "/" {
            if target == "*" && method == "OPTIONS" {
                // asterisk-form
            } else if let path = HTTPRequestParser.originForm(ofAbsolute: target) {
                target = path  // absolute-form (RFC 9112 §3.2.2): servers must accept it.
            } else {
                throw .malformedRequestLine
            }
        }
        return (method, target, minor)
    }

    private func parseHeaderLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first else { throw .headerWithoutColon }
        if first == 32 || first == 9 { throw .obsoleteLineFolding }
        guard let colon = line.firstIndex(of: 58) else { throw .headerWithoutColon }
        let name = line[0..<colon]
        // No whitespace between name and colon (RFC 9112 §5.1): a server MUST reject it with 400.
        guard !name.isEmpty, name.allSatisfy(HTTPRequestParser.isTokenByte) else { throw .invalidHeaderName }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9 { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        for byte in value where (byte < 32 && byte != 9) || byte == 127 { throw .invalidHeaderValue }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private func interpret(method: String, target: String, minor: Int, headers: HTTPHeaders) throws(HTTPParseError)
        -> HTTPRequestHead
    {
        // One pass over the fields for everything framing and connection handling depend on.
        var hostCount = 0
        var lengths: [String] = []
        var encodings: [String] = []
        var connection: [String] = []
        var expect: String? = nil
        var upgrade = false
        for field in headers {
            switch field.lowercasedName {
            case "host": hostCount += 1
            case "content-length": lengths.append(field.value)
            case "transfer-encoding": encodings.append(field.value)
            case "connection": connection.append(field.value)
            case "expect": expect = field.value
            case "upgrade": upgrade = true
            default: continue
            }
        }
        if hostCount > 1 { throw .duplicateHost }
        if minor >= 1 && hostCount == 0 { throw .missingHost }

        var framing = HTTPRequestHead.Framing.none
        if !encodings.isEmpty {
            if !lengths.isEmpty { throw .contentLengthWithTransferEncoding }
            if minor == 0 { throw .transferEncodingInHTTP10 }
            guard HTTPHeaders.tokens(encodings) == ["chunked"] else { throw .unknownTransferEncoding }
            framing = .chunked
        } else if !lengths.isEmpty {
            if lengths.count > 1 || lengths[0].contains(",") { throw .duplicateContentLength }
            let text = lengths[0]
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw .invalidContentLength }
            guard text.utf8.count <= 18, let length = Int(text) else { throw .bodyTooLarge }
            if length > limits.maxBodyBytes { throw .bodyTooLarge }
            if length > 0 { framing = .length(length) }
        }

        var expectContinue = false
        if let expect {
            guard expect.lowercased() == "100-continue" else { throw .unsupportedExpectation }
            expectContinue = minor >= 1
        }

        let connectionTokens = connection.isEmpty ? [] : HTTPHeaders.tokens(connection)
        let keepAlive = minor >= 1 ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        let wantsUpgrade = upgrade && connectionTokens.contains("upgrade")

        return HTTPRequestHead(
            method: method, target: target, versionMinor: minor, headers: headers, framing: framing,
            expectContinue: expectContinue && framing != .none, keepAlive: keepAlive, wantsUpgrade: wantsUpgrade)
    }

    // MARK: - Chunks

    private func parseChunkSize(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var digits = 0
        var index = 0
        while index < line.count, let digit = HTTPRequestParser.hexDigit(line[index]) {
            // 15 hex digits is already far past any body limit; more would overflow Int.
            guard digits < 15 else { throw .invalidChunkSize }
            size = size << 4 | Int(digit)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw .invalidChunkSize }
        if index < line.count {
            // chunk-ext: BWS ";" … — extensions are accepted and ignored, but must be printable.
            var rest = index
            while rest < line.count, line[rest] == 32 || line[rest] == 9 { rest += 1 }
            guard rest < line.count, line[rest] == 59 else { throw .invalidChunkSize }
            for byte in line[rest...] where (byte < 32 && byte != 9) || byte == 127 { throw .invalidChunkSize }
        }
        if size > limits.maxBodyBytes { throw .bodyTooLarge }
        return size
    }

    /// The offset of the CR of the next CRLF at or after `from`, nil if not yet there; throws on a bare LF/CR or
    /// when the line exceeds `limit`.
    private func findLineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, limit: Int, error: HTTPParseError)
        throws(HTTPParseError) -> Int?
    {
        var index = from
        while index < bytes.count {
            if bytes[index] == 10 { throw .invalidLineEnding }
            if bytes[index] == 13 {
                guard index + 1 < bytes.count else { return nil }
                guard bytes[index + 1] == 10 else { throw .invalidLineEnding }
                return index
            }
            index += 1
            if index > limit { throw error }
        }
        return nil
    }
}
