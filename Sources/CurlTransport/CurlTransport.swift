internal import CCurl
import Foundation
import Glibc
import HTTPCore
import Support

/// `HTTPTransport` over libcurl's multi interface: one thread drives every transfer, so connections are reused
/// across calls (the multi handle keeps the connection cache). Each call has a connect timeout and an overall
/// deadline; redirects are never followed (a 3xx comes back as the response); request and response sizes are
/// capped; DELETE may carry a body. Failures are typed `TransportError`s.
public final class CurlTransport: LaneTransport, @unchecked Sendable {
    public struct Options: Sendable {
        public var connectTimeout: Double
        public var maxResponseBytes: Int
        public var maxRequestBytes: Int
        public var maxConnectionsPerHost: Int
        public var userAgent: String
        /// A pooled connection idle for more than this many whole seconds (libcurl counts whole seconds, so with 1:
        /// idle 2 s or more) is closed rather than reused. Servers drop idle connections (gunicorn after 2 s, Node,
        /// uvicorn and Apache after 5 s), and one dropped just as a request goes out fails a `sendOnce` call with
        /// an unknown outcome.
        public var maxIdleSeconds: Int

        public init(
            connectTimeout: Double = 5, maxResponseBytes: Int = 16 << 20, maxRequestBytes: Int = 16 << 20, maxConnectionsPerHost: Int = 32,
            userAgent: String = "switchboard", maxIdleSeconds: Int = 1
        ) {
            self.connectTimeout = connectTimeout
            self.maxResponseBytes = maxResponseBytes
            self.maxRequestBytes = maxRequestBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.userAgent = userAgent
            self.maxIdleSeconds = maxIdleSeconds
        }

        /// Why `request` is not sent at all, if it is over a limit.
        func refusal(of request: TransportRequest) -> TransportError? {
            guard let body = request.body, body.count > maxRequestBytes else { return nil }
            return TransportError(.invalidRequest, "request body of \(body.count) bytes is over the \(maxRequestBytes)-byte limit")
        }
    }

    private let options: Options
    private let multi: UnsafeMutableRawPointer
    private let pending = LockedValue<[Transfer]>([])
    private let stopping = LockedValue(false)
    private let finished = Condition()
    private var threadDone = false
    private let started = Condition()
    private var ready = false
    /// New connections opened, for tests and metrics (reuse keeps this low).
    public let connectionsOpened = LockedValue(0)

    public init(options: Options = Options()) {
        CurlTransport.setUpLibcurl()
        self.options = options
        multi = curl_multi_init()
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.maxConnectionsPerHost)
        // The connection cache: libcurl's default is sized from the handles currently added, and we remove each
        // handle when its transfer ends, so idle connections would be closed instead of reused.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(256, options.maxConnectionsPerHost * 4))
        let thread = Thread(named: "curl") { [self] in run() }
        thread.start()
        // The wake-up pipe exists once the thread is running.
        started.withLock { while !ready { started.wait(timeoutNanoseconds: 10_000_000) } }
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// libcurl's global state, set up once per process.
    private static let global: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
    static func setUpLibcurl() { _ = global }

    /// Stops the transfer thread; calls in flight fail with `other`.
    public func shutdown() {
        stopping.set(true)
        wake()
        finished.withLock { while !threadDone { finished.wait(timeoutNanoseconds: 100_000_000) } }
    }

    // MARK: - HTTPTransport

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        if let refusal = options.refusal(of: request) { throw refusal }
        let result: Result<TransportResponse, TransportError> = await withCheckedContinuation { continuation in
            let transfer = Transfer(request: request, maxResponseBytes: options.maxResponseBytes) { continuation.resume(returning: $0) }
            guard !stopping.get() else {
                transfer.complete(.failure(TransportError(.other, "the transport is shut down")))
                return
            }
            pending.withLock { $0.append(transfer) }
            wake()
        }
        return try result.get()
    }

    public func makeLane() -> any TransportLane { CurlLane(options: options) }

    // MARK: - The transfer thread

    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// Sockets libcurl asked us to watch, and for what (`poll` events).
    private var watched: [Int32: Int16] = [:]
    /// When libcurl wants `socket_action(TIMEOUT)`, in monotonic nanoseconds; nil when it has no timer.
    private var timerDeadline: UInt64?
    /// A pipe whose read end is polled too: writing a byte wakes the thread for new transfers or shutdown.
    private var wakePipe: (read: Int32, write: Int32) = (-1, -1)

    /// Drives libcurl's socket interface: `poll()` waits on exactly the sockets libcurl registered, and
    /// `socket_action` advances only the transfer whose socket is ready — unlike `curl_multi_perform`, which
    /// walks every transfer on every wake-up.
    private func run() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        wakePipe = (fds[0], fds[1])
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_multi_set_socket_function(multi, CurlTransport.onSocket)
        _ = ccurl_multi_set_socket_data(multi, me)
        _ = ccurl_multi_set_timer_function(multi, CurlTransport.onTimer)
        _ = ccurl_multi_set_timer_data(multi, me)
        started.withLock {
            ready = true
            started.broadcast()
        }
        var running: Int32 = 0
        var polls: [pollfd] = []
        while !stopping.get() {
            for transfer in pending.withLock({ queue -> [Transfer] in defer { queue.removeAll() }; return queue }) { start(transfer) }
            polls.removeAll(keepingCapacity: true)
            polls.append(pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0))
            for (fd, events) in watched { polls.append(pollfd(fd: fd, events: events, revents: 0)) }
            var timeout: Int32 = 1000
            if let deadline = timerDeadline {
                let now = Monotonic.nanoseconds()
                timeout = deadline <= now ? 0 : Int32(min(1000, (deadline - now + 999_999) / 1_000_000))
            }
            let count = poll(&polls, nfds_t(polls.count), timeout)
            if count < 0 && errno != EINTR { break }
            if polls[0].revents != 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wakePipe.read, &sink, sink.count) > 0 {}
            }
            for entry in polls.dropFirst() where entry.revents != 0 {
                var flags: Int32 = 0
                if entry.revents & Int16(POLLIN | POLLHUP) != 0 { flags |= CURL_CSELECT_IN }
                if entry.revents & Int16(POLLOUT) != 0 { flags |= CURL_CSELECT_OUT }
                if entry.revents & Int16(POLLERR) != 0 { flags |= CURL_CSELECT_ERR }
                curl_multi_socket_action(multi, entry.fd, flags, &running)
            }
            if let deadline = timerDeadline, deadline <= Monotonic.nanoseconds() {
                timerDeadline = nil
                curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
            }
            collectFinished()
        }
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            transfer.complete(.failure(TransportError(.other, "the transport shut down during the call")))
        }
        for transfer in pending.withLock({ $0 }) { transfer.complete(.failure(TransportError(.other, "the transport is shut down"))) }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        active = [:]
        idleHandles = []
        close(wakePipe.read)
        close(wakePipe.write)
        finished.withLock {
            threadDone = true
            finished.broadcast()
        }
    }

    /// Wakes the transfer thread (from any thread).
    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    private static let onSocket: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = {
        _, fd, what, user, _ in
        let transport = Unmanaged<CurlTransport>.fromOpaque(user!).takeUnretainedValue()
        switch what {
        case CURL_POLL_REMOVE: transport.watched[fd] = nil
        case CURL_POLL_IN: transport.watched[fd] = Int16(POLLIN)
        case CURL_POLL_OUT: transport.watched[fd] = Int16(POLLOUT)
        case CURL_POLL_INOUT: transport.watched[fd] = Int16(POLLIN | POLLOUT)
        default: break
        }
        return 0
    }

    private static let onTimer: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Int32 = { _, milliseconds, user in
        let transport = Unmanaged<CurlTransport>.fromOpaque(user!).takeUnretainedValue()
        transport.timerDeadline = milliseconds < 0 ? nil : Monotonic.nanoseconds() + UInt64(milliseconds) * 1_000_000
        return 0
    }

    private func start(_ transfer: Transfer) {
        let handle: UnsafeMutableRawPointer
        if let reused = idleHandles.popLast() {
            curl_easy_reset(reused)
            handle = reused
        } else {
            guard let created = curl_easy_init() else {
                transfer.complete(.failure(TransportError(.other, "curl_easy_init failed")))
                return
            }
            handle = created
        }
        if let error = transfer.configure(handle, options: options) {
            idleHandles.append(handle)
            transfer.complete(.failure(error))
            return
        }
        active[handle] = transfer
        curl_multi_add_handle(multi, handle)
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard ccurl_msg_done(message) != 0, let handle = ccurl_msg_handle(message), let transfer = active.removeValue(forKey: handle) else { continue }
            let code = ccurl_msg_result(message)
            var connects: Int = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
            if connects > 0 { connectionsOpened.withLock { $0 += connects } }
            let result = transfer.finish(handle, code: code)
            curl_multi_remove_handle(multi, handle)
            transfer.release()
            idleHandles.append(handle)
            transfer.complete(result)
        }
    }
}
