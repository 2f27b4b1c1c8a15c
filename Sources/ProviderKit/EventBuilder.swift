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

    public init(provider: String, session: String, receivedAt: Date, occurredAt: Date) {
        self.provider = provider
        self.session = session
        self.receivedAt = receivedAt
        self.occurredAt = occurredAt
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
