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
