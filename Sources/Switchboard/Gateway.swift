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
import NativeEngine
import CurlTransport
import Webhooks

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
    public let events: EventLog
    public let messages: MessageStore
    public let native: NativeEngine
    public let api: API
    public let webhooks: WebhookDispatcher
    /// Delivers sends the outbox still owes providers.
    public let outbox: OutboxWorker
    private let server: HTTPServer
    private let transport: LazyCurlTransport
    /// Outbound webhooks have their own connections: a slow subscriber never queues behind provider calls.
    private let webhookTransport: LazyCurlTransport
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
        transport = LazyCurlTransport(options: .init(userAgent: "switchboard/\(Gateway.version)"))
        webhookTransport = LazyCurlTransport(options: .init(maxResponseBytes: 64 << 10, maxConnectionsPerHost: 4, userAgent: "Switchboard-Webhooks/\(Gateway.version)"))
        let database: Database
        do {
            database = try Database(
                path: (config.dataDirectory as NSString).appendingPathComponent("switchboard.db"),
                migrations: GatewaySchema.migrations + WebhookSchema.migrations + ProviderCatalog.migrations, logger: logger.labelled("storage"))
        } catch {
            transport.shutdown()
            webhookTransport.shutdown()
            throw error
        }
        self.database = database
        do {
            let adminKey = environment["SWITCHBOARD_ADMIN_KEY"].flatMap { $0.isEmpty ? nil : Secret($0) }
            if let adminKey, adminKey.value.utf8.count < 16 {
                throw ConfigError("SWITCHBOARD_ADMIN_KEY", "must be at least 16 characters")
            }
            keys = APIKeyStore(database: database, clock: clock, environmentAdminKey: adminKey)
            if adminKey == nil, try !keys.hasAdminKey() {
                createdAdminKey = try keys.createSync(name: "admin (first start)", admin: true, sessions: nil, expiresAt: nil).key
            } else {
                createdAdminKey = nil
            }

            events = EventLog(database: database)
            messages = MessageStore(database: database)
            native = NativeEngine(database: database, events: events, messages: messages, clock: clock)
            let context = ProviderFactoryContext(native: native, transport: transport, clock: clock)
            var entries: [ProviderEntry] = []
            for provider in config.providers {
                entries.append(ProviderEntry(name: provider.name, adapter: try ProviderFactory.make(provider, context: context)))
            }
            // Configured native sessions get (or keep) their accounts; accounts of sessions that are gone are unbound.
            let nativeProviders = Set(entries.filter { $0.kind == NativeEngine.kind }.map(\.name))
            let stored = try database.read { db in try db.query("SELECT name FROM sessions").compactMap { $0.string(0) } }
            let configuredNative = config.sessions.filter { nativeProviders.contains($0.provider) }.map {
                SessionBinding(session: $0.name, provider: $0.provider, kind: NativeEngine.kind, account: $0.account)
            }
            let nativeAccounts = try native.reconcile(
                configured: configuredNative, existing: Set(stored + config.sessions.map(\.name)))
            let records = config.sessions.map {
                SessionRecord(
                    name: $0.name, provider: $0.provider, account: nativeAccounts[$0.name] ?? $0.account, source: .config, createdAt: nil,
                    ownerKey: nil)
            }
            sessions = try SessionRegistry(providers: entries, sessions: records, database: database, events: events, clock: clock)
            let messageService = MessageService(
                sessions: sessions, messages: messages, events: events, database: database, clock: clock, outbox: config.sends, logger: logger,
                metrics: metrics)
            outbox = OutboxWorker(outbox: messageService.outbox)

            var environment = APIEnvironment(
                version: Gateway.version, database: database, keys: keys, sessions: sessions, metrics: metrics, logger: logger, clock: clock,
                authenticator: Authenticator(keys: keys, tokens: config.jwt.map { JWTVerifier(settings: $0, clock: clock) }), providerKinds: ProviderCatalog.descriptors, messages: messageService,
                events: events)
            environment.rateLimiter = RateLimiter(settings: config.rateLimits)
            environment.inbound = InboundService(
                providers: Gateway.inboundProviders(config), sessions: sessions, events: events, messages: messages, database: database, logger: logger,
                clock: clock)
            webhooks = WebhookDispatcher(
                subscriptions: SubscriptionStore(database: database, clock: clock, settings: config.webhooks),
                deliveries: DeliveryStore(database: database, events: events, clock: clock, settings: config.webhooks), events: events,
                transport: webhookTransport, settings: config.webhooks, clock: clock, logger: logger.labelled("webhooks"), metrics: metrics)
            try Gateway.declareSubscribers(config.subscribers, in: webhooks.subscriptions)
            environment.webhooks = webhooks
            environment.normalizers = Dictionary(ProviderCatalog.remote.compactMap { entry in entry.webhook.map { (entry.kind, $0) } }) { first, _ in first }
            api = API(environment: environment)
            Gateway.exportDatabaseMetrics(of: database, to: metrics)
            let renderer = ErrorRenderer(logger: logger)
            var limits = HTTPParserLimits()
            limits.maxBodyBytes = config.maxBodyBytes
            server = HTTPServer(
                configuration: ServerConfiguration(host: config.host, port: config.port, eventLoops: config.eventLoops, limits: limits),
                router: api.makeRouter(), logger: logger.labelled("http"), metrics: metrics, accessLog: config.accessLog,
                renderError: { renderer.render($0, requestId: $1) })
        } catch {
            transport.shutdown()
            webhookTransport.shutdown()
            database.close()
            throw error
        }
    }

    /// Creates or updates the subscribers the config declares (start-up only).
    private static func declareSubscribers(_ subscribers: [GatewayConfig.SubscriberConfig], in store: SubscriptionStore) throws {
        for subscriber in subscribers {
            let fields = SubscriptionStore.Fields(url: subscriber.url, events: .some(subscriber.events), sessions: .some(subscriber.sessions))
            try runBlocking { try await store.upsertConfigured(id: subscriber.id, fields: fields, secret: subscriber.secret) }
        }
    }

    /// Starts listening; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        try runBlocking { [outbox] in try await outbox.start() }
        try server.start()
        webhooks.start()
        return server.port ?? config.port
    }

    public var port: Int? { server.port }

    /// Graceful stop: the server drains (up to its grace period), then the database closes.
    public func stop() {
        server.stop()
        // Calls under way get a moment; any cut short are reconciled after the restart, never blindly resent.
        outbox.stop(grace: 2)
        // Attempts in flight get a moment to finish; the rest are sent again after the restart.
        webhooks.stop(grace: 2)
        webhookTransport.shutdown()
        webhooks.stop(grace: 2)
        transport.shutdown()
        database.close()
        logger.info("stopped")
        logger.handler.flush()
    }

    /// Each configured remote provider's webhook handling: its normalizer, and the secret it signs with (the
    /// provider's `webhookSecret`, else the credential its scheme uses: Walytic's `webhookToken`, A1Base's `apiSecret`).
    static func inboundProviders(_ config: GatewayConfig) -> [InboundProvider] {
        config.providers.compactMap { provider in
            guard let entry = ProviderCatalog.entry(provider.kind), let normalizer = entry.webhook else { return nil }
            let secret = provider.webhookSecret ?? entry.webhookSecretKey.flatMap { provider.credentials[$0] }
            return InboundProvider(name: provider.name, kind: provider.kind, normalizer: normalizer, secret: secret)
        }
    }
}
