import Foundation
import Support
import JSONCore

/// A participant's role in a group.
public enum ParticipantRole: String, Sendable, CaseIterable {
    case superadmin, admin, member

    public var isAdmin: Bool { self != .member }
}

/// A group member (DESIGN §3): `id` is a canonical user JID, `phone` its `+E.164` when known, `role` nil (rendered
/// `null`) when the provider does not tell (A1Base lists members without roles).
public struct Participant: Sendable, Equatable {
    public var id: String
    public var phone: String?
    public var role: ParticipantRole?

    public init(id: String, phone: String?, role: ParticipantRole?) {
        self.id = id
        self.phone = phone
        self.role = role
    }

    public init(user: UserID, role: ParticipantRole?) {
        self.init(id: user.jid, phone: user.phone, role: role)
    }

    public var json: JSON { ["id": .string(id), "phone": .string(phone), "role": .string(role?.rawValue)] }
}

/// Who may add members.
public enum MemberAddMode: String, Sendable, CaseIterable {
    case admins, all
}

/// Group settings; nil means the provider does not tell (rendered as `null`).
public struct GroupSettings: Sendable, Equatable {
    /// Only admins send.
    public var announce: Bool?
    /// Only admins edit name, description and settings.
    public var locked: Bool?
    /// Joining by link needs an admin's approval.
    public var approvalRequired: Bool?
    public var memberAddMode: MemberAddMode?

    public init(announce: Bool? = nil, locked: Bool? = nil, approvalRequired: Bool? = nil, memberAddMode: MemberAddMode? = nil) {
        self.announce = announce
        self.locked = locked
        self.approvalRequired = approvalRequired
        self.memberAddMode = memberAddMode
    }

    public var json: JSON {
        [
            "announce": .bool(announce), "locked": .bool(locked), "approvalRequired": .bool(approvalRequired),
            "memberAddMode": .string(memberAddMode?.rawValue),
        ]
    }
}

/// A group as the canonical API shows it.
public struct Group: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var description: String?
    public var owner: String?
    public var createdAt: Date?
    public var participantCount: Int?
    /// Present when the call returns members (get, create); absent in lists.
    public var participants: [Participant]?
    public var settings: GroupSettings
    public var inviteLink: String?
    public var provider: String
    /// When this view of the group was read from its source.
    public var asOf: Date
    /// This group's `json`, already rendered (a provider that caches its groups renders each one once).
    public var rendered: JSON?

    public init(
        id: String, name: String? = nil, description: String? = nil, owner: String? = nil, createdAt: Date? = nil,
        participantCount: Int? = nil, participants: [Participant]? = nil, settings: GroupSettings = GroupSettings(),
        inviteLink: String? = nil, provider: String, asOf: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.owner = owner
        self.createdAt = createdAt
        self.participantCount = participantCount ?? participants?.count
        self.participants = participants
        self.settings = settings
        self.inviteLink = inviteLink
        self.provider = provider
        self.asOf = asOf
    }

    public var json: JSON {
        if let rendered { return rendered }
        var object: JSONObject = [
            "id": .string(id), "name": .string(name), "description": .string(description), "owner": .string(owner),
            "createdAt": .string(createdAt.map(Timestamp.iso8601)), "participantCount": .int(participantCount),
        ]
        if let participants { object["participants"] = .array(participants.map(\.json)) }
        object["settings"] = settings.json
        object["inviteLink"] = .string(inviteLink)
        object["provider"] = .string(provider)
        object["asOf"] = .string(Timestamp.iso8601(asOf))
        return .object(object)
    }
}

/// The outcome for one participant of a participant action.
public enum ParticipantOutcome: String, Sendable, CaseIterable {
    case added, removed, promoted, demoted
    case alreadyMember = "already_member"
    case notMember = "not_member"
    case notFound = "not_found"
    case invalidId = "invalid_id"
    case forbidden
    case pendingApproval = "pending_approval"
}

/// One line of a participant action's answer.
public struct ParticipantResult: Sendable, Equatable {
    public var id: String
    public var status: ParticipantOutcome

    public init(id: String, status: ParticipantOutcome) {
        self.id = id
        self.status = status
    }

    public var json: JSON { ["id": .string(id), "status": .string(status.rawValue)] }

    /// `{"results": [...]}`.
    public static func json(_ results: [ParticipantResult]) -> JSON { ["results": .array(results.map(\.json))] }
}

/// An invite: the code and its `https://chat.whatsapp.com/<code>` link.
public struct Invite: Sendable, Equatable {
    public var code: String
    public var link: String

    public init(code: String) {
        self.code = code
        self.link = Invite.linkPrefix + code
    }

    public static let linkPrefix = "https://chat.whatsapp.com/"

    /// The code from a bare code or a full link.
    public static func code(from codeOrLink: String) -> String {
        var text = codeOrLink.trimmingWhitespace()
        for prefix in [linkPrefix, "http://chat.whatsapp.com/", "chat.whatsapp.com/"] where text.hasPrefix(prefix) {
            text.removeFirst(prefix.count)
        }
        // By Unicode scalars: a combining mark after '?' must not hide it.
        let scalars = text.unicodeScalars
        if let query = scalars.firstIndex(where: { $0 == "?" || $0 == "#" || $0 == "/" }) { text = String(scalars[..<query]) }
        return text
    }

    public var json: JSON { ["code": .string(code), "link": .string(link)] }
}

/// A pending request to join a group.
public struct JoinRequest: Sendable, Equatable {
    public var requester: String
    public var phone: String?
    public var requestedAt: Date?

    public init(requester: String, phone: String?, requestedAt: Date?) {
        self.requester = requester
        self.phone = phone
        self.requestedAt = requestedAt
    }

    public var json: JSON {
        ["requester": .string(requester), "phone": .string(phone), "requestedAt": .string(requestedAt.map(Timestamp.iso8601))]
    }
}
