import Foundation
import JSONCore
import Support

/// The kinds of message a group send can carry.
public enum MessageType: String, Sendable, CaseIterable {
    case text, image, video, audio, voice, document

    public var isMedia: Bool { self != .text }
}

/// Delivery status. It only moves forward: `queued → sent → delivered → read → played`; `failed` is terminal and
/// reachable only before `delivered` (DESIGN §3). Late or out-of-order updates never move it back.
public enum MessageStatus: String, Sendable, CaseIterable {
    case queued, sent, delivered, read, played, failed

    private var rank: Int {
        switch self {
        case .queued: 0
        case .sent: 1
        case .delivered: 2
        case .read: 3
        case .played: 4
        case .failed: -1
        }
    }

    /// The status after an update: the update when it moves forward, otherwise the current status.
    public func advanced(to update: MessageStatus) -> MessageStatus {
        switch (self, update) {
        case (.failed, _): return .failed
        case (_, .failed): return rank < MessageStatus.delivered.rank ? .failed : self
        default: return update.rank > rank ? update : self
        }
    }

    public var isTerminal: Bool { self == .failed || self == .played }
}

/// Media carried by reference.
public struct MediaRef: Sendable, Equatable {
    public var url: String
    public var mimeType: String?
    public var filename: String?

    public init(url: String, mimeType: String? = nil, filename: String? = nil) {
        self.url = url
        self.mimeType = mimeType
        self.filename = filename
    }

    public var json: JSON { ["url": .string(url), "mimeType": .string(mimeType), "filename": .string(filename)] }
}

/// Per-recipient receipt counts of a group message.
public struct Receipts: Sendable, Equatable {
    public var recipients: Int
    public var delivered: Int
    public var read: Int

    public init(recipients: Int, delivered: Int, read: Int) {
        self.recipients = recipients
        self.delivered = delivered
        self.read = read
    }

    public var json: JSON {
        ["recipients": .int(Int64(recipients)), "delivered": .int(Int64(delivered)), "read": .int(Int64(read))]
    }
}

/// A message as the canonical API shows it.
public struct Message: Sendable, Equatable {
    public var id: String
    public var session: String
    public var group: String
    public var type: MessageType
    public var text: String?
    public var media: MediaRef?
    public var caption: String?
    public var mentions: [String]
    public var status: MessageStatus
    public var providerMessageId: String?
    public var error: GatewayError?
    public var receipts: Receipts?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, session: String, group: String, type: MessageType, text: String? = nil, media: MediaRef? = nil,
        caption: String? = nil, mentions: [String] = [], status: MessageStatus, providerMessageId: String? = nil,
        error: GatewayError? = nil, receipts: Receipts? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.session = session
        self.group = group
        self.type = type
        self.text = text
        self.media = media
        self.caption = caption
        self.mentions = mentions
        self.status = status
        self.providerMessageId = providerMessageId
        self.error = error
        self.receipts = receipts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSON {
        [
            "id": .string(id), "session": .string(session), "group": .string(group), "type": .string(type.rawValue),
            "text": .string(text), "media": media?.json ?? .null, "caption": .string(caption),
            "mentions": .array(mentions.map(JSON.string)), "status": .string(status.rawValue),
            "providerMessageId": .string(providerMessageId), "error": error?.json ?? .null,
            "receipts": receipts?.json ?? .null, "createdAt": .string(Timestamp.iso8601(createdAt)),
            "updatedAt": .string(Timestamp.iso8601(updatedAt)),
        ]
    }
}
