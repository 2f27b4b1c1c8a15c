import HTTPCore
import Support

/// The channel an upgraded connection's protocol writes through, from any thread; every call hops to the loop.
final class UpgradeChannel: UpgradedChannel, @unchecked Sendable {
    private let loop: EventLoop
    private let connectionID: UInt64
    private struct State {
        var buffered = 0
        var open = true
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
        loop.execute { [loop] in loop.connection(id)?.writeUpgraded(bytes) }
        return true
    }

    var bufferedBytes: Int { state.withLock { $0.buffered } }

    func setReading(_ reading: Bool) {
        let id = connectionID
        loop.execute { [loop] in loop.connection(id)?.setUpgradedReading(reading) }
    }

    func close() {
        guard state.withLock({ state -> Bool in defer { state.open = false }; return state.open }) else { return }
        let id = connectionID
        loop.execute { [loop] in loop.connection(id)?.closeUpgraded() }
    }

    /// Loop thread: the connection's output now holds `count` unwritten bytes.
    func setBuffered(_ count: Int) { state.withLock { $0.buffered = count } }

    /// Loop thread: the connection is gone.
    func closed() { state.withLock { $0.open = false } }
}
