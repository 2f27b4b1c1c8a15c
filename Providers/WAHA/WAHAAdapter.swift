import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// WAHA (devlikeapro/waha): every group operation it offers, sends of every type, its error shapes.
/// Group routes take the session in the path; send routes take it in the body. Docs: providers/REFERENCE.md §5.
public final class WAHAAdapter: ProviderAdapter, Sendable {
    public static let descriptor = ProviderDescriptor(
        kind: WAHAMapping.kind, displayName: "WAHA (WhatsApp HTTP API)",
        capabilities: [
            .groupsList, .groupsGet, .groupsCreate, .groupsSubject, .groupsDescription, .groupsSettings, .groupsLeave, .groupsDelete,
            .participantsAdd, .participantsRemove, .participantsPromote, .participantsDemote, .inviteGet, .inviteRevoke, .groupsJoin,
            .messagesText, .messagesImage, .messagesVideo, .messagesVoice, .messagesDocument, .messagesMentions,
        ],
        events: [
            .messageReceived, .messageSent, .messageDelivered, .messageRead, .messagePlayed, .messageFailed, .groupJoined, .groupLeft,
            .groupUpdated, .participantsJoined, .participantsLeft, .participantsPromoted, .participantsDemoted, .joinRequestCreated,
            .joinRequestRejected, .sessionStatus, .providerUnmapped,
        ],
        limits: ProviderLimits(),
        emulations: [
            .groupsSettings: "announce and locked map to WAHA's messages-admin-only and info-admin-only; approvalRequired and memberAddMode have no WAHA setter and are refused",
            .groupsDelete: "WEBJS and WPP engines only; other engines answer unsupported_operation",
        ],
        webhookAuth: "X-Webhook-Hmac: hex HMAC-SHA512 of the raw body")

    public var descriptor: ProviderDescriptor { WAHAAdapter.descriptor }
    private let http: ProviderHTTP
    private let clock: any WallClock

    /// - Parameter apiKey: sent as `X-Api-Key` (WAHA_API_KEY).
    public init(baseURL: String, apiKey: Secret?, timeout: TimeInterval, transport: any HTTPTransport, clock: any WallClock = SystemClock()) {
        var headers = HTTPHeaders()
        if let apiKey { headers.set("X-Api-Key", apiKey.value) }
        http = ProviderHTTP(kind: WAHAMapping.kind, baseURL: baseURL, headers: headers, timeout: timeout, transport: transport)
        self.clock = clock
    }

    // MARK: - Sessions

    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject {
        let session = try binding.requiredAccount("session", "A WAHA session needs account.session (the WAHA session name, e.g. \"default\").")
        return ["session": .string(session)]
    }

    public func status(of binding: SessionBinding) async -> SessionStatus {
        guard let session = binding.account("session"),
            let reply = try? await http.call("GET", "/api/sessions/\(ProviderHTTP.segment(session))"), reply.isSuccess
        else { return .unknown }
        return WAHAMapping.sessionStatus(reply.json?["status"]?.stringValue)
    }

    // MARK: - Operations

    public func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        let session = try binding.boundAccount("session", provider: "WAHA")
        let base = "/api/\(ProviderHTTP.segment(session))/groups"
        func groupPath(_ id: String) -> String { "\(base)/\(ProviderHTTP.segment(id))" }

        switch operation {
        case .listGroups:
            let json = try await expect(try await http.call("GET", base), "groups.list")
            return .groups(WAHAWire.groupObjects(json).compactMap { WAHAMapping.group($0, asOf: clock.now(), withParticipants: false) })

        case .getGroup(let id):
            return .group(try await fetchGroup(id, path: groupPath(id)))

        case .createGroup(let request):
            if request.settings.approvalRequired != nil || request.settings.memberAddMode != nil {
                throw unsupportedSetting()
            }
            let participants: [JSON] = request.participants.map { ["id": .string(WAHAMapping.wahaUser($0))] }
            let reply = try await http.call("POST", base, json: ["name": .string(request.name), "participants": .array(participants)])
            let json = try await expect(reply, "groups.create")
            guard let id = WAHAWire.GroupMetadata(json).id ?? WAHAWire.id(json["gid"]) else {
                throw GatewayError.providerRejected("WAHA created a group but did not say its id.").from(provider: WAHAMapping.kind)
            }
            if let description = request.description { try await setting(groupPath(id) + "/description", ["description": .string(description)], "groups.description") }
            try await applySettings(request.settings, path: groupPath(id))
            return .group(try await fetchGroup(id, path: groupPath(id)))

        case .updateGroup(let id, let patch):
            if let settings = patch.settings, settings.approvalRequired != nil || settings.memberAddMode != nil { throw unsupportedSetting() }
            if let name = patch.name { try await setting(groupPath(id) + "/subject", ["subject": .string(name)], "groups.subject") }
            if let description = patch.description {
                try await setting(groupPath(id) + "/description", ["description": .string(description ?? "")], "groups.description")
            }
            if let settings = patch.settings { try await applySettings(settings, path: groupPath(id)) }
            return .group(try await fetchGroup(id, path: groupPath(id)))

        case .leaveGroup(let id):
            _ = try await expect(try await http.call("POST", groupPath(id) + "/leave"), "groups.leave")
            return .done

        case .deleteGroup(let id):
            _ = try await expect(try await http.call("DELETE", groupPath(id)), "groups.delete")
            return .done

        case .participants(let id, let action, let raw):
            let (valid, invalid) = ParticipantList.split(raw)
            var results = invalid
            if !valid.isEmpty {
                let path: String
                switch action {
                case .add: path = "/participants/add"
                case .remove: path = "/participants/remove"
                case .promote: path = "/admin/promote"
                case .demote: path = "/admin/demote"
                }
                let body: JSON = ["participants": .array(valid.map { ["id": .string(WAHAMapping.wahaUser($0))] })]
                let reply = try await http.call("POST", groupPath(id) + path, json: body)
                let json = try await expect(reply, action.capability.rawValue)
                if json.boolValue == false {
                    throw GatewayError.notGroupAdmin("WhatsApp refused to \(action.rawValue) participants: the session is not a group admin.")
                        .from(provider: WAHAMapping.kind)
                }
                results = valid.map { ParticipantResult(id: $0.jid, status: action.successOutcome) } + invalid
            }
            return .participants(ParticipantList.ordered(results, as: raw))

        case .getInvite(let id):
            let reply = try await http.call("GET", groupPath(id) + "/invite-code")
            return .invite(Invite(code: try Self.inviteCode(try await expect(reply, "invite.get"), reply)))

        case .revokeInvite(let id):
            let reply = try await http.call("POST", groupPath(id) + "/invite-code/revoke")
            return .invite(Invite(code: try Self.inviteCode(try await expect(reply, "invite.revoke"), reply)))

        case .join(let code):
            let json = try await expect(try await http.call("POST", base + "/join", json: ["code": .string(code)]), "groups.join")
            guard let group = WAHAWire.id(json["id"]) ?? json.stringValue else {
                throw GatewayError.providerRejected("WAHA joined but did not say which group.").from(provider: WAHAMapping.kind)
            }
            return .joined(group: group, status: .added)

        case .listJoinRequests, .decideJoinRequests:
            throw GatewayError.unsupportedOperation(provider: WAHAMapping.kind, operation: operation.capabilities[0].rawValue)

        case .send(let message):
            return .sent(try await send(message, session: session))
        }
    }

    // MARK: - Sends

    private func send(_ message: OutgoingMessage, session: String) async throws(GatewayError) -> SendOutcome {
        let content = message.content
        guard let chat = content.groupID else {
            throw GatewayError.invalidRequest("WAHA sends to a group id ('group').", details: ["field": "group"])
        }
        var body: JSONObject = ["session": .string(session), "chatId": .string(chat)]
        let path: String
        func file(_ defaultMime: String?) -> JSON {
            var object: JSONObject = ["url": .string(content.media?.url ?? "")]
            if let mime = content.media?.mimeType ?? defaultMime { object["mimetype"] = .string(mime) }
            if let filename = content.media?.filename { object["filename"] = .string(filename) }
            return .object(object)
        }
        switch content.type {
        case .text:
            path = "/api/sendText"
            body["text"] = .string(content.text ?? "")
        case .image:
            path = "/api/sendImage"
            body["file"] = file("image/jpeg")
        case .document:
            path = "/api/sendFile"
            body["file"] = file("application/octet-stream")
        case .voice:
            path = "/api/sendVoice"
            body["file"] = file("audio/ogg; codecs=opus")
            body["convert"] = .bool(content.media?.mimeType.map { !$0.lowercased().contains("ogg") } ?? false)
        case .video:
            path = "/api/sendVideo"
            body["file"] = file("video/mp4")
            body["convert"] = .bool(content.media?.mimeType.map { $0.lowercased() != "video/mp4" } ?? false)
        case .audio:
            throw GatewayError.unsupportedOperation(provider: WAHAMapping.kind, operation: Capability.messagesAudio.rawValue)
        }
        if let caption = content.caption { body["caption"] = .string(caption) }
        if !content.mentions.isEmpty { body["mentions"] = .array(content.mentions.map { .string(WAHAMapping.wahaUser($0)) }) }
        let json = try await expect(try await http.call("POST", path, json: .object(body)), Capability.send(content.type).rawValue)
        return SendOutcome(status: .sent, providerMessageId: WAHAWire.messageID(json))
    }

    /// WAHA's chat history (`GET /api/{session}/chats/{chatId}/messages`): the session's own messages in the group
    /// since a minute before the send whose body (text or caption) is the send's.
    public func lookUpSend(_ message: OutgoingMessage, on binding: SessionBinding) async throws(GatewayError) -> SendLookup {
        let session = try binding.boundAccount("session", provider: "WAHA")
        guard let chat = message.content.groupID else { return .matches([]) }
        let body = message.content.text ?? message.content.caption ?? ""
        // Media without a caption has no body to recognise it by.
        guard !body.isEmpty else { return .inconclusive }
        let since = Int(message.createdAt.timeIntervalSince1970) - 60
        let reply = try await http.call(
            "GET", "/api/\(ProviderHTTP.segment(session))/chats/\(ProviderHTTP.segment(chat))/messages",
            query: [("limit", String(Self.lookupLimit)), ("downloadMedia", "false"), ("filter.fromMe", "true"), ("filter.timestamp.gte", String(since))])
        let json = try await expect(reply, "messages.lookup")
        let page = json.arrayValue ?? []
        let matches = page.filter { item in
            item["fromMe"]?.boolValue != false && (item["body"]?.stringValue ?? "") == body
                && (item["timestamp"]?.doubleValue).map { Int($0) >= since } ?? true
        }
        if matches.isEmpty && page.count >= Self.lookupLimit { return .inconclusive }
        return .matches(matches.compactMap(WAHAWire.messageID))
    }

    static let lookupLimit = 500

    // MARK: - Helpers

    private func fetchGroup(_ id: String, path: String) async throws(GatewayError) -> Group {
        let json = try await expect(try await http.call("GET", path), "groups.get")
        guard let group = WAHAMapping.group(json, asOf: clock.now(), withParticipants: true) else {
            throw GatewayError.groupNotFound("WAHA returned no group for '\(id)'.").from(provider: WAHAMapping.kind)
        }
        return group
    }

    /// PUT a subject, description or security setting; WAHA answers `false` when the session lacks permission.
    private func setting(_ path: String, _ body: JSON, _ capability: String) async throws(GatewayError) {
        let reply = try await http.call("PUT", path, json: body)
        _ = try await expect(reply, capability)
        if WAHAMapping.isFalse(reply) {
            throw GatewayError.notGroupAdmin("WhatsApp refused \(capability): the session is not a group admin.").from(provider: WAHAMapping.kind)
        }
    }

    private func applySettings(_ settings: GroupSettings, path: String) async throws(GatewayError) {
        if let announce = settings.announce {
            try await setting(path + "/settings/security/messages-admin-only", ["adminsOnly": .bool(announce)], "groups.settings")
        }
        if let locked = settings.locked {
            try await setting(path + "/settings/security/info-admin-only", ["adminsOnly": .bool(locked)], "groups.settings")
        }
    }

    private func unsupportedSetting() -> GatewayError {
        var error = GatewayError.unsupportedOperation(provider: WAHAMapping.kind, operation: Capability.groupsSettings.rawValue)
        error.message = "WAHA can set only 'announce' and 'locked'; 'approvalRequired' and 'memberAddMode' have no WAHA setter."
        return error.with(details: ["settings": ["approvalRequired", "memberAddMode"]])
    }

    /// The JSON of a successful answer, or the canonical error of a failed one.
    private func expect(_ reply: ProviderHTTP.Reply, _ context: String) async throws(GatewayError) -> JSON {
        guard reply.isSuccess else { throw WAHAMapping.error(reply, context: context) }
        return reply.json ?? .string(reply.text)
    }

    static func inviteCode(_ json: JSON, _ reply: ProviderHTTP.Reply) throws(GatewayError) -> String {
        let raw = json.stringValue ?? json["code"]?.stringValue ?? json["inviteCode"]?.stringValue ?? reply.text
        let code = Invite.code(from: raw.trimmingCharacters(in: CharacterSet(charactersIn: "\" \n")))
        guard !code.isEmpty else { throw GatewayError.providerRejected("WAHA returned no invite code.").from(provider: WAHAMapping.kind) }
        return code
    }

}
