import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// Walytic (hosted Baileys): lists groups and sends text to a group **by name**. A send by id is resolved to the
/// group's name through a per-session directory; two groups with that name are refused as `group_ambiguous`.
/// No message id comes back: the gateway's id stands. Docs: providers/REFERENCE.md §1, docs/walytic-send-group.txt.
public final class WalyticAdapter: ProviderAdapter, Sendable {
    public static let descriptor = ProviderDescriptor(
        kind: WalyticMapping.kind, displayName: "Walytic",
        capabilities: [.groupsList, .messagesText],
        events: [.messageSent, .messageFailed, .providerUnmapped],
        limits: ProviderLimits(),
        emulations: [
            .messagesText: "Walytic sends to a group by name: a send by id is resolved to the group's name from the group list (cached per session, refreshed on a miss at most every 30 s); two groups with the same name are refused as group_ambiguous. No provider message id exists.",
            .groupsList: "the list is Walytic's view of the groups the number has joined; names only, no participants",
        ],
        webhookAuth: "none at Walytic: the inbound URL must carry the session's secret token (?token=…)",
        resolvesGroupNames: true)

    public var descriptor: ProviderDescriptor { WalyticAdapter.descriptor }
    private let http: ProviderHTTP
    private let clock: any WallClock
    private let directory: GroupDirectory

    /// - Parameters:
    ///   - apiKey: sent as `x-api-key` (external integrations).
    ///   - jwt: sent as `Authorization: Bearer` (dashboard users) when there is no API key.
    public init(
        baseURL: String, apiKey: Secret?, jwt: Secret?, timeout: TimeInterval, transport: any HTTPTransport, clock: any WallClock = SystemClock(),
        directoryRefreshInterval: TimeInterval = 30
    ) {
        var headers = HTTPHeaders()
        if let apiKey {
            headers.set("x-api-key", apiKey.value)
        } else if let jwt {
            headers.set("Authorization", "Bearer \(jwt.value)")
        }
        http = ProviderHTTP(kind: WalyticMapping.kind, baseURL: baseURL, headers: headers, timeout: timeout, transport: transport)
        self.clock = clock
        directory = GroupDirectory(minimumInterval: directoryRefreshInterval)
    }

    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject {
        let session = try binding.requiredAccount(
            "sessionId", "A Walytic session needs account.sessionId (e.g. \"session-<number>\", as shown in Walytic's dashboard).")
        return ["sessionId": .string(session)]
    }

    public func status(of binding: SessionBinding) async -> SessionStatus {
        guard let session = binding.account("sessionId"),
            let reply = try? await http.call("GET", "/api/whatsapp/\(ProviderHTTP.segment(session))/status"), reply.isSuccess
        else { return .unknown }
        return WalyticMapping.sessionStatus(reply.json)
    }

    public func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        let session = try binding.boundAccount("sessionId", provider: "Walytic")
        switch operation {
        case .listGroups:
            let snapshot = try await refresh(session)
            return .groups(snapshot.groups.map { WalyticMapping.group($0, asOf: snapshot.asOf) })
        case .send(let message):
            return .sent(try await send(message, session: session))
        default:
            throw GatewayError.unsupportedOperation(provider: WalyticMapping.kind, operation: operation.capabilities.first?.rawValue ?? "unknown")
        }
    }

    // MARK: - Sends

    private func send(_ message: OutgoingMessage, session: String) async throws(GatewayError) -> SendOutcome {
        let content = message.content
        guard content.type == .text, content.mentions.isEmpty else {
            let capability = content.type == .text ? Capability.messagesMentions : Capability.send(content.type)
            throw GatewayError.unsupportedOperation(provider: WalyticMapping.kind, operation: capability.rawValue)
        }
        let name: String
        var resolved: String?
        switch content.target {
        case .name(let given):
            name = given
            resolved = try resolveID(named: given, session: session)
        case .id(let id):
            name = try await resolveName(of: id, session: session)
            resolved = id
        }
        let path = "/api/whatsapp/\(ProviderHTTP.segment(session))/send-group"
        let reply = try await http.call("POST", path, json: ["groupName": .string(name), "message": .string(content.text ?? "")])
        if let error = WalyticMapping.error(reply, context: "the group send") { throw error }
        return SendOutcome(status: .sent, providerMessageId: nil, resolvedGroup: resolved)
    }

    /// The name to send to for group `id`: from the directory, refreshed once when the id is unknown.
    private func resolveName(of id: String, session: String) async throws(GatewayError) -> String {
        var snapshot = directory.snapshot(session)
        if snapshot.map({ !$0.groups.contains { $0.id == id } }) ?? true, directory.mayRefresh(session, now: clock.now()) {
            snapshot = try await refresh(session)
        }
        guard let snapshot, let group = snapshot.groups.first(where: { $0.id == id }) else {
            throw GatewayError.groupNotFound("The Walytic session has not joined group '\(id)'.").from(provider: WalyticMapping.kind)
        }
        guard let name = group.name, !name.isEmpty else {
            throw GatewayError.providerRejected("Walytic lists group '\(id)' without a name, and it sends only by name.").from(provider: WalyticMapping.kind)
        }
        let namesakes = snapshot.named(name)
        guard namesakes.count == 1 else {
            throw snapshot.ambiguous(namesakes, "\(namesakes.count) groups are named '\(name)'; Walytic sends by name and would pick the first. Rename one of them.")
        }
        return name
    }

    /// For a `groupName` send: Walytic matches the name itself; the directory (if already read) tells the id, and
    /// refuses a name two known groups share. No list call is made just for this.
    private func resolveID(named name: String, session: String) throws(GatewayError) -> String? {
        guard let snapshot = directory.snapshot(session) else { return nil }
        let matches = snapshot.named(name)
        if matches.count > 1 { throw snapshot.ambiguous(matches, "\(matches.count) groups are named '\(name)'; send by 'group' id instead.") }
        return matches.first?.id
    }

    private func refresh(_ session: String) async throws(GatewayError) -> GroupDirectory.Snapshot {
        let reply = try await http.call("GET", "/api/whatsapp/\(ProviderHTTP.segment(session))/groups")
        if let error = WalyticMapping.error(reply, context: "the group list") { throw error }
        guard let json = reply.json else {
            throw GatewayError.providerRejected("Walytic answered the group list with something that is not JSON.").from(provider: WalyticMapping.kind)
        }
        return directory.store(WalyticWire.groups(json), session: session, at: clock.now())
    }
}
