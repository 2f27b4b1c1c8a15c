import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// A1Base (api.a1base.com): an agent phone number (`from`) in an account (`accountId`). Groups are opaque
/// `thread_id`s; management goes through one action endpoint; sends are asynchronous (`queued`).
/// Docs: providers/REFERENCE.md §4, docs/a1base-group-send.txt.
public final class A1BaseAdapter: ProviderAdapter, Sendable {
    public static let descriptor = ProviderDescriptor(
        kind: A1BaseMapping.kind, displayName: "A1Base",
        capabilities: [
            .groupsGet, .groupsCreate, .groupsSubject, .groupsDescription, .groupsSettings, .groupsLeave, .groupsJoin,
            .participantsAdd, .participantsRemove, .participantsPromote, .participantsDemote,
            .messagesText, .messagesImage, .messagesVideo, .messagesAudio, .messagesDocument,
        ],
        events: [.messageReceived, .messageSent, .providerUnmapped],
        limits: ProviderLimits(maxMediaBytes: [.image: 5 << 20, .video: 16 << 20, .audio: 16 << 20, .document: 100 << 20]),
        emulations: [
            .groupsSettings: "announce → update_settings announcement/not_announcement, locked → locked/unlocked; approvalRequired and memberAddMode have no A1Base setting and are refused",
            .groupsGet: "get-details gives the name and the members' numbers; roles, description and settings are not reported (null)",
        ],
        webhookAuth: "X-A1Base-Signature: hex HMAC-SHA256 of X-A1Base-Timestamp + body with the API secret (header names unconfirmed)")

    public var descriptor: ProviderDescriptor { A1BaseAdapter.descriptor }
    private let http: ProviderHTTP
    private let clock: any WallClock

    public init(baseURL: String, apiKey: Secret, apiSecret: Secret, timeout: TimeInterval, transport: any HTTPTransport, clock: any WallClock = SystemClock()) {
        var headers = HTTPHeaders()
        headers.set("X-API-Key", apiKey.value)
        headers.set("X-API-Secret", apiSecret.value)
        http = ProviderHTTP(kind: A1BaseMapping.kind, baseURL: baseURL, headers: headers, timeout: timeout, transport: transport)
        self.clock = clock
    }

    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject {
        let account = try binding.requiredAccount("accountId", "An A1Base session needs account.accountId.")
        guard let from = binding.account("from"), UserID.parse(from)?.phone != nil, from.hasPrefix("+") else {
            throw GatewayError.invalidRequest("An A1Base session needs account.from: the agent's number in E.164 with '+'.", details: ["field": "account.from"])
        }
        return ["accountId": .string(account), "from": .string(from)]
    }

    /// A1Base has no session status call: a configured account is as ready as its credentials.
    public func status(of binding: SessionBinding) async -> SessionStatus { .unknown }

    public func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        let account = try binding.boundAccount("accountId", provider: "A1Base")
        let from = try binding.boundAccount("from", provider: "A1Base")
        let manage = A1BaseActions(http: http, path: "/v1/group-management/\(ProviderHTTP.segment(account))", agent: from)
        switch operation {
        case .getGroup(let id):
            return .group(try await details(id, account: account))

        case .createGroup(let request):
            if request.settings.approvalRequired != nil || request.settings.memberAddMode != nil { throw A1BaseMapping.unsupportedSetting() }
            let (phones, invalid) = A1BaseMapping.phones(request.participants.map(\.jid))
            if let first = invalid.first {
                throw GatewayError.invalidRequest("A1Base adds members by phone number; '\(first.id)' has none.", details: ["field": "participants"])
            }
            let body: JSONObject = ["title": .string(request.name), "participants": .array(phones.map { .string($0.phone) })]
            let data = try await manage.run("create", thread: nil, body)
            guard let thread = data["thread_id"]?.stringValue, !thread.isEmpty else {
                throw GatewayError.providerRejected("A1Base created a group but did not say its thread_id.").from(provider: A1BaseMapping.kind)
            }
            if let description = request.description { _ = try await manage.run("update_description", thread: thread, ["description": .string(description)]) }
            try await applySettings(request.settings, thread: thread, manage: manage)
            return .group(A1BaseMapping.created(data, thread: thread, name: request.name, description: request.description, asOf: clock.now()))

        case .updateGroup(let id, let patch):
            if let settings = patch.settings, settings.approvalRequired != nil || settings.memberAddMode != nil { throw A1BaseMapping.unsupportedSetting() }
            if let name = patch.name { _ = try await manage.run("update_name", thread: id, ["name": .string(name)]) }
            if let description = patch.description { _ = try await manage.run("update_description", thread: id, ["description": .string(description ?? "")]) }
            if let settings = patch.settings { try await applySettings(settings, thread: id, manage: manage) }
            return .group(try await details(id, account: account))

        case .leaveGroup(let id):
            _ = try await manage.run("leave", thread: id, [:])
            return .done

        case .participants(let id, let action, let raw):
            let (phones, invalid) = A1BaseMapping.phones(raw)
            var results = invalid
            if !phones.isEmpty {
                let verb: String
                switch action {
                case .add: verb = "add_participants"
                case .remove: verb = "remove_participants"
                case .promote: verb = "promote_admin"
                case .demote: verb = "demote_admin"
                }
                _ = try await manage.run(verb, thread: id, ["participants": .array(phones.map { .string($0.phone) })])
                results += phones.map { ParticipantResult(id: $0.id, status: action.successOutcome) }
            }
            return .participants(ParticipantList.ordered(results, as: raw))

        case .join(let code):
            let data = try await manage.run("join", thread: nil, ["invite_code": .string(code)])
            return .joined(group: data["thread_id"]?.stringValue ?? "", status: .added)

        case .send(let message):
            return .sent(try await send(message, account: account, from: from))

        default:
            throw GatewayError.unsupportedOperation(provider: A1BaseMapping.kind, operation: operation.capabilities.first?.rawValue ?? "unknown")
        }
    }

    private func details(_ thread: String, account: String) async throws(GatewayError) -> Group {
        let path = "/v1/messages/threads/\(ProviderHTTP.segment(account))/get-details/\(ProviderHTTP.segment(thread))"
        let json = try A1BaseMapping.expect(try await http.call("GET", path), context: "group details")
        return A1BaseMapping.details(json, thread: thread, asOf: clock.now())
    }

    private func applySettings(_ settings: GroupSettings, thread: String, manage: A1BaseActions) async throws(GatewayError) {
        if let announce = settings.announce {
            _ = try await manage.run("update_settings", thread: thread, ["setting": .string(announce ? "announcement" : "not_announcement")])
        }
        if let locked = settings.locked {
            _ = try await manage.run("update_settings", thread: thread, ["setting": .string(locked ? "locked" : "unlocked")])
        }
    }

    private func send(_ message: OutgoingMessage, account: String, from: String) async throws(GatewayError) -> SendOutcome {
        let content = message.content
        guard let thread = content.groupID else {
            throw GatewayError.invalidRequest("A1Base sends to a group's thread_id ('group').", details: ["field": "group"])
        }
        if !content.mentions.isEmpty {
            throw GatewayError.unsupportedOperation(provider: A1BaseMapping.kind, operation: Capability.messagesMentions.rawValue)
        }
        if content.type == .voice {
            var error = GatewayError.unsupportedOperation(provider: A1BaseMapping.kind, operation: Capability.messagesVoice.rawValue)
            error.message = "A1Base has no voice-note flag: send the file as 'audio' instead."
            throw error
        }
        var body: JSONObject = [
            "content": .string(content.type == .text ? content.text ?? "" : content.caption ?? ""), "from": .string(from),
            "thread_id": .string(thread), "service": "whatsapp",
        ]
        if let url = content.media?.url { body["attachment_uri"] = .string(url) }
        let path = "/v1/messages/group/\(ProviderHTTP.segment(account))/send"
        let json = try A1BaseMapping.expect(try await http.call("POST", path, json: .object(body)), context: "the group send")
        let status: MessageStatus = json["status"]?.stringValue == "sent" ? .sent : .queued
        return SendOutcome(status: status, providerMessageId: json["messageId"]?.stringValue ?? json["message_id"]?.stringValue)
    }
}

/// A1Base's single group-management endpoint: `{action, agent_number, thread_id?, …}`.
struct A1BaseActions: Sendable {
    let http: ProviderHTTP
    let path: String
    let agent: String

    /// Runs `action` and returns the answer's `data` (or `{}`).
    func run(_ action: String, thread: String?, _ fields: JSONObject) async throws(GatewayError) -> JSON {
        var body: JSONObject = ["action": .string(action), "agent_number": .string(agent)]
        if let thread { body["thread_id"] = .string(thread) }
        for member in fields.members { body[member.key] = member.value }
        let json = try A1BaseMapping.expect(try await http.call("POST", path, json: .object(body)), context: "group action '\(action)'")
        return json["data"] ?? .object([:])
    }
}
