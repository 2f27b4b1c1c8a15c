import GroupModel
import JSONCore

/// What a provider can do, as data (DESIGN §4, STYLE 11): served at `GET /v1/providers`, checked before any
/// provider I/O, and cross-checked against the contract fixtures.
public struct ProviderDescriptor: Sendable {
    /// The provider kind used in configuration and URLs (`native`, `waha`, `waxum`, …).
    public let kind: String
    public let displayName: String
    public let capabilities: Set<Capability>
    /// Canonical event types its webhooks (or engine) can produce.
    public let events: Set<EventType>
    public let limits: ProviderLimits
    /// Where a capability is emulated rather than native, and how (shown to users, not hidden).
    public let emulations: [Capability: String]
    /// How inbound webhooks are authenticated.
    public let webhookAuth: String
    /// The adapter resolves `groupName` targets itself (Walytic sends by name); otherwise the gateway resolves
    /// them from the group list.
    public let resolvesGroupNames: Bool

    public init(
        kind: String, displayName: String, capabilities: Set<Capability>, events: Set<EventType>, limits: ProviderLimits,
        emulations: [Capability: String] = [:], webhookAuth: String, resolvesGroupNames: Bool = false
    ) {
        self.kind = kind
        self.displayName = displayName
        self.capabilities = capabilities
        self.events = events
        self.limits = limits
        self.emulations = emulations
        self.webhookAuth = webhookAuth
        self.resolvesGroupNames = resolvesGroupNames
    }

    public func supports(_ capability: Capability) -> Bool { capabilities.contains(capability) }

    public var json: JSON {
        var emulated = JSONObject()
        for (capability, how) in emulations.sorted(by: { $0.key < $1.key }) { emulated[capability.rawValue] = .string(how) }
        return [
            "kind": .string(kind), "name": .string(displayName),
            "capabilities": .array(Capability.allCases.filter(capabilities.contains).map { .string($0.rawValue) }),
            "events": .array(EventType.allCases.filter(events.contains).map { .string($0.rawValue) }),
            "limits": limits.json, "emulations": .object(emulated), "webhookAuth": .string(webhookAuth),
        ]
    }
}

/// Documented limits a provider imposes; nil when not documented.
public struct ProviderLimits: Sendable {
    public var maxParticipants: Int?
    public var maxNameLength: Int?
    public var maxDescriptionLength: Int?
    public var maxTextLength: Int?
    /// Requests per minute the provider documents (the default send pacing respects it).
    public var requestsPerMinute: Int?
    public var maxMediaBytes: [MessageType: Int]

    public init(
        maxParticipants: Int? = nil, maxNameLength: Int? = nil, maxDescriptionLength: Int? = nil, maxTextLength: Int? = nil,
        requestsPerMinute: Int? = nil, maxMediaBytes: [MessageType: Int] = [:]
    ) {
        self.maxParticipants = maxParticipants
        self.maxNameLength = maxNameLength
        self.maxDescriptionLength = maxDescriptionLength
        self.maxTextLength = maxTextLength
        self.requestsPerMinute = requestsPerMinute
        self.maxMediaBytes = maxMediaBytes
    }

    public var json: JSON {
        var media = JSONObject()
        for type in MessageType.allCases { if let bytes = maxMediaBytes[type] { media[type.rawValue] = .int(Int64(bytes)) } }
        return [
            "maxParticipants": .int(maxParticipants), "maxNameLength": .int(maxNameLength),
            "maxDescriptionLength": .int(maxDescriptionLength), "maxTextLength": .int(maxTextLength),
            "requestsPerMinute": .int(requestsPerMinute), "maxMediaBytes": .object(media),
        ]
    }
}
