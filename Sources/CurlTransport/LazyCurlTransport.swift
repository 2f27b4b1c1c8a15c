import HTTPCore
import Support

/// A `CurlTransport` made on first use. A gateway whose sessions are all native and that has no webhook
/// subscriber never calls out, so it never initialises libcurl (and OpenSSL's configuration through it) nor
/// starts a transfer thread: the idle process stays small.
public final class LazyCurlTransport: LaneTransport {
    private let options: CurlTransport.Options
    private let state = LockedValue<(transport: CurlTransport?, shutDown: Bool)>((nil, false))

    public init(options: CurlTransport.Options = CurlTransport.Options()) { self.options = options }

    /// Whether the underlying transport exists yet (for tests).
    public var isStarted: Bool { state.withLock { $0.transport != nil } }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let transport = state.withLock { state -> CurlTransport? in
            guard !state.shutDown else { return nil }
            if state.transport == nil { state.transport = CurlTransport(options: options) }
            return state.transport
        }
        guard let transport else { throw TransportError(.other, "the transport is shut down") }
        return try await transport.send(request)
    }

    /// A lane needs no transfer thread: it is made at once. `shutdown` does not reach lanes; their owners stop
    /// using them first (the webhook dispatcher stops before the gateway shuts its transport down).
    public func makeLane() -> any TransportLane { CurlLane(options: options) }

    /// Stops the transport if it was started; later calls fail with `other`, as `CurlTransport`'s do.
    public func shutdown() {
        let started = state.withLock { state -> CurlTransport? in
            state.shutDown = true
            return state.transport
        }
        started?.shutdown()
    }
}
