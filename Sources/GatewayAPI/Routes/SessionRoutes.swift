import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// `GET /v1/sessions`, `GET /v1/sessions/{session}`.
enum SessionRoutes {
    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        [
            APIRoute(
                "POST", "/v1/sessions", id: "createSession", tag: "sessions",
                summary: "Create a session at run time: a native account (phone) or a binding to a configured provider (account).",
                access: .admin,
                body: ["allOf": [Schema.ref("CreateSession"), ["properties": ["provider": Schema.enumeration(env.sessions.providerEntries.map(\.name))]]]],
                responses: [.init(201, "The session.", Schema.ref("Session")), .error(409, "conflict: the session, or its native account, exists already.")],
                handler: .async { request in
                    let body = try request.body()
                    try body.allowOnly(["id", "provider", "phone", "account"])
                    let name = try body.string("id", required: true, maxLength: 64, minLength: 1)!
                    try Identifiers.validateSessionName(name)
                    let provider = try body.string("provider", required: true, maxLength: 64, minLength: 1)!
                    var account = try body.object("account")?.object ?? JSONObject()
                    if let phone = try body.string("phone", maxLength: 32, minLength: 1) { account["phone"] = .string(phone) }
                    let record = try await env.sessions.provisionAndCreate(name: name, provider: provider, account: account, owner: request.caller)
                    return .json(await json(record, env), status: 201)
                }),
            APIRoute(
                "DELETE", "/v1/sessions/{session}", id: "deleteSession", tag: "sessions",
                summary: "Remove a session created through the API (configured ones live in the config file).", access: .admin,
                responses: [.init(204, "Removed.", nil), .error(409, "conflict: a configured session is removed in the configuration file.")],
                handler: .async { request in
                    try await env.sessions.delete(request.parameter("session"), for: request.caller)
                    return HTTPResponse(status: 204)
                }),
            APIRoute(
                "GET", "/v1/sessions", id: "listSessions", tag: "sessions", summary: "Sessions this key may use.",
                responses: [.init(200, "The sessions.", Schema.ref("SessionList"))],
                handler: .async { request in
                    var data: [JSON] = []
                    for record in env.sessions.sessions(for: request.caller) { data.append(await json(record, env)) }
                    return .json(["data": .array(data), "next": .null])
                }),
            APIRoute(
                "GET", "/v1/sessions/{session}", id: "getSession", tag: "sessions", summary: "One session: provider, status, capabilities.",
                responses: [.init(200, "The session.", Schema.ref("Session"))],
                handler: .async { request in
                    let record = try env.sessions.session(request.parameter("session"), for: request.caller)
                    return .json(await json(record, env))
                }),
        ]
    }

    static func json(_ record: SessionRecord, _ env: APIEnvironment) async -> JSON {
        var status = SessionStatus.unknown
        var kind: String? = nil
        var capabilities: [JSON] = []
        if let (binding, entry) = try? env.sessions.resolve(record) {
            status = await entry.adapter.status(of: binding)
            kind = entry.kind
            capabilities = Capability.allCases.filter(entry.adapter.descriptor.capabilities.contains).map { .string($0.rawValue) }
        }
        return [
            "id": .string(record.name), "provider": .string(record.provider), "kind": .string(kind ?? "unknown"),
            "status": .string(status.rawValue), "capabilities": .array(capabilities), "account": .object(record.account),
            "source": .string(record.source.rawValue), "createdAt": .string(record.createdAt.map(Timestamp.iso8601)),
        ]
    }
}
