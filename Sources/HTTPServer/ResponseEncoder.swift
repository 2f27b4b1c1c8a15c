import HTTPCore

/// Writes response heads (RFC 9112 §4): status line, the handler's headers, then `Date`, `Content-Length` or
/// `Transfer-Encoding`, and `Connection` as the server decides.
enum ResponseEncoder {
    static func encode(
        _ response: HTTPResponse, headOnly: Bool, keepAlive: Bool, versionMinor: Int, date: String, requestId: String?,
        into out: inout [UInt8]
    ) {
        appendHead(response.status, response.headers, date: date, requestId: requestId, into: &out)
        switch response.body {
        case .bytes(let body):
            // 1xx and 204 carry no Content-Length (RFC 9110 §8.6).
            if response.status != 204 && response.status >= 200 {
                out.append(contentsOf: "Content-Length: ".utf8)
                out.append(contentsOf: String(body.count).utf8)
                out.append(contentsOf: [13, 10])
            }
            appendConnection(keepAlive: keepAlive, versionMinor: versionMinor, into: &out)
            out.append(contentsOf: [13, 10])
            if !headOnly { out.append(contentsOf: body) }
        case .upgrade:
            // Only a 101 switches protocols (encodeUpgrade); anything else with this body is answered empty.
            appendHeader("Content-Length", "0", into: &out)
            appendConnection(keepAlive: keepAlive, versionMinor: versionMinor, into: &out)
            out.append(contentsOf: [13, 10])
        case .stream:
            appendHeader("Transfer-Encoding", "chunked", into: &out)
            appendConnection(keepAlive: keepAlive, versionMinor: versionMinor, into: &out)
            out.append(contentsOf: [13, 10])
        }
    }

    /// The head of a `101 Switching Protocols`: no framing headers, `Connection: Upgrade` (RFC 9110 §7.8).
    static func encodeUpgrade(_ response: HTTPResponse, date: String, into out: inout [UInt8]) {
        appendHead(response.status, response.headers, date: date, requestId: nil, into: &out)
        appendHeader("Connection", "Upgrade", into: &out)
        out.append(contentsOf: [13, 10])
    }

    private static func appendHead(_ status: Int, _ headers: HTTPHeaders, date: String, requestId: String?, into out: inout [UInt8]) {
        if let line = statusLines[status] {
            out.append(contentsOf: line)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n".utf8)
        }
        for field in headers {
            switch field.lowercasedName {
            case "content-length", "transfer-encoding", "connection", "date": continue  // ours to set
            default: appendHeader(field.name, field.value, into: &out)
            }
        }
        appendHeader("Date", date, into: &out)
        if let requestId { appendHeader("X-Request-Id", requestId, into: &out) }
    }

    private static func appendConnection(keepAlive: Bool, versionMinor: Int, into out: inout [UInt8]) {
        if !keepAlive {
            appendHeader("Connection", "close", into: &out)
        } else if versionMinor == 0 {
            appendHeader("Connection", "keep-alive", into: &out)
        }
    }

    static func appendHeader(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: [58, 32])
        // Header values from handlers never carry CR or LF: response splitting is impossible by construction.
        for byte in value.utf8 where byte != 13 && byte != 10 { out.append(byte) }
        out.append(contentsOf: [13, 10])
    }

    /// One chunk of a chunked body.
    static func chunk(_ bytes: [UInt8], into out: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        out.append(contentsOf: String(bytes.count, radix: 16).utf8)
        out.append(contentsOf: [13, 10])
        out.append(contentsOf: bytes)
        out.append(contentsOf: [13, 10])
    }

    private static let statusLines: [Int: [UInt8]] = Dictionary(
        uniqueKeysWithValues: [100, 101, 200, 201, 202, 204, 400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 501, 502, 503, 504].map {
            ($0, Array("HTTP/1.1 \($0) \(HTTPStatus.reason($0))\r\n".utf8))
        })

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}
