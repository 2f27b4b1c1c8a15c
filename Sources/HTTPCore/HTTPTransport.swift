import Foundation

/// An outbound HTTP call as adapters describe it: no I/O, just values.
public struct TransportRequest: Sendable, Equatable {
    public var method: String
    /// Absolute URL, path already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    /// nil means no body; DELETE may carry one (waxum needs it).
    public var body: [UInt8]?
    /// Overall deadline for the call, connect included.
    public var timeout: TimeInterval
    /// An IP address to connect to instead of resolving the URL's host again: outbound webhook targets are checked
    /// against the address policy once and then pinned, so a DNS answer cannot change between check and connect.
    public var connectTo: String?
    /// The request must reach the server at most once (POST, PATCH: a second copy could be a second message).
    /// On a reused connection that dies before any answer, libcurl sends a request again on a new connection
    /// (it cannot tell a server that closed an idle connection from one that took the request and crashed; see
    /// curl/curl#18417); for these calls the transport refuses, and the call fails as `connectionReset` (outcome
    /// unknown) instead. Connections are still reused.
    public var sendOnce: Bool

    public init(
        method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil, timeout: TimeInterval = 30, connectTo: String? = nil,
        sendOnce: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTo = connectTo
        self.sendOnce = sendOnce
    }

    public static func == (lhs: TransportRequest, rhs: TransportRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.headers.fields == rhs.headers.fields
    }
}

/// What came back.
public struct TransportResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a call produced no response. `timeout` and `connectionReset` after sending leave the outcome unknown.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The deadline passed after connecting: the provider may or may not have acted.
        case timeout
        /// No connection within the connect timeout: the request was never sent.
        case connectTimeout = "connect_timeout"
        /// Nothing listens there.
        case connectionRefused = "connection_refused"
        /// The connection broke mid-call: the provider may or may not have acted.
        case connectionReset = "connection_reset"
        case dnsFailure = "dns_failure"
        case tls
        /// The response was larger than allowed.
        case responseTooLarge = "response_too_large"
        /// The provider tried to redirect us; we don't follow.
        case redirect
        case invalidRequest = "invalid_request"
        case other
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// True when the provider may have received and acted on the request.
    public var outcomeUnknown: Bool { kind == .timeout || kind == .connectionReset || kind == .other }
}

/// The one method adapters call to reach a provider. Implementations: libcurl, fixture replay, test scripts.
public protocol HTTPTransport: Sendable {
    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse
}

/// Calls made one after another on the caller's own thread, the connection kept from one to the next. For a caller
/// that sends strictly in order (webhook deliveries to one subscriber), this saves the two thread hand-offs of
/// every `send`. `send` blocks: never call it from a task on the cooperative pool. One call at a time per lane.
public protocol TransportLane: AnyObject, Sendable {
    func send(_ request: TransportRequest) -> Result<TransportResponse, TransportError>
}

/// A transport that can also open lanes.
public protocol LaneTransport: HTTPTransport {
    func makeLane() -> any TransportLane
}
