import Dispatch
import HTTPCore
import Support

/// How one subscriber's worker reaches the network, from the thread that sends its batch: through a transport
/// lane when the transport has them (libcurl: blocking calls, the connection kept), otherwise through the
/// transport's async `send`, waited for on that thread (test transports). Made per worker; the lane itself is
/// opened at the first attempt, so a gateway whose subscribers have nothing to deliver starts no libcurl.
final class DeliveryLane: @unchecked Sendable {
    private let transport: any HTTPTransport
    private var lane: (any TransportLane)?

    init(_ transport: any HTTPTransport) { self.transport = transport }

    /// Blocks until the call ends. One call at a time (a worker sends one batch at a time).
    func send(_ request: TransportRequest) -> Result<TransportResponse, TransportError> {
        if let opener = transport as? any LaneTransport {
            let lane = self.lane ?? opener.makeLane()
            self.lane = lane
            return lane.send(request)
        }
        let done = DispatchSemaphore(value: 0)
        let result = LockedValue<Result<TransportResponse, TransportError>?>(nil)
        Task.detached { [transport] in
            do throws(TransportError) {
                result.set(.success(try await transport.send(request)))
            } catch {
                result.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return result.get()!
    }
}
