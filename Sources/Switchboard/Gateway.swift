import Foundation
import GatewayAPI
import GatewayCore
import GroupModel
import HTTPCore
import HTTPServer
import JSONCore
import ProviderKit
import Storage
import Support

/// The composition root: builds every service from the configuration, starts the server, and stops it all in
/// order (server first, the database last).
public final class Gateway: @unchecked Sendable {
    public static let version = "0.1.0"

    public let config: GatewayConfig
    public let logger: Logger
    public let database: Database
    public let metrics: MetricsRegistry
    public let keys: APIKeyStore
    public let sessions: SessionRegistry
    public let api: API
    private let server: HTTPServer
    /// The admin key created on this start (first start only), to print once.
    public let createdAdminKey: Secret?

    /// - Parameters:
    ///   - environment: the process environment (`SWITCHBOARD_ADMIN_KEY`, `${ENV}` values).
    public init(config: GatewayConfig, logger: Logger, environment: [String: String], clock: any WallClock = SystemClock()) throws {
        self.config = config
        self.logger = logger
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let metrics = MetricsRegistry()
        self.metrics = metrics
        let database = try Database(
            path: (config.dataDirectory as NSString).appendingPathComponent("switchboard.db"), migrations: GatewaySchema.migrations,
            logger: logger.labelled("storage"))
        self.database = database
        do {
            let adminKey = environment["SWITCHBOARD_ADMIN_KEY"].flatMap { $0.isEmpty ? nil : Secret($0) }
            if let adminKey, adminKey.value.utf8.count < 16 {
                throw ConfigError("SWITCHBOARD_ADMIN_KEY", "must be at least 16 characters")
            }
            keys = APIKeyStore(database: database, clock: clock, environmentAdminKey: adminKey)
            if adminKey == nil, try !keys.hasAdminKey() {
                createdAdminKey = try keys.create(name: "admin (first start)", admin: true, sessions: nil, expiresAt: nil).key
            } else {
                createdAdminKey = nil
            }

            let context = ProviderFactoryContext()
            var entries: [ProviderEntry] = []
            for provider in config.providers {
                entries.append(ProviderEntry(name: provider.name, adapter: try ProviderFactory.make(provider, context: context)))
            }
            let records = config.sessions.map {
                SessionRecord(name: $0.name, provider: $0.provider, account: $0.account, source: .config, createdAt: nil, ownerKey: nil)
            }
            sessions = try SessionRegistry(providers: entries, sessions: records, database: database, clock: clock)

            let environment = APIEnvironment(
                version: Gateway.version, database: database, keys: keys, sessions: sessions, metrics: metrics, logger: logger, clock: clock,
                authenticator: Authenticator(keys: keys, tokens: nil), providerKinds: ProviderFactory.kinds)
            api = API(environment: environment)
            let renderer = ErrorRenderer(logger: logger)
            var limits = HTTPParserLimits()
            limits.maxBodyBytes = config.maxBodyBytes
            server = HTTPServer(
                configuration: ServerConfiguration(host: config.host, port: config.port, eventLoops: config.eventLoops, limits: limits),
                router: api.makeRouter(), logger: logger.labelled("http"), metrics: metrics, accessLog: config.accessLog,
                renderError: { renderer.render($0, requestId: $1) })
        } catch {
            database.close()
            throw error
        }
    }

    /// Starts listening; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        try server.start()
        return server.port ?? config.port
    }

    public var port: Int? { server.port }

    /// Graceful stop: the server drains (up to its grace period), then the database closes.
    public func stop() {
        server.stop()
        database.close()
        logger.info("stopped")
        logger.handler.flush()
    }
}
