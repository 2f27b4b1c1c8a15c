import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// waxum (imtaqin/waxum, formerly WA-RS): a self-hosted Rust gateway. Routes under
/// `/api/v1/sessions/{id}/…`, Bearer token, DELETE with a JSON body for removals and demotions.
/// Docs: providers/REFERENCE.md §3 and docs/waxum-groups.txt.
public final class WaxumAdapter: ProviderAdapter, Sendable {
    public static let descriptor = ProviderDescriptor(
        kind: WaxumMapping.kind, displayName: "waxum",
        capabilities: [
            .groupsList, .groupsGet, .groupsCreate, .groupsSubject, .groupsDescription, .groupsLeave, .participantsAdd, .participantsRemove,
            .participantsPromote, .participantsDemote, .inviteGet, .inviteRevoke, .messagesText, .messagesImage, .messagesVideo,
            .messagesAudio, .messagesVoice, .messagesDocument, .messagesMentions,
        ],
        events: [
            .messageReceived, .messageSent, .messageDelivered, .messageRead, .messagePlayed, .groupJoined, .groupUpdated, .participantsJoined,
            .participantsLeft, .participantsPromoted, .participantsDemoted, .sessionStatus, .providerUnmapped,
        ],
        limits: ProviderLimits(requestsPerMinute: 3600),
        emulations: [
            .groupsCreate: "approvalRequired and memberAddMode are applied at creation (waxum's settings endpoint does not apply them in the versions read); announce and locked cannot be set",
            .inviteRevoke: "GET …/invite-link?reset=true",
        ],
        webhookAuth: "X-Webhook-Signature: sha256=hex HMAC-SHA256 of \"{timestamp}.{body}\" (v2) or of the body (v1)")

    public var descriptor: ProviderDescriptor { WaxumAdapter.descriptor }
    private let http: ProviderHTTP
    private let clock: any WallClock

    /// - Parameter token: the superadmin or a session token, sent as `Authorization: Bearer`.
    public init(baseURL: String, token: Secret?, timeout: TimeInterval, transport: any HTTPTransport, clock: any WallClock = SystemClock()) {
        var headers = HTTPHeaders()
        if let token { headers.set("Authorization", "Bearer \(token.value)") }
        http = ProviderHTTP(kind: WaxumMapping.kind, baseURL: baseURL, headers: headers, timeout: timeout, transport: transport)
        self.clock = clock
    }

    // MARK: - Sessions

    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject {
        let session = try binding.requiredAccount("sessionId", "A waxum session needs account.sessionId (the waxum session id).")
        return ["sessionId": .string(session)]
    }

    public func status(of binding: SessionBinding) async -> SessionStatus {
        guard let session = binding.account("sessionId"),
            let reply = try? await http.call("GET", "/api/v1/sessions/\(ProviderHTTP.segment(session))/status"), reply.isSuccess
        else { return .unknown }
        return WaxumMapping.sessionStatus(reply.json?["status"]?.stringValue, loggedIn: reply.json?["is_logged_in"]?.boolValue)
    }

    // MARK: - Operations

    public func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        let session = try binding.boundAccount("sessionId", provider: "waxum")
        let root = "/api/v1/sessions/\(ProviderHTTP.segment(session))"
        func groupPath(_ id: String) -> String { "\(root)/groups/\(ProviderHTTP.segment(id))" }

        switch operation {
        case .listGroups:
            let json = try await expect(try await http.call("GET", root + "/groups"), "groups.list", root: root)
            return .groups(WaxumWire.groups(json).compactMap { WaxumMapping.group($0, asOf: clock.now(), withParticipants: false) })

        case .getGroup(let id):
            return .group(try await fetchGroup(id, path: groupPath(id), root: root))

        case .createGroup(let request):
            if request.settings.announce != nil || request.settings.locked != nil {
                var error = GatewayError.unsupportedOperation(provider: WaxumMapping.kind, operation: Capability.groupsSettings.rawValue)
                error.message = "waxum cannot set 'announce' or 'locked'; only approvalRequired and memberAddMode, at creation."
                throw error
            }
            var body: JSONObject = [
                "name": .string(request.name), "participants": .array(request.participants.map { .string(WaxumMapping.waxumUser($0)) }),
            ]
            if let approval = request.settings.approvalRequired { body["membership_approval_mode"] = .string(approval ? "on" : "off") }
            if let mode = request.settings.memberAddMode { body["member_add_mode"] = .string(mode == .all ? "all_member_add" : "admin_add") }
            let json = try await expect(try await http.call("POST", root + "/groups", json: .object(body)), "groups.create", root: root)
            guard let id = json["group_jid"]?.stringValue ?? json["jid"]?.stringValue else {
                throw GatewayError.providerRejected("waxum created a group but did not say its id.").from(provider: WaxumMapping.kind)
            }
            if let description = request.description {
                _ = try await expect(
                    try await http.call("PUT", groupPath(id) + "/description", json: ["description": .string(description), "prev_id": .null]),
                    "groups.description", root: root)
            }
            var group = try await fetchGroup(id, path: groupPath(id), root: root)
            // The modes are not in waxum's group info: report what creation set.
            if request.settings.approvalRequired != nil { group.settings.approvalRequired = request.settings.approvalRequired }
            if request.settings.memberAddMode != nil { group.settings.memberAddMode = request.settings.memberAddMode }
            return .group(group)

        case .updateGroup(let id, let patch):
            if let name = patch.name {
                _ = try await expect(try await http.call("PUT", groupPath(id) + "/subject", json: ["subject": .string(name)]), "groups.subject", root: root)
            }
            if let description = patch.description {
                _ = try await expect(
                    try await http.call("PUT", groupPath(id) + "/description", json: ["description": .string(description), "prev_id": .null]),
                    "groups.description", root: root)
            }
            return .group(try await fetchGroup(id, path: groupPath(id), root: root))

        case .leaveGroup(let id):
            _ = try await expect(try await http.call("POST", groupPath(id) + "/leave"), "groups.leave", root: root)
            return .done

        case .participants(let id, let action, let raw):
            var (valid, results) = ParticipantList.split(raw)
            if !valid.isEmpty {
                let body: JSON = ["participants": .array(valid.map { .string(WaxumMapping.waxumUser($0)) })]
                let (method, path): (String, String) =
                    switch action {
                    case .add: ("POST", "/participants")
                    case .remove: ("DELETE", "/participants")
                    case .promote: ("POST", "/admins")
                    case .demote: ("DELETE", "/admins")
                    }
                let json = try await expect(try await http.call(method, groupPath(id) + path, json: body), action.capability.rawValue, root: root)
                if let list = json["results"]?.arrayValue {
                    for user in valid {
                        let entry = list.first { UserID.parse($0["jid"]?.stringValue ?? "")?.jid == user.jid }
                        results.append(ParticipantResult(id: user.jid, status: WaxumMapping.outcome(entry?["status"]?.stringValue, action: action)))
                    }
                } else if json["success"]?.boolValue == true {
                    results += valid.map { ParticipantResult(id: $0.jid, status: action.successOutcome) }
                } else {
                    throw GatewayError.providerRejected("waxum answered \(action.rawValue) without results or success.").from(provider: WaxumMapping.kind)
                }
            }
            return .participants(ParticipantList.ordered(results, as: raw))

        case .getInvite(let id), .revokeInvite(let id):
            let reset = if case .revokeInvite = operation { true } else { false }
            let reply = try await http.call("GET", groupPath(id) + "/invite-link", query: reset ? [("reset", "true")] : [])
            let json = try await expect(reply, reset ? "invite.revoke" : "invite.get", root: root)
            guard let link = json["invite_link"]?.stringValue, !Invite.code(from: link).isEmpty else {
                throw GatewayError.providerRejected("waxum returned no invite link.").from(provider: WaxumMapping.kind)
            }
            return .invite(Invite(code: Invite.code(from: link)))

        case .deleteGroup, .join, .listJoinRequests, .decideJoinRequests:
            throw GatewayError.unsupportedOperation(provider: WaxumMapping.kind, operation: operation.capabilities[0].rawValue)

        case .send(let message):
            return .sent(try await send(message, root: root))
        }
    }

    private func send(_ message: OutgoingMessage, root: String) async throws(GatewayError) -> SendOutcome {
        let content = message.content
        guard let to = content.groupID else { throw GatewayError.invalidRequest("waxum sends to a group id ('group').", details: ["field": "group"]) }
        var body: JSONObject = ["to": .string(to)]
        let kind: String
        let media: JSON = ["url": .string(content.media?.url ?? "")]
        switch content.type {
        case .text:
            kind = "text"
            body["text"] = .string(content.text ?? "")
        case .image:
            kind = "image"
            body["image"] = media
        case .video:
            kind = "video"
            body["video"] = media
        case .audio, .voice:
            kind = "audio"
            body["audio"] = media
            body["ptt"] = .bool(content.type == .voice)  // a voice note is audio with ptt
        case .document:
            kind = "document"
            body["document"] = media
            if let filename = content.media?.filename { body["filename"] = .string(filename) }
        }
        if let caption = content.caption { body["caption"] = .string(caption) }
        if !content.mentions.isEmpty { body["mentions"] = .array(content.mentions.map { .string(WaxumMapping.waxumUser($0)) }) }
        let json = try await expect(try await http.call("POST", root + "/messages/\(kind)", json: .object(body)), Capability.send(content.type).rawValue, root: root)
        if json["status"]?.stringValue == "pending" {
            return SendOutcome(status: .queued, providerMessageId: json["schedule_id"]?.stringValue)
        }
        return SendOutcome(status: .sent, providerMessageId: WaxumWire.messageID(json))
    }

    // MARK: - Helpers

    /// `GET /groups/{jid}` (the code's answer has participants with roles); the documented shape has none, and
    /// then `/info` supplies them.
    private func fetchGroup(_ id: String, path: String, root: String) async throws(GatewayError) -> Group {
        let json = try await expect(try await http.call("GET", path), "groups.get", root: root)
        guard var group = WaxumMapping.group(json, asOf: clock.now(), withParticipants: true) else {
            throw GatewayError.groupNotFound("waxum returned no group for '\(id)'.").from(provider: WaxumMapping.kind)
        }
        if group.participants == nil {
            let info = try await expect(try await http.call("GET", path + "/info"), "groups.get", root: root)
            if let detailed = WaxumMapping.group(info, asOf: clock.now(), withParticipants: true) {
                group.participants = detailed.participants
                group.participantCount = detailed.participants?.count ?? group.participantCount
                group.owner = group.owner ?? detailed.owner
                group.description = group.description ?? detailed.description
                group.createdAt = group.createdAt ?? detailed.createdAt
            }
        }
        return group
    }

    /// The JSON of a success, or the canonical error. waxum's group handlers answer 503 both for "not
    /// connected" and for an unknown session id; a look-up of the session settles which.
    private func expect(_ reply: ProviderHTTP.Reply, _ context: String, root: String) async throws(GatewayError) -> JSON {
        if reply.isSuccess { return reply.json ?? .null }
        if reply.status == 503, let check = try? await http.call("GET", root), check.status == 404 {
            var error = GatewayError.sessionNotFound("the waxum session").from(provider: WaxumMapping.kind)
            error.message = "waxum has no such session (\(context))."
            throw error.with(details: ["providerStatus": 503])
        }
        throw WaxumMapping.error(reply, context: context)
    }
}
