import Foundation
import JSONCore
import Support

/// The canonical event types (DESIGN §6).
public enum EventType: String, Sendable, CaseIterable {
    case messageSent = "message.sent"
    case messageDelivered = "message.delivered"
    case messageRead = "message.read"
    case messagePlayed = "message.played"
    case messageFailed = "message.failed"
    case messageReceived = "message.received"
    case groupJoined = "group.joined"
    case groupLeft = "group.left"
    case groupUpdated = "group.updated"
    case participantsJoined = "group.participants.joined"
    case participantsLeft = "group.participants.left"
    case participantsPromoted = "group.participants.promoted"
    case participantsDemoted = "group.participants.demoted"
    case joinRequestCreated = "group.join_request.created"
    case joinRequestApproved = "group.join_request.approved"
    case joinRequestRejected = "group.join_request.rejected"
    case sessionStatus = "session.status"
    case presenceTyping = "presence.typing"
    case providerUnmapped = "provider.unmapped"

    /// The status event for a message status, if there is one.
    public static func forStatus(_ status: MessageStatus) -> EventType? {
        switch status {
        case .sent: .messageSent
        case .delivered: .messageDelivered
        case .read: .messageRead
        case .played: .messagePlayed
        case .failed: .messageFailed
        case .queued: nil
        }
    }

    /// The message status a status event reports (`message.read` → `read`), from the same table as `forStatus`.
    public var messageStatus: MessageStatus? { MessageStatus.allCases.first { EventType.forStatus($0) == self } }
}

/// One canonical event: `{id, type, occurredAt, receivedAt, session, provider, group?, data}`.
public struct GatewayEvent: Sendable, Equatable {
    public var id: String
    public var type: EventType
    public var occurredAt: Date
    public var receivedAt: Date
    public var session: String
    public var provider: String
    public var group: String?
    public var data: JSON

    public init(
        id: String, type: EventType, occurredAt: Date, receivedAt: Date, session: String, provider: String,
        group: String?, data: JSON
    ) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.session = session
        self.provider = provider
        self.group = group
        self.data = data
    }

    public var json: JSON {
        [
            "id": .string(id), "type": .string(type.rawValue), "occurredAt": .string(Timestamp.iso8601(occurredAt)),
            "receivedAt": .string(Timestamp.iso8601(receivedAt)), "session": .string(session),
            "provider": .string(provider), "group": .string(group), "data": data,
        ]
    }
}
