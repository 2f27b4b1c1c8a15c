import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import Support

/// Admin-only key management: `POST/GET /v1/keys`, `DELETE /v1/keys/{key}`.
enum KeyRoutes {
    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        [
            APIRoute(
                "POST", "/v1/keys", id: "createKey", tag: "keys", summary: "Create an API key (its secret is shown once).", access: .admin,
                body: Schema.ref("CreateApiKey"), responses: [.init(201, "The key, with its secret.", Schema.ref("ApiKeyCreated"))],
                handler: .async { request in
                    let body = try request.body()
                    try body.allowOnly(["name", "admin", "sessions", "expiresInSeconds"])
                    let name = try body.string("name", required: true, maxLength: 100, minLength: 1)!
                    let admin = try body.bool("admin") ?? false
                    let sessions = try body.stringArray("sessions", maxCount: 1000, maxLength: 64)
                    for session in sessions ?? [] { try Identifiers.validateSessionName(session) }
                    if admin && sessions != nil {
                        throw GatewayError.invalidRequest("An admin key sees every session; give 'sessions' only for scoped keys.", details: ["field": "sessions"])
                    }
                    if !admin && sessions == nil {
                        throw GatewayError.invalidRequest("A scoped key needs 'sessions' (or set 'admin': true).", details: ["field": "sessions"])
                    }
                    let expires = try body.int("expiresInSeconds", range: 60...315_360_000)
                    let expiresAt = expires.map { env.clock.now().addingTimeInterval(Double($0)) }
                    let (info, key) = try await env.keys.create(name: name, admin: admin, sessions: admin ? nil : sessions, expiresAt: expiresAt)
                    var json = info.json.objectValue!
                    json["key"] = .string(key.value)
                    return .json(.object(json), status: 201)
                }),
            APIRoute(
                "GET", "/v1/keys", id: "listKeys", tag: "keys", summary: "API keys (never their secrets).", access: .admin,
                responses: [.init(200, "The keys.", Schema.ref("ApiKeyList"))],
                handler: .async { _ in
                    .json(["data": .array(try env.keys.list().map(\.json)), "next": .null])
                }),
            APIRoute(
                "DELETE", "/v1/keys/{key}", id: "revokeKey", tag: "keys", summary: "Revoke an API key; it stops working at once.",
                access: .admin, responses: [.init(204, "Revoked.", nil)],
                handler: .async { request in
                    let id = request.parameter("key")
                    guard try await env.keys.revoke(id) else { throw GatewayError.keyNotFound(id) }
                    return HTTPResponse(status: 204)
                }),
        ]
    }
}
