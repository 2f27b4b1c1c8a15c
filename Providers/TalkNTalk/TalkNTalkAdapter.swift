import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// TalkNTalk (api.talkntalk.africa): a phone (`chat_id` UUID) is the session; lists its groups (all pages) and
/// sends text, image, video and voice to a group. Every path ends with `/`. Docs: providers/REFERENCE.md §2,
/// docs/talkntalk-send-group.txt.
public final class TalkNTalkAdapter: ProviderAdapter, Sendable {
    public static let descriptor = ProviderDescriptor(
        kind: TalkNTalkMapping.kind, displayName: "TalkNTalk",
        capabilities: [.groupsList, .messagesText, .messagesImage, .messagesVideo, .messagesVoice],
        events: [.providerUnmapped],
        limits: ProviderLimits(requestsPerMinute: 300),
        emulations: [
            .groupsList: "TalkNTalk lists the groups as of the last manual sync in its dashboard (Sessions → Groups → Sync); every page is read",
            .messagesVoice: "sent as type voice with a mime_type hint (audio/ogg by default)",
        ],
        webhookAuth: "X-TalkNTalk-Signature: HMAC-SHA256 of the raw body (hex or base64)")

    /// At most this many pages of groups are read (100 per page).
    static let maxPages = 50
    static let pageSize = 100

    public var descriptor: ProviderDescriptor { TalkNTalkAdapter.descriptor }
    private let http: ProviderHTTP
    private let clock: any WallClock

    /// - Parameter apiKey: `tk_live_…`, sent as `Authorization: Bearer`.
    public init(baseURL: String, apiKey: Secret, timeout: TimeInterval, transport: any HTTPTransport, clock: any WallClock = SystemClock()) {
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer \(apiKey.value)")
        http = ProviderHTTP(kind: TalkNTalkMapping.kind, baseURL: baseURL, headers: headers, timeout: timeout, transport: transport)
        self.clock = clock
    }

    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject {
        let phone = try binding.requiredAccount(
            "sessionId", "A TalkNTalk session needs account.sessionId: the phone's chat_id (a UUID from GET /v1/whatsapp/phones/).")
        return ["sessionId": .string(phone)]
    }

    /// The phone's `status` from the phone list: `open` is the only state that can send.
    public func status(of binding: SessionBinding) async -> SessionStatus {
        guard let phone = binding.account("sessionId"), let reply = try? await http.call("GET", "/v1/whatsapp/phones/"), reply.isSuccess,
            let entry = reply.json?["phones"]?.arrayValue?.first(where: { $0["chat_id"]?.stringValue == phone })
        else { return .unknown }
        return TalkNTalkMapping.sessionStatus(entry["status"]?.stringValue)
    }

    public func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        let phone = try binding.boundAccount("sessionId", provider: "TalkNTalk")
        let base = "/v1/whatsapp/\(ProviderHTTP.segment(phone))/groups/"
        switch operation {
        case .listGroups:
            return .groups(try await listGroups(base))
        case .send(let message):
            return .sent(try await send(message, path: base + "send/"))
        default:
            throw GatewayError.unsupportedOperation(provider: TalkNTalkMapping.kind, operation: operation.capabilities.first?.rawValue ?? "unknown")
        }
    }

    /// Every page, in order; stops at `next: null`, `total_pages`, an empty page, or `maxPages`.
    private func listGroups(_ path: String) async throws(GatewayError) -> [Group] {
        var groups: [Group] = []
        var page = 1
        while page <= Self.maxPages {
            let reply = try await http.call("GET", path, query: [("page", String(page)), ("page_size", String(Self.pageSize))])
            let json = try TalkNTalkMapping.expect(reply, context: "the group list")
            let entries = json["groups"]?.arrayValue ?? []
            let now = clock.now()
            groups += entries.compactMap { TalkNTalkMapping.group($0, asOf: now) }
            let totalPages = json["total_pages"]?.intValue.map(Int.init)
            let hasNext = json["next"].map { !$0.isNull } ?? false
            if entries.isEmpty || !(hasNext || (totalPages.map { page < $0 } ?? false)) { break }
            page += 1
        }
        return groups
    }

    private func send(_ message: OutgoingMessage, path: String) async throws(GatewayError) -> SendOutcome {
        let content = message.content
        guard let to = content.groupID else {
            throw GatewayError.invalidRequest("TalkNTalk sends to a group id ('group', ending in @g.us).", details: ["field": "group"])
        }
        if !content.mentions.isEmpty {
            throw GatewayError.unsupportedOperation(provider: TalkNTalkMapping.kind, operation: Capability.messagesMentions.rawValue)
        }
        var body: JSONObject = ["to": .string(to)]
        switch content.type {
        case .text:
            body["type"] = "text"
            body["message"] = .string(content.text ?? "")
        case .image, .video, .voice:
            body["type"] = .string(content.type == .voice ? "voice" : content.type.rawValue)
            body["url"] = .string(content.media?.url ?? "")
            if let caption = content.caption { body["message"] = .string(caption) }
            if let mime = content.media?.mimeType ?? (content.type == .voice ? "audio/ogg" : nil) { body["mime_type"] = .string(mime) }
        case .audio, .document:
            var error = GatewayError.unsupportedOperation(provider: TalkNTalkMapping.kind, operation: Capability.send(content.type).rawValue)
            error.message = "TalkNTalk's group send takes text, image, video and voice only; \(content.type.rawValue) has no group type."
            throw error
        }
        let json = try TalkNTalkMapping.expect(try await http.call("POST", path, json: .object(body)), context: "the group send")
        let status: MessageStatus = json["status"]?.stringValue == "queued" ? .queued : .sent
        return SendOutcome(status: status, providerMessageId: json["message_id"]?.stringValue, resolvedGroup: json["to"]?.stringValue)
    }
}
