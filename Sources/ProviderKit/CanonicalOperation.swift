import Foundation
import GroupModel
import JSONCore
import Support

/// Canonical API calls as data: a capability name with path parameters, body and query — exactly what the API
/// routes receive and what contract fixtures describe — decoded into a `ProviderOperation`, and results rendered
/// as the API answers them.
public enum CanonicalOperation {
    /// Decodes a canonical call. Throws `invalid_request` for a bad body, and for a name that is not a
    /// capability.
    public static func decode(name: String, path: JSONObject, body: JSON?, query: JSONObject, messageID: String, now: Date)
        throws(GatewayError) -> ProviderOperation
    {
        guard let capability = Capability(rawValue: name) else {
            throw GatewayError.invalidRequest("'\(name)' is not a capability name (DESIGN §4).")
        }
        func group() throws(GatewayError) -> String {
            guard let id = path["group"]?.stringValue else { throw GatewayError.invalidRequest("'\(name)' needs path.group.") }
            try Identifiers.validateGroupID(id)
            return id
        }
        let body = body ?? .object(JSONObject())
        switch capability {
        case .groupsList: return .listGroups
        case .groupsGet: return .getGroup(group: try group())
        case .groupsCreate: return .createGroup(try CreateGroupRequest(json: body))
        case .groupsSubject, .groupsDescription, .groupsSettings: return .updateGroup(group: try group(), try GroupPatch(json: body))
        case .groupsLeave: return .leaveGroup(group: try group())
        case .groupsDelete: return .deleteGroup(group: try group())
        case .participantsAdd, .participantsRemove, .participantsPromote, .participantsDemote:
            let action: ParticipantAction =
                capability == .participantsAdd ? .add : capability == .participantsRemove ? .remove : capability == .participantsPromote ? .promote : .demote
            return .participants(group: try group(), action, try ParticipantsRequest(json: body).participants)
        case .inviteGet: return .getInvite(group: try group())
        case .inviteRevoke: return .revokeInvite(group: try group())
        case .groupsJoin: return .join(code: try JoinRequestBody(json: body).code)
        case .joinRequestsList: return .listJoinRequests(group: try group())
        case .joinRequestsApprove, .joinRequestsReject:
            return .decideJoinRequests(group: try group(), approve: capability == .joinRequestsApprove, try ParticipantsRequest(json: body).participants)
        case .messagesText, .messagesImage, .messagesVideo, .messagesAudio, .messagesVoice, .messagesDocument, .messagesMentions:
            return .send(OutgoingMessage(id: messageID, content: try MessageContent(json: body), createdAt: now))
        }
    }

    /// The API's answer for a result: status and body.
    public static func render(_ result: OperationResult, for operation: ProviderOperation, session: String, nameFilter: String?, now: Date) -> (status: Int, body: JSON) {
        switch result {
        case .groups(let groups):
            let matching = nameFilter.map { name in groups.filter { $0.name?.lowercased() == name.lowercased() } } ?? groups
            let asOf = matching.map(\.asOf).min() ?? now
            return (200, ["data": .array(matching.map(\.json)), "next": .null, "asOf": .string(Timestamp.iso8601(asOf))])
        case .group(let group):
            if case .createGroup = operation { return (201, group.json) }
            return (200, group.json)
        case .participants(let results): return (200, ParticipantResult.json(results))
        case .invite(let invite): return (200, invite.json)
        case .joined(let group, let status): return (200, ["group": .string(group), "status": .string(status.rawValue)])
        case .joinRequests(let requests): return (200, ["data": .array(requests.map(\.json)), "next": .null])
        case .sent(let outcome):
            guard case .send(let message) = operation else { return (500, .null) }
            let stored = Message.accepted(message, session: session, outcome: outcome, now: now)
            return (stored.status == .queued ? 202 : 201, stored.json)
        case .done: return (204, .object(JSONObject()))
        }
    }
}

extension Message {
    /// The message the gateway stores for a send the provider answered with `outcome`.
    public static func accepted(_ message: OutgoingMessage, session: String, outcome: SendOutcome, now: Date) -> Message {
        let content = message.content
        return Message(
            id: message.id, session: session, group: outcome.resolvedGroup ?? content.groupID ?? "", type: content.type, text: content.text,
            media: content.media, caption: content.caption, mentions: content.mentions.map(\.jid), status: MessageStatus.queued.advanced(to: outcome.status),
            providerMessageId: outcome.providerMessageId, receipts: outcome.recipients.map { Receipts(recipients: $0, delivered: 0, read: 0) },
            createdAt: message.createdAt, updatedAt: now)
    }
}
