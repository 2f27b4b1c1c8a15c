import CLinux
import Foundation
import JSONCore
import Glibc
import Support

/// One event-loop thread: an epoll set, a wake-up eventfd, the connections it owns, and a queue of tasks
/// other threads hand it. Everything on a loop's connections happens on its thread.
final class EventLoop: @unchecked Sendable {
    static let listenerToken: UInt64 = 0
    static let wakeToken: UInt64 = 1

    let index: Int
    /// The server owns its loops and joins them before it goes, so the reference needs no runtime check.
    unowned(unsafe) let server: HTTPServer
    private let epoll: Int32
    private let wake: Int32
    private let pending = LockedValue<[@Sendable () -> Void]>([])
    private var thread: Thread?
    private let finished = Condition()
    private var hasFinished = false

    // Loop-thread state.
    private(set) var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64
    private var running = true
    private var listening = false
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private(set) var date = ""
    private var dateSecond = 0
    private var lastTick = 0.0
    private var requestCounters: [CounterKey: Counter] = [:]
    private var latencies: [String: Histogram] = [:]
    private var requestSerial: UInt64 = 0
    private let requestPrefix: String

    init(index: Int, server: HTTPServer) throws(SystemError) {
        self.index = index
        self.server = server
        nextID = UInt64(index + 1) << 48 + 2
        // Request ids: a per-process random part, the loop, and a counter — unique, cheap, and sortable within a loop.
        requestPrefix = "req_" + String(UInt64.random(in: 1 << 40..<1 << 41), radix: 36) + String(index, radix: 36) + "_"
        epoll = try Syscall.check("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            wake = try Syscall.check("eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
        } catch {
            Glibc.close(epoll)
            throw error
        }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: EventLoop.wakeToken))
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event)
        refreshDate()
    }

    deinit {
        Glibc.close(wake)
        Glibc.close(epoll)
        scratch.deallocate()
    }

    // MARK: - Lifecycle

    func start(listener: Int32) {
        execute { [self] in
            var event = epoll_event(events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, data: epoll_data_t(u64: EventLoop.listenerToken))
            if epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) == 0 { listening = true }
        }
        let thread = Thread(named: "http-loop-\(index)") { [self] in run() }
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Hands `task` to the loop thread (from any thread).
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = pending.withLock { queue -> Bool in
            queue.append(task)
            return queue.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = Glibc.write(wake, &one, 8)
        }
    }

    /// Waits until the loop thread has exited.
    func join() {
        finished.withLock { while !hasFinished { finished.wait(timeoutNanoseconds: 100_000_000) } }
    }

    // MARK: - The loop

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while running {
            let count = epoll_wait(epoll, events, Int32(capacity), 250)
            if count < 0 && errno != EINTR {
                server.logger.error("epoll_wait failed", ["errno": .int(Int64(errno))])
                break
            }
            refreshDate()
            for offset in 0..<Int(max(0, count)) {
                let event = events[offset]
                switch event.data.u64 {
                case EventLoop.listenerToken: acceptConnections()
                case EventLoop.wakeToken:
                    var value: UInt64 = 0
                    _ = Glibc.read(wake, &value, 8)
                default:
                    guard let connection = connections[event.data.u64] else { continue }
                    connection.handle(events: event.events)
                }
            }
            runPending()
            let now = Monotonic.seconds()
            if now - lastTick >= 0.5 {
                lastTick = now
                for connection in Array(connections.values) { connection.tick(now: now) }
            }
        }
        for connection in Array(connections.values) { connection.close() }
        finished.withLock {
            hasFinished = true
            finished.broadcast()
        }
    }

    private func runPending() {
        while true {
            let tasks = pending.withLock { queue -> [@Sendable () -> Void] in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            if tasks.isEmpty { return }
            for task in tasks { task() }
        }
    }

    private func refreshDate() {
        let second = Int(Glibc.time(nil))
        if second != dateSecond {
            dateSecond = second
            date = Timestamp.httpDate(second)
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        guard listening, let listener = server.listenerDescriptor else { return }
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    clinux_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE {
                    server.logger.warning("accept: out of file descriptors", ["errno": .int(Int64(code))])
                }
                return  // EAGAIN: nothing more to accept now.
            }
            guard server.reserveConnectionSlot() else {
                Glibc.close(fd)  // Over the connection limit: refuse rather than degrade everyone.
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let id = nextID
            nextID += 1
            let connection = Connection(id: id, descriptor: fd, remote: SocketAddress.describe(storage), loop: self)
            connections[id] = connection
            var event = epoll_event(events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, data: epoll_data_t(u64: id))
            if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 {
                connection.close()
            }
        }
    }

    // MARK: - Connection plumbing

    func modify(_ connection: Connection, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(u64: connection.id))
        _ = epoll_ctl(epoll, EPOLL_CTL_MOD, connection.descriptor, &event)
    }

    func remove(_ connection: Connection) {
        connections[connection.id] = nil
        server.releaseConnectionSlot()
    }

    func connection(_ id: UInt64) -> Connection? { connections[id] }

    /// A new request id (loop thread only).
    func mintRequestID() -> String {
        requestSerial += 1
        return requestPrefix + String(requestSerial, radix: 36)
    }

    private struct CounterKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// The per-loop cache of request counters (one registry lookup per label set, then no shared lock here).
    func requestCounter(method: String, route: String, status: Int) -> Counter {
        let key = CounterKey(method: method, route: route, status: status)
        if let counter = requestCounters[key] { return counter }
        let counter = server.metrics.requestCounter(method: method, route: route, status: status)
        requestCounters[key] = counter
        return counter
    }

    /// The per-loop cache of latency histograms.
    func latency(route: String) -> Histogram {
        if let histogram = latencies[route] { return histogram }
        let histogram = server.metrics.latency(route: route)
        latencies[route] = histogram
        return histogram
    }

    // MARK: - Shutdown

    /// Stops accepting; closes idle connections and lets busy ones finish their current request.
    func beginShutdown() {
        execute { [self] in
            if listening, let listener = server.listenerDescriptor {
                var event = epoll_event()
                _ = epoll_ctl(epoll, EPOLL_CTL_DEL, listener, &event)
                listening = false
            }
            for connection in Array(connections.values) { connection.shutdownGracefully() }
        }
    }

    /// Ends the loop; remaining connections are closed.
    func stop() {
        execute { [self] in running = false }
    }
}
