import ContractKit
import CurlTransport
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// `switchboard contract record`: runs the canonical battery against a live provider binding from the config and
/// writes one fixture per operation in CONTRACT-FORMAT v1, with secrets and phone numbers redacted. Only reads run
/// unless `allowWrites`: creating, changing, leaving or deleting groups and sending messages change a real account.
public struct ContractRecorder: Sendable {
    public struct Step: Sendable {
        let name: String
        let path: JSONObject
        let body: JSON?
        let writes: Bool
    }

    let provider: GatewayConfig.ProviderConfig
    let session: GatewayConfig.SessionConfig
    let entry: ProviderKindEntry
    let allowWrites: Bool
    /// A number to add, promote, demote and remove in the write battery (none: participant steps are skipped).
    let participant: String?

    public init(config: GatewayConfig, session name: String, allowWrites: Bool, participant: String?) throws {
        guard let session = config.sessions.first(where: { $0.name == name }) else {
            throw ConfigError("sessions.\(name)", "no such session in the config")
        }
        guard let provider = config.providers.first(where: { $0.name == session.provider }) else {
            throw ConfigError("sessions.\(name).provider", "no provider '\(session.provider)'")
        }
        guard let entry = ProviderCatalog.entry(provider.kind) else {
            throw ConfigError("providers.\(provider.name).kind", "'\(provider.kind)' is not a remote provider; only live providers are recorded")
        }
        self.session = session
        self.provider = provider
        self.entry = entry
        self.allowWrites = allowWrites
        self.participant = participant
    }

    /// Records the battery into `directory/<kind>/recorded/`; returns the files written and the steps skipped.
    public func record(into directory: String, transport inner: any HTTPTransport, now: Date = Date()) async throws -> (written: [String], skipped: [String]) {
        let recording = RecordingTransport(inner)
        guard let baseURL = provider.baseURL else { throw ConfigError("providers.\(provider.name).baseUrl", "is required") }
        let adapter = try entry.makeAdapter(
            AdapterSetup(name: provider.name, baseURL: baseURL, credentials: provider.credentials, timeout: provider.requestTimeout, transport: recording, clock: SystemClock()))
        // Named as the runner names the session it replays with, so recorded answers match on replay.
        let binding = SessionBinding(session: "contract", provider: provider.name, kind: provider.kind, account: session.account)
        var secrets: [String: String] = [:]
        for (name, secret) in provider.credentials { secrets[name] = secret.value }
        if let webhook = provider.webhookSecret { secrets["webhookSecret"] = webhook.value }
        let redactor = Redactor(secrets: secrets)
        let folder = directory + "/\(provider.kind)/recorded"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

        var written: [String] = []
        var skipped: [String] = []
        var group: String?
        for step in battery() {
            if step.writes && !allowWrites {
                skipped.append("\(step.name) (changes the account: give --allow-writes)")
                continue
            }
            var path = step.path
            if path["group"]?.stringValue == "$group" {
                guard let group else {
                    skipped.append("\(step.name) (no group to act on)")
                    continue
                }
                path["group"] = .string(group)
            }
            let body = step.body.map { Self.substitute($0, group: group) }
            _ = recording.take()
            let operation: ProviderOperation
            do {
                operation = try CanonicalOperation.decode(name: step.name, path: path, body: body, query: JSONObject(), messageID: "msg_contract", now: now)
            } catch {
                skipped.append("\(step.name) (\(error.message))")
                continue
            }
            let outcome = await Self.attempt(operation, adapter: adapter, binding: binding, now: now)
            let expect: JSON
            switch outcome {
            case .success(let (result, status, rendered)):
                if group == nil || step.name == "groups.create" { group = Self.groupID(result) ?? group }
                expect = ["result": Self.stable(rendered), "httpStatus": .int(Int64(status))]
            case .failure(let error):
                expect = error.code == "unsupported_operation" ? ["unsupported": true] : ["error": ["code": .string(error.code), "status": .int(Int64(error.status))]]
            }
            let calls = recording.take()
            var operationJSON: JSONObject = ["name": .string(step.name)]
            if !path.isEmpty { operationJSON["path"] = .object(path) }
            if let body { operationJSON["body"] = body }
            let fixture: JSON = [
                "format": 1, "provider": .string(provider.kind), "kind": "operation",
                "name": .string("recorded: \(step.name)"), "source": .string("recorded with switchboard contract record against \(Self.host(baseURL))"),
                "recordedAt": .string(String(Timestamp.iso8601(now).prefix(10))),
                "account": .object(session.account), "credentials": .object(JSONObject(provider.credentials.keys.sorted().map { ($0, .string(provider.credentials[$0]!.value)) })),
                "operation": .object(operationJSON), "exchanges": .array(calls.map { Self.exchange($0, secrets: Set(secrets.values)) }), "expect": expect,
            ]
            let file = folder + "/" + step.name.replacingOccurrences(of: ".", with: "-") + ".json"
            try Data((JSONWriter(pretty: true).string(redactor.redact(fixture)) + "\n").utf8).write(to: URL(fileURLWithPath: file))
            written.append(file)
        }
        return (written, skipped)
    }

    static func attempt(
        _ operation: ProviderOperation, adapter: any ProviderAdapter, binding: SessionBinding, now: Date
    ) async -> Result<(OperationResult, Int, JSON), GatewayError> {
        do {
            try ProviderCall.check(operation, adapter: adapter)
            let result = try await adapter.perform(operation, on: binding)
            let (status, rendered) = CanonicalOperation.render(result, for: operation, session: binding.session, nameFilter: nil, now: now)
            return .success((result, status, rendered))
        } catch {
            return .failure(error)
        }
    }

    /// Reads first (the first listed group is the one read), then — with `--allow-writes` — a group of its own
    /// that it changes and finally leaves and deletes. Every capability is tried, so undeclared ones are recorded
    /// as `unsupported` (no call is made for those).
    func battery() -> [Step] {
        let stamp = "Switchboard contract"
        let group: JSONObject = ["group": "$group"]
        let someone: JSON = .array(participant.map { [.string($0)] } ?? [])
        var steps: [Step] = [
            Step(name: "groups.list", path: [:], body: nil, writes: false),
            Step(name: "groups.get", path: group, body: nil, writes: false),
            Step(name: "invite.get", path: group, body: nil, writes: false),
            Step(name: "joinRequests.list", path: group, body: nil, writes: false),
            Step(name: "groups.create", path: [:], body: ["name": .string(stamp), "participants": someone], writes: true),
            Step(name: "groups.subject", path: group, body: ["name": .string(stamp + " (renamed)")], writes: true),
            Step(name: "groups.description", path: group, body: ["description": "Recorded by switchboard contract record"], writes: true),
            Step(name: "groups.settings", path: group, body: ["settings": ["announce": false]], writes: true),
            Step(name: "messages.text", path: [:], body: ["group": "$group", "type": "text", "text": "Hello from switchboard contract record"], writes: true),
            Step(name: "invite.revoke", path: group, body: nil, writes: true),
        ]
        if participant != nil {
            for action in ["participants.promote", "participants.demote", "participants.remove", "participants.add"] {
                steps.append(Step(name: action, path: group, body: ["participants": someone], writes: true))
            }
        }
        steps += [
            Step(name: "groups.leave", path: group, body: nil, writes: true),
            Step(name: "groups.delete", path: group, body: nil, writes: true),
        ]
        // Undeclared capabilities: an `unsupported` fixture each, without any call.
        let tried = Set(steps.map(\.name))
        for capability in Capability.allCases where !tried.contains(capability.rawValue) && !entry.descriptor.supports(capability) {
            steps.append(Step(name: capability.rawValue, path: group, body: Self.sampleBody(capability), writes: false))
        }
        return steps
    }

    static func sampleBody(_ capability: Capability) -> JSON? {
        switch capability {
        case .groupsJoin: ["code": "AbCdEfGhIjKlMnOpQrStUv"]
        case .joinRequestsApprove, .joinRequestsReject: ["participants": ["+15550000002"]]
        case .messagesImage, .messagesVideo, .messagesAudio, .messagesVoice, .messagesDocument:
            ["group": "$group", "type": .string(String(capability.rawValue.dropFirst("messages.".count))), "media": ["url": "https://example.com/sample"]]
        case .messagesMentions: ["group": "$group", "type": "text", "text": "Hi", "mentions": ["+15550000002"]]
        default: nil
        }
    }

    static func groupID(_ result: OperationResult) -> String? {
        switch result {
        case .groups(let groups): groups.first?.id
        case .group(let group): group.id
        default: nil
        }
    }

    static func substitute(_ json: JSON, group: String?) -> JSON {
        json.mappingStrings { $0 == "$group" ? group ?? "120363000000000000@g.us" : $0 }
    }

    /// The recorded answer with what changes run to run (`asOf`, creation times) as type matchers.
    static func stable(_ json: JSON) -> JSON {
        switch json {
        case .array(let items): return .array(items.map(stable))
        case .object(let object):
            var out = JSONObject()
            for member in object {
                out[member.key] = ["asOf", "createdAt", "updatedAt"].contains(member.key) && member.value.stringValue != nil
                    ? ["$type": "string"] : stable(member.value)
            }
            return .object(out)
        default: return json
        }
    }

    /// One exchange: the request's path, query, body and the headers that carry credentials; the answer's status,
    /// body (JSON, else raw text) and `Retry-After`.
    static func exchange(_ call: RecordingTransport.Call, secrets: Set<String>) -> JSON {
        let (path, query) = ReplayTransport.split(call.request.url)
        var request: JSONObject = ["method": .string(call.request.method), "path": .string(path)]
        if !query.isEmpty { request["query"] = .object(JSONObject(query.map { ($0.0, .string($0.1)) })) }
        var headers = JSONObject()
        for field in call.request.headers.fields where secrets.contains(where: { field.value.contains($0) }) {
            headers[field.lowercasedName] = .string(field.value)
        }
        if !headers.isEmpty { request["headers"] = .object(headers) }
        request["body"] = call.request.body.flatMap { try? JSONParser.parse($0) } ?? .null
        let response: JSON
        if let reply = call.response {
            var object: JSONObject = ["status": .int(Int64(reply.status))]
            if let json = try? JSONParser.parse(reply.body) { object["body"] = json } else { object["rawBody"] = .string(String(decoding: reply.body, as: UTF8.self)) }
            if let retry = reply.headers["retry-after"] { object["headers"] = ["Retry-After": .string(retry)] }
            response = .object(object)
        } else if call.fault?.kind == .timeout {
            response = ["timeout": true]
        } else {
            response = ["connectionError": true]
        }
        return ["request": .object(request), "response": response]
    }

    static func host(_ url: String) -> String { URL(string: url)?.host ?? "the provider" }
}
