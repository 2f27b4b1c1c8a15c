import HTTPCore

/// Everything the server is bounded by. Defaults follow the issue: 1 MiB bodies, 10 s for headers, 60 s idle.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Event-loop threads; defaults to the number of cores (at least 1, at most 8).
    public var eventLoops: Int
    public var limits: HTTPParserLimits
    /// A request's head must arrive completely within this time of its first byte.
    public var headerTimeout: Double
    /// A keep-alive connection with no request in progress is closed after this.
    public var idleTimeout: Double
    /// A body must make progress at least this often…
    public var bodyProgressTimeout: Double
    /// …and arrive completely within this time of its head.
    public var bodyTimeout: Double
    /// A client that takes no bytes of a pending response for this long is dropped.
    public var writeTimeout: Double
    /// In-flight requests get this long to finish on shutdown.
    public var shutdownGrace: Double
    public var maxConnections: Int
    /// Bytes of pipelined input buffered while a request is in flight before reading pauses.
    public var maxBufferedInput: Int
    /// Bytes an upgraded connection (a WebSocket) may have queued for a client that does not read; past this the
    /// connection is closed. Protocols pause their producers far below it; this is the backstop.
    public var maxUpgradedOutput: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, eventLoops: Int? = nil, limits: HTTPParserLimits = HTTPParserLimits(),
        headerTimeout: Double = 10, idleTimeout: Double = 60, bodyProgressTimeout: Double = 10, bodyTimeout: Double = 60,
        writeTimeout: Double = 60, shutdownGrace: Double = 10, maxConnections: Int = 16_384, maxBufferedInput: Int = 64 * 1024,
        maxUpgradedOutput: Int = 16 << 20
    ) {
        self.host = host
        self.port = port
        self.eventLoops = eventLoops ?? min(8, max(1, ProcessInfoCores.count))
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyProgressTimeout = bodyProgressTimeout
        self.bodyTimeout = bodyTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGrace = shutdownGrace
        self.maxConnections = maxConnections
        self.maxBufferedInput = maxBufferedInput
        self.maxUpgradedOutput = maxUpgradedOutput
    }
}

import Glibc

enum ProcessInfoCores {
    static var count: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
