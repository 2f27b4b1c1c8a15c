import HTTPCore
import Support

/// The writer a streaming response body writes through, from any thread; every write hops to the loop.
final class StreamWriter: ResponseStreamWriter, @unchecked Sendable {
    private let loop: EventLoop
    private let connectionID: UInt64
    private struct State {
        var buffered = 0
        var open = true
        var onClose: [@Sendable () -> Void] = []
    }
    private let state = LockedValue(State())

    init(loop: EventLoop, connectionID: UInt64) {
        self.loop = loop
        self.connectionID = connectionID
    }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        let open = state.withLock { state -> Bool in
            if state.open { state.buffered += bytes.count }
            return state.open
        }
        guard open else { return false }
        let id = connectionID
        loop.execute { [loop] in loop.connection(id)?.writeStream(bytes) }
        return true
    }

    var bufferedBytes: Int { state.withLock { $0.buffered } }

    func finish() {
        let id = connectionID
        loop.execute { [loop] in loop.connection(id)?.finishStream() }
    }

    func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.open { state.onClose.append(handler) }
            return !state.open
        }
        if runNow { handler() }
    }

    /// Loop thread: the connection's output now holds `count` unwritten bytes.
    func setBuffered(_ count: Int) { state.withLock { $0.buffered = count } }

    /// Loop thread: the stream ended or the connection closed.
    func closed() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard state.open else { return [] }
            state.open = false
            defer { state.onClose = [] }
            return state.onClose
        }
        for handler in handlers { handler() }
    }
}
