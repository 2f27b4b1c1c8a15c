import Support

/// What a connection's writers from other threads share — a streaming body's and an upgraded protocol's: every
/// call hops to the connection's loop; queued bytes are counted (producers pause on `bufferedBytes`); once the
/// connection closes, writes are refused and the close handlers run.
class ConnectionWriter: @unchecked Sendable {
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

    /// Counts `bytes` as queued and hands them to the connection on its loop; false once closed.
    func enqueue(_ bytes: [UInt8], _ deliver: @escaping @Sendable (Connection, [UInt8]) -> Void) -> Bool {
        let open = state.withLock { state -> Bool in
            if state.open { state.buffered += bytes.count }
            return state.open
        }
        guard open else { return false }
        onConnection { deliver($0, bytes) }
        return true
    }

    /// Runs `body` with the connection on its loop, if it is still there.
    func onConnection(_ body: @escaping @Sendable (Connection) -> Void) {
        let id = connectionID
        loop.execute { [loop] in
            if let connection = loop.connection(id) { body(connection) }
        }
    }

    var bufferedBytes: Int { state.withLock { $0.buffered } }

    func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.open { state.onClose.append(handler) }
            return !state.open
        }
        if runNow { handler() }
    }

    /// Loop thread: the connection's output now holds `count` unwritten bytes.
    func setBuffered(_ count: Int) { state.withLock { $0.buffered = count } }

    /// Refuses further writes and runs the close handlers (once); true if it was still open.
    @discardableResult
    func closed() -> Bool {
        let (wasOpen, handlers) = state.withLock { state -> (Bool, [@Sendable () -> Void]) in
            guard state.open else { return (false, []) }
            state.open = false
            defer { state.onClose = [] }
            return (true, state.onClose)
        }
        for handler in handlers { handler() }
        return wasOpen
    }
}
