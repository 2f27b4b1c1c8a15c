import Foundation
import GroupModel
import HTTPCore
import Support

/// What an adapter is built from: where the provider is, its credentials (CONTRACT-FORMAT's keys), and how to
/// reach it.
public struct AdapterSetup: Sendable {
    public let name: String
    public let baseURL: String
    public let credentials: [String: Secret]
    public let timeout: TimeInterval
    public let transport: any HTTPTransport
    public let clock: any WallClock

    public init(name: String, baseURL: String, credentials: [String: Secret], timeout: TimeInterval, transport: any HTTPTransport, clock: any WallClock) {
        self.name = name
        self.baseURL = baseURL
        self.credentials = credentials
        self.timeout = timeout
        self.transport = transport
        self.clock = clock
    }
}

/// One provider kind as data: its descriptor, how to build its adapter, and its webhook handling. The
/// composition root lists every kind once; the API, the inbound pipeline and the contract runner all read it.
public struct ProviderKindEntry: Sendable {
    public let descriptor: ProviderDescriptor
    public let webhook: (any WebhookNormalizer)?
    /// Which credential signs this provider's webhooks (`webhookSecret`, `apiSecret`, `webhookToken`).
    public let webhookSecretKey: String?
    public let makeAdapter: @Sendable (AdapterSetup) throws(GatewayError) -> any ProviderAdapter

    public init(
        descriptor: ProviderDescriptor, webhook: (any WebhookNormalizer)?, webhookSecretKey: String?,
        makeAdapter: @escaping @Sendable (AdapterSetup) throws(GatewayError) -> any ProviderAdapter
    ) {
        self.descriptor = descriptor
        self.webhook = webhook
        self.webhookSecretKey = webhookSecretKey
        self.makeAdapter = makeAdapter
    }

    public var kind: String { descriptor.kind }
}
