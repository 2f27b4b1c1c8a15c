import HTTPCore

/// The parsed head of a request, before its body.
public struct HTTPRequestHead: Sendable {
    public enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
    }

    public var method: String
    public var target: String
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var framing: Framing
    /// The client waits for `100 Continue` before sending the body.
    public var expectContinue: Bool
    /// Whether the connection may be reused after this request (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// `Upgrade: websocket` with `Connection: upgrade`.
    public var wantsUpgrade: Bool
}

/// Limits on what one request may contain.
public struct HTTPParserLimits: Sendable {
    public var maxRequestLineBytes: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxBodyBytes: Int
    public var maxChunkLineBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 32 * 1024, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1 << 20, maxChunkLineBytes: Int = 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}
