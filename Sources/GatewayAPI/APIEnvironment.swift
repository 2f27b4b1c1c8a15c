import Foundation
import GatewayCore
import ProviderKit
import Storage
import Support
import Webhooks

/// The services the routes use, handed over by the composition root.
public struct APIEnvironment: Sendable {
    public let version: String
    public let database: Database
    public let keys: APIKeyStore
    public let sessions: SessionRegistry
    public let metrics: MetricsRegistry
    public let logger: Logger
    public let clock: any WallClock
    public let authenticator: Authenticator
    /// Per-caller request rates (set by the composition root; nil: unlimited).
    public var rateLimiter: RateLimiter?
    /// Every provider kind this build supports, configured or not.
    public let providerKinds: [ProviderDescriptor]
    public let groups: GroupService
    public let messages: MessageService
    public let events: EventLog
    /// `Idempotency-Key` answers.
    public let idempotency: IdempotencyStore
    /// Inbound provider webhooks (set by the composition root).
    public var inbound: InboundService?
    /// Webhook normalizers by provider kind, for the stateless `POST /v1/normalize/{kind}`.
    public var normalizers: [String: any WebhookNormalizer] = [:]
    /// Outbound webhooks (set by the composition root; without it the routes are absent).
    public var webhooks: WebhookDispatcher?

    public init(
        version: String, database: Database, keys: APIKeyStore, sessions: SessionRegistry, metrics: MetricsRegistry, logger: Logger,
        clock: any WallClock, authenticator: Authenticator, providerKinds: [ProviderDescriptor], messages: MessageService, events: EventLog
    ) {
        self.version = version
        self.database = database
        self.keys = keys
        self.sessions = sessions
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.authenticator = authenticator
        self.providerKinds = providerKinds
        self.groups = GroupService(sessions: sessions, outbox: messages.outbox)
        self.messages = messages
        self.events = events
        self.idempotency = messages.idempotency
    }
}
