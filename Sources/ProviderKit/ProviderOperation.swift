import Foundation
import GroupModel
import JSONCore

/// A canonical operation, decoded from a canonical API request, that an adapter performs.
public enum ProviderOperation: Sendable {
    case listGroups
    case getGroup(group: String)
    case createGroup(CreateGroupRequest)
    case updateGroup(group: String, GroupPatch)
    case leaveGroup(group: String)
    case deleteGroup(group: String)
    case participants(group: String, ParticipantAction, [String])
    case getInvite(group: String)
    case revokeInvite(group: String)
    case join(code: String)
    case listJoinRequests(group: String)
    case decideJoinRequests(group: String, approve: Bool, [String])
    case send(OutgoingMessage)

    /// The capabilities the operation needs (an update may touch several).
    public var capabilities: [Capability] {
        switch self {
        case .listGroups: [.groupsList]
        case .getGroup: [.groupsGet]
        case .createGroup: [.groupsCreate]
        case .updateGroup(_, let patch): patch.capabilities
        case .leaveGroup: [.groupsLeave]
        case .deleteGroup: [.groupsDelete]
        case .participants(_, let action, _): [action.capability]
        case .getInvite: [.inviteGet]
        case .revokeInvite: [.inviteRevoke]
        case .join: [.groupsJoin]
        case .listJoinRequests: [.joinRequestsList]
        case .decideJoinRequests(_, let approve, _): [approve ? .joinRequestsApprove : .joinRequestsReject]
        case .send(let message): [Capability.send(message.content.type)] + (message.content.mentions.isEmpty ? [] : [.messagesMentions])
        }
    }
}

/// What an operation produced.
public enum OperationResult: Sendable {
    case groups([Group])
    case group(Group)
    case participants([ParticipantResult])
    case invite(Invite)
    /// Joined by invite: `added`, `already_member`, or `pending_approval` (a join request was made).
    case joined(group: String, status: ParticipantOutcome)
    case joinRequests([JoinRequest])
    case sent(SendOutcome)
    case done
}

/// What the provider said about a send.
public struct SendOutcome: Sendable, Equatable {
    /// `sent` when the provider took it synchronously, `queued` when it will send later.
    public var status: MessageStatus
    public var providerMessageId: String?
    /// The group id the provider resolved (Walytic sends by name).
    public var resolvedGroup: String?
    /// How many recipients the message has, when the provider knows (the native engine).
    public var recipients: Int?

    public init(status: MessageStatus, providerMessageId: String? = nil, resolvedGroup: String? = nil, recipients: Int? = nil) {
        self.status = status
        self.providerMessageId = providerMessageId
        self.resolvedGroup = resolvedGroup
        self.recipients = recipients
    }
}

/// A participant action.
public enum ParticipantAction: String, Sendable, CaseIterable {
    case add, remove, promote, demote

    public var capability: Capability {
        switch self {
        case .add: .participantsAdd
        case .remove: .participantsRemove
        case .promote: .participantsPromote
        case .demote: .participantsDemote
        }
    }

    /// The per-participant outcome on success.
    public var successOutcome: ParticipantOutcome {
        switch self {
        case .add: .added
        case .remove: .removed
        case .promote: .promoted
        case .demote: .demoted
        }
    }
}

/// A message on its way to a provider, with the gateway's id.
public struct OutgoingMessage: Sendable {
    /// The gateway's message id (`msg_…`).
    public let id: String
    public let content: MessageContent
    public let createdAt: Date

    public init(id: String, content: MessageContent, createdAt: Date) {
        self.id = id
        self.content = content
        self.createdAt = createdAt
    }
}
