import HTTPCore

/// How one subscriber's worker reaches the network, from the thread that sends its batch: a transport lane
/// (libcurl: blocking calls, the connection kept), opened at the first attempt, so a gateway whose subscribers
/// have nothing to deliver starts no libcurl. One call at a time (a worker sends one batch at a time).
final class DeliveryLane: @unchecked Sendable {
    private let transport: any LaneTransport
    private var lane: (any TransportLane)?

    init(_ transport: any LaneTransport) { self.transport = transport }

    /// Blocks until the call ends.
    func send(_ request: TransportRequest) -> Result<TransportResponse, TransportError> {
        let lane = self.lane ?? transport.makeLane()
        self.lane = lane
        return lane.send(request)
    }
}
