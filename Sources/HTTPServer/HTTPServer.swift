import Foundation
import Glibc
import HTTPCore
import Support

/// An HTTP/1.1 server on non-blocking sockets and epoll: a fixed set of event-loop threads sharing one
/// listening socket (`EPOLLEXCLUSIVE`), keep-alive and pipelining, bounded everything, graceful shutdown.
public final class HTTPServer: @unchecked Sendable {
    public let configuration: ServerConfiguration
    public let router: Router
    let logger: Logger
    let metrics: ServerMetrics
    private let renderError: @Sendable (any Error, String) -> HTTPResponse
    private var loops: [EventLoop] = []
    private var listener: ListeningSocket?
    private let connectionCount = LockedValue(0)
    private let shuttingDown = LockedValue(false)
    private let accessLog: Bool

    /// - Parameters:
    ///   - renderError: turns any error a handler throws (and `HTTPParseError`, `RoutingError`, timeouts) into a
    ///     response; the second argument is the request id.
    ///   - accessLog: one log line per request (method, route, status, duration, request id).
    public init(
        configuration: ServerConfiguration, router: Router, logger: Logger, metrics: MetricsRegistry,
        accessLog: Bool = true, renderError: @escaping @Sendable (any Error, String) -> HTTPResponse
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.metrics = ServerMetrics(registry: metrics)
        self.renderError = renderError
        self.accessLog = accessLog
    }

    /// The bound port (useful with port 0); nil before `start`.
    public private(set) var port: Int?

    var listenerDescriptor: Int32? { listener?.descriptor }
    var isShuttingDown: Bool { shuttingDown.get() }

    /// Binds, starts the loops, and returns once the socket is listening.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        Self.raiseFileLimit()
        let socket = try ListeningSocket(host: configuration.host, port: configuration.port)
        listener = socket
        port = socket.port
        do {
            for index in 0..<configuration.eventLoops { loops.append(try EventLoop(index: index, server: self)) }
        } catch {
            socket.close()
            throw error
        }
        for loop in loops { loop.start(listener: socket.descriptor) }
    }

    /// Graceful stop: stop accepting, let in-flight requests finish for up to `shutdownGrace` seconds, then
    /// close whatever is left and join the loop threads.
    public func stop() {
        guard !shuttingDown.withLock({ state -> Bool in defer { state = true }; return state }) else { return }
        for loop in loops { loop.beginShutdown() }
        let deadline = Monotonic.seconds() + configuration.shutdownGrace
        while connectionCount.get() > 0 && Monotonic.seconds() < deadline { usleep(20_000) }
        let remaining = connectionCount.get()
        if remaining > 0 { logger.warning("shutdown grace period over; closing connections", ["connections": .int(Int64(remaining))]) }
        for loop in loops { loop.stop() }
        for loop in loops { loop.join() }
        listener?.close()
        listener = nil
    }

    // MARK: - Used by loops and connections

    func reserveConnectionSlot() -> Bool {
        connectionCount.withLock { count -> Bool in
            guard count < configuration.maxConnections else { return false }
            count += 1
            return true
        }
    }

    func releaseConnectionSlot() { connectionCount.withLock { $0 -= 1 } }

    func render(_ error: any Error, requestId: String) -> HTTPResponse { renderError(error, requestId) }

    /// One log line and the metrics of a finished request.
    func record(_ exchange: Exchange, route: String?, status: Int, loop: EventLoop, disconnected: Bool) {
        let seconds = Double(Monotonic.nanoseconds() - exchange.started) / 1e9
        let routeLabel = route ?? "unmatched"
        loop.requestCounter(method: exchange.method, route: routeLabel, status: status).increment()
        loop.latency(route: routeLabel).observe(seconds)
        guard accessLog else { return }
        var fields: JSONObject = [
            "method": .string(exchange.method), "route": .string(route), "status": .int(Int64(status)),
            "durationMs": .double((seconds * 1e6).rounded() / 1e3), "requestId": .string(exchange.requestId),
        ]
        if disconnected { fields["clientGone"] = .bool(true) }
        logger.info("request", fields)
    }

    private static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

import JSONCore

/// The server's own metrics.
final class ServerMetrics: Sendable {
    let registry: MetricsRegistry
    let openConnections: Gauge
    private let latencies = LockedValue<[String: Histogram]>([:])

    init(registry: MetricsRegistry) {
        self.registry = registry
        openConnections = registry.gauge("switchboard_http_open_connections", help: "Client connections currently open.")
    }

    func requestCounter(method: String, route: String, status: Int) -> Counter {
        registry.counter(
            "switchboard_http_requests_total", help: "HTTP requests by method, route and status.",
            labels: [("method", method), ("route", route), ("status", String(status))])
    }

    func latency(route: String) -> Histogram {
        if let histogram = latencies.withLock({ $0[route] }) { return histogram }
        let histogram = registry.histogram(
            "switchboard_http_request_duration_seconds", help: "Time from a complete request to its response.",
            labels: [("route", route)])
        latencies.withLock { $0[route] = histogram }
        return histogram
    }
}
