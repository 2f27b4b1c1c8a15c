import JSONCore

/// An HTTP response built by a handler. The server adds `Date`, `Content-Length` and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: HTTPBody

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), stream: any ResponseStream) {
        self.status = status
        self.headers = headers
        self.body = .stream(stream)
    }

    /// `101 Switching Protocols`: after the head, the connection belongs to `upgrade`.
    public init(switchingProtocols headers: HTTPHeaders, to upgrade: any ConnectionUpgrade) {
        self.status = 101
        self.headers = headers
        self.body = .upgrade(upgrade)
    }

    /// A JSON response (`application/json`).
    public static func json(_ value: JSON, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers, body: value.bytes)
        response.headers.set("Content-Type", "application/json")
        return response
    }

    /// A plain-text response.
    public static func text(_ value: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(value.utf8))
    }

    /// The bytes of a fixed body (empty for streams).
    public var bodyBytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }
}

/// A fixed body, a stream written over time (Server-Sent Events) with chunked encoding, or — with status 101 —
/// the protocol the connection switches to.
public enum HTTPBody: Sendable {
    case bytes([UInt8])
    case stream(any ResponseStream)
    case upgrade(any ConnectionUpgrade)
}

/// A response body produced over time. The server calls `start` once the head is written; the stream writes
/// through the writer from any thread until it finishes or the client goes away.
public protocol ResponseStream: Sendable {
    func start(_ writer: any ResponseStreamWriter)
}

/// The server side of a streaming response.
public protocol ResponseStreamWriter: Sendable {
    /// Queues bytes for the client. Returns false once the connection is gone (stop producing).
    @discardableResult func write(_ bytes: [UInt8]) -> Bool
    /// Bytes queued but not yet taken by the kernel: producers pause above their own bound.
    var bufferedBytes: Int { get }
    /// Ends the body; the connection then goes on (or closes).
    func finish()
    /// Called (once, on the server's thread) when the client disconnects or the server stops.
    func onClose(_ handler: @escaping @Sendable () -> Void)
}

/// The reason phrases of the status codes we send (RFC 9110 §15).
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
