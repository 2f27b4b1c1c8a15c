import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// Provider webhooks in (`/v1/inbound`, authenticated by the provider's signature or URL token, not an API key),
/// the stateless normalizer (`/v1/normalize`), and payload drift per provider.
enum InboundRoutes {
    /// Webhooks up to this size are verified and parsed on the event loop (typical ones are a few KiB).
    static let onLoopBodyLimit = 64 << 10

    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        [
            APIRoute(
                "POST", "/v1/inbound/{provider}/{session}", id: "receiveWebhook", tag: "inbound",
                summary: "A provider's webhook for a session: verified with the provider's scheme (signature, or ?token= for unsigned providers), stored, normalized into canonical events (deduplicated).",
                access: .open, body: ["type": "object"],
                responses: [
                    .init(200, "Accepted (the provider's expected acknowledgement).", ["type": "object"]),
                    .init(401, "invalid_signature: a bad, stale or missing signature or token — or an unknown provider or session, which get the same answer.", Schema.ref("Error")),
                    .init(404, "This gateway receives no provider webhooks.", Schema.ref("Error")),
                ],
                // Verified and normalized on the event loop, answered from the writer's callback: no task on the
                // cooperative pool either side of the write. A big payload (up to the body limit) is verified and
                // parsed on the pool instead, so the loop's other connections do not wait behind it.
                handler: .deferred { request, respond in
                    guard let inbound = env.inbound else { throw GatewayError.notFound("This gateway receives no provider webhooks.") }
                    let webhook = InboundWebhook(headers: request.request.headers, body: request.request.body, query: request.request.queryItems)
                    let (provider, session) = (request.parameter("provider"), request.parameter("session"))
                    let receive: @Sendable () -> Void = {
                        inbound.receive(provider: provider, session: session, webhook: webhook) { result in
                            respond(result.map { outcome in
                                var body = outcome.acknowledgement.body.objectValue ?? JSONObject()
                                body["events"] = .int(Int64(outcome.appended))
                                body["duplicates"] = .int(Int64(outcome.duplicates))
                                return .json(.object(body), status: outcome.acknowledgement.status)
                            }.mapError { $0 })
                        }
                    }
                    if webhook.body.count > InboundRoutes.onLoopBodyLimit { Task { receive() } } else { receive() }
                }),
            APIRoute(
                "POST", "/v1/normalize/{provider}", id: "normalizeWebhook", tag: "inbound",
                summary: "Stateless: a provider payload (by provider kind) in, its canonical events out. Nothing is verified or stored.",
                body: ["type": "object"],
                responses: [.init(200, "The canonical events.", Schema.ref("EventList"))],
                handler: .inline { request in
                    let kind = request.parameter("provider")
                    guard let normalizer = env.normalizers[kind] else {
                        throw GatewayError.notFound("No provider kind '\(kind)' has webhooks; known: \(env.normalizers.keys.sorted().joined(separator: ", ")).")
                    }
                    _ = try request.json()
                    let webhook = InboundWebhook(headers: request.request.headers, body: request.request.body, query: request.request.queryItems)
                    let events = try normalizer.normalize(webhook, context: NormalizeContext(session: request.query("session") ?? "normalize", receivedAt: env.clock.now()))
                    return .json(["data": .array(events.map(\.json)), "next": .null])
                }),
            APIRoute(
                "GET", "/v1/providers/{provider}/drift", id: "getProviderDrift", tag: "providers",
                summary: "Payload drift of a configured provider's webhooks: per event kind, fields that appeared after the first payload and fields the latest lacked.",
                access: .admin,
                responses: [.init(200, "The drift report.", ["type": "object"])],
                handler: .async { request in
                    let name = request.parameter("provider")
                    guard env.sessions.provider(named: name) != nil else {
                        throw GatewayError.notFound("No provider named '\(name)' is configured.")
                    }
                    return .json(try PayloadDrift.report(provider: name, database: env.database))
                }),
        ]
    }
}
