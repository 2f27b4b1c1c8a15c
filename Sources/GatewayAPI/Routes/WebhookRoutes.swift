import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import Webhooks

/// Outbound webhook subscriptions and their deliveries. Scoped keys manage only the subscriptions they
/// created, for their own sessions.
enum WebhookRoutes {
    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        guard let webhooks = env.webhooks else { return [] }
        let store = webhooks.subscriptions
        let deliveryQuery: [APIRoute.QueryParameter] = [
            .init("status", Schema.enumeration(["pending", "succeeded", "failed"]), "Only deliveries in this state."),
            .init("before", Schema.string(min: 1, max: 64), "Cursor: 'next' of the previous page (newest first)."),
            .init("limit", ["type": "integer", "minimum": 1, "maximum": 500], "Page size (default 100)."),
        ]
        return [
            APIRoute(
                "POST", "/v1/webhooks", id: "createWebhook", tag: "webhooks",
                summary: "Subscribe a URL to canonical events. The signing secret (whsec_…) is in this answer only.",
                body: Schema.ref("CreateSubscription"),
                responses: [
                    .init(201, "The subscription, with its secret.", Schema.ref("SubscriptionCreated")),
                    .error(404, "session_not_found: 'sessions' names a session this key may not use."),
                    .error(409, "conflict: the gateway has its maximum number of subscriptions; delete one first."),
                ],
                handler: .async { request in
                    let body = try request.body()
                    try body.allowOnly(["url", "events", "sessions", "description"])
                    var fields = try await Self.fields(body, urlRequired: true, request.caller, env, webhooks)
                    if !request.caller.isAdmin, (fields.sessions ?? nil) == nil {
                        fields.sessions = .some(env.sessions.sessions(for: request.caller).map(\.name).sorted())
                    }
                    let (subscription, secret) = try await store.create(fields, owner: request.caller)
                    webhooks.refresh()
                    return .json(Self.withSecret(subscription, secret), status: 201)
                }),
            APIRoute(
                "GET", "/v1/webhooks", id: "listWebhooks", tag: "webhooks", summary: "Webhook subscriptions (never their secrets).",
                responses: [.init(200, "The subscriptions.", Schema.ref("SubscriptionList"))],
                handler: .async { request in
                    .json(["data": .array(try store.list(for: request.caller).map(\.json)), "next": .null])
                }),
            APIRoute(
                "GET", "/v1/webhooks/{id}", id: "getWebhook", tag: "webhooks",
                summary: "One subscription: filters, status, and why it was disabled if it was.",
                responses: [.init(200, "The subscription.", Schema.ref("Subscription"))],
                handler: .async { request in .json(try store.get(request.parameter("id"), for: request.caller).json) }),
            APIRoute(
                "PATCH", "/v1/webhooks/{id}", id: "updateWebhook", tag: "webhooks",
                summary: "Change the URL or filters, or set status (active re-enables a disabled endpoint; its backlog is then delivered in order).",
                body: Schema.ref("UpdateSubscription"), responses: [.init(200, "The subscription.", Schema.ref("Subscription"))],
                handler: .async { request in
                    let body = try request.body()
                    try body.allowOnly(["url", "events", "sessions", "description", "status"])
                    var fields = try await Self.fields(body, urlRequired: false, request.caller, env, webhooks)
                    if !request.caller.isAdmin, let sessions = fields.sessions, sessions == nil {
                        throw GatewayError.invalidRequest("A scoped key's subscription must name its sessions.", details: ["field": "sessions"])
                    }
                    fields.status = try body.enumeration("status", Subscription.Status.self)
                    let subscription = try await store.update(request.parameter("id"), fields, for: request.caller)
                    webhooks.refresh()
                    return .json(subscription.json)
                }),
            APIRoute(
                "DELETE", "/v1/webhooks/{id}", id: "deleteWebhook", tag: "webhooks", summary: "Unsubscribe; its deliveries are deleted too.",
                responses: [.init(204, "Deleted.", nil)],
                handler: .async { request in
                    try await store.delete(request.parameter("id"), for: request.caller)
                    webhooks.refresh()
                    return HTTPResponse(status: 204)
                }),
            APIRoute(
                "POST", "/v1/webhooks/{id}/rotate", id: "rotateWebhookSecret", tag: "webhooks",
                summary: "A new signing secret (shown once). For 24 hours deliveries carry signatures by both the new and the previous secret.",
                responses: [.init(200, "The subscription, with its new secret.", Schema.ref("SubscriptionCreated"))],
                handler: .async { request in
                    let (subscription, secret) = try await store.rotate(request.parameter("id"), for: request.caller)
                    return .json(Self.withSecret(subscription, secret))
                }),
            APIRoute(
                "GET", "/v1/webhooks/{id}/deliveries", id: "listWebhookDeliveries", tag: "webhooks",
                summary: "A subscription's deliveries, newest first: status, attempts, last error, next attempt.", query: deliveryQuery,
                responses: [.init(200, "A page of deliveries.", Schema.ref("DeliveryList"))],
                handler: .async { request in
                    let subscription = try store.get(request.parameter("id"), for: request.caller)
                    let status = try request.query("status").map { text throws(GatewayError) -> Delivery.Status in
                        guard let status = Delivery.Status(rawValue: text) else {
                            throw GatewayError.invalidRequest("'status' must be pending, succeeded or failed.", details: ["field": "status"])
                        }
                        return status
                    }
                    let limit = try request.intQuery("limit", default: 100, range: 1...500)
                    let page = try webhooks.deliveries.list(subscription: subscription.id, status: status, before: request.query("before"), limit: limit)
                    let next: JSON = page.count == limit ? page.last.map { .string($0.id) } ?? .null : .null
                    return .json(["data": .array(page.map(\.json)), "next": next])
                }),
            APIRoute(
                "GET", "/v1/webhooks/{id}/deliveries/{delivery}", id: "getWebhookDelivery", tag: "webhooks",
                summary: "One delivery with every attempt (time, duration, status code, error, start of the response).",
                responses: [.init(200, "The delivery.", Schema.ref("DeliveryDetail"))],
                handler: .async { request in
                    let subscription = try store.get(request.parameter("id"), for: request.caller)
                    let (delivery, attempts) = try webhooks.deliveries.get(request.parameter("delivery"), subscription: subscription.id)
                    var json = delivery.json.objectValue!
                    json["attemptLog"] = .array(attempts.map(\.json))
                    return .json(.object(json))
                }),
            APIRoute(
                "POST", "/v1/webhooks/{id}/deliveries/{delivery}/retry", id: "retryWebhookDelivery", tag: "webhooks",
                summary: "Send a failed (dead-lettered) delivery again, with a fresh retry window.",
                responses: [
                    .init(202, "Queued again.", Schema.ref("Delivery")),
                    .error(409, "conflict: only failed deliveries are retried; this one is pending or succeeded."),
                ],
                handler: .async { request in
                    let subscription = try store.get(request.parameter("id"), for: request.caller)
                    let id = request.parameter("delivery")
                    _ = try await webhooks.deliveries.retry(subscription: subscription.id, delivery: id)
                    webhooks.refresh()
                    return .json(try webhooks.deliveries.get(id, subscription: subscription.id).0.json, status: 202)
                }),
            APIRoute(
                "POST", "/v1/webhooks/{id}/retry", id: "retryFailedWebhookDeliveries", tag: "webhooks",
                summary: "Send every failed delivery of the subscription again, in event order.",
                responses: [.init(202, "How many were queued again.", Schema.ref("RetryResult"))],
                handler: .async { request in
                    let subscription = try store.get(request.parameter("id"), for: request.caller)
                    let count = try await webhooks.deliveries.retry(subscription: subscription.id, delivery: nil)
                    webhooks.refresh()
                    return .json(["retried": .int(Int64(count))], status: 202)
                }),
        ]
    }

    /// The subscription with its secret: the one answer that shows it (create, rotate).
    static func withSecret(_ subscription: Subscription, _ secret: WebhookSecret) -> JSON {
        var json = subscription.json.objectValue!
        json["secret"] = .string(secret.text)
        return .object(json)
    }

    /// `url` (checked against the target policy), `events`, `sessions` and `description` of a create or update
    /// body, checked against the caller's scope.
    static func fields(
        _ body: FieldReader, urlRequired: Bool, _ caller: Principal, _ env: APIEnvironment, _ webhooks: WebhookDispatcher
    ) async throws -> SubscriptionStore.Fields {
        var fields = SubscriptionStore.Fields()
        if let url = try body.string("url", required: urlRequired, maxLength: 2048, minLength: 1) {
            _ = try await webhooks.check(url)
            fields.url = url
        }
        if body.has("events") {
            let patterns = try body.stringArray("events", minCount: 1, maxCount: 50, maxLength: 64)
            for pattern in patterns ?? [] where !Self.isKnownPattern(pattern) {
                throw GatewayError.invalidRequest(
                    "Unknown event type '\(pattern)': use a type, a prefix such as 'group.*', or '*'.",
                    details: ["field": "events", "known": .array(EventType.allCases.map { .string($0.rawValue) })])
            }
            fields.events = .some(patterns)
        }
        if body.has("sessions") {
            let names = try body.stringArray("sessions", minCount: 1, maxCount: 1000, maxLength: 64)
            for name in names ?? [] { _ = try env.sessions.session(name, for: caller) }
            fields.sessions = .some(names.map { Array(Set($0)).sorted() })
        }
        if body.has("description") { fields.description = .some(try body.string("description", maxLength: 200)) }
        return fields
    }

    static func isKnownPattern(_ pattern: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return EventType.allCases.contains { $0.rawValue.hasPrefix(pattern.dropLast()) } }
        return EventType(rawValue: pattern) != nil
    }
}
