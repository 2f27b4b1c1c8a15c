import Foundation
import GroupModel
import JSONCore

/// Collects the canonical events of one webhook, giving each its deterministic id.
public struct EventBuilder: Sendable {
    public let provider: String
    public let session: String
    public let receivedAt: Date
    public var occurredAt: Date
    public private(set) var events: [GatewayEvent] = []

    /// The times a provider may report: those RFC 3339 can write (years 1970 to 9999).
    public static let plausibleTimes = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)

    /// - Parameter occurredAt: the provider's time for the happening; one outside `plausibleTimes` (a payload's
    ///   `1e22`, which traps when formatted) gives way to `receivedAt`.
    public init(provider: String, session: String, receivedAt: Date, occurredAt: Date) {
        self.provider = provider
        self.session = session
        self.receivedAt = receivedAt
        self.occurredAt = EventBuilder.plausibleTimes.contains(occurredAt) ? occurredAt : receivedAt
    }

    /// Adds an event whose id derives from (provider, session, identity, type): the same happening reported
    /// again gets the same id and is deduplicated by the event log.
    /// - Parameter identity: what identifies the happening at the provider, after normalization (message ids
    ///   without sender forms, the provider's own event id for other kinds).
    public mutating func add(_ type: EventType, identity: String, group: String?, data: JSON) {
        let id = EventID.make(provider: provider, session: session, identity: identity, type: type)
        events.append(GatewayEvent(id: id, type: type, occurredAt: occurredAt, receivedAt: receivedAt, session: session, provider: provider, group: group, data: data))
    }
}
