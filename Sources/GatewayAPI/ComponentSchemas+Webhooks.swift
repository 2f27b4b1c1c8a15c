import GroupModel
import JSONCore

/// Schemas of outbound webhook subscriptions and their deliveries.
extension ComponentSchemas {
    static let webhooks: [(String, JSON)] = {
        let subscription: [(String, JSON)] = [
            ("id", Schema.string), ("url", Schema.string), ("events", ["type": ["array", "null"], "items": Schema.string]),
            ("sessions", ["type": ["array", "null"], "items": Schema.string]), ("description", Schema.nullableString),
            ("status", Schema.enumeration(["active", "disabled"])), ("disabledReason", Schema.nullableString), ("disabledAt", Schema.nullableDateTime),
            ("failingSince", Schema.nullableDateTime), ("previousSecretExpiresAt", Schema.nullableDateTime), ("createdAt", Schema.dateTime),
            ("updatedAt", Schema.dateTime),
        ]
        let required = ["id", "url", "events", "sessions", "status", "createdAt"]
        // An event filter is a type, a prefix of types ('group.*', 'group.participants.*') or '*' (WebhookRoutes.isKnownPattern).
        let prefixes = EventType.allCases.flatMap { type in
            let parts = type.rawValue.split(separator: ".")
            return (1..<parts.count).map { parts[..<$0].joined(separator: ".") + ".*" }
        }
        var patterns = ["*"]
        for pattern in prefixes + EventType.allCases.map(\.rawValue) where !patterns.contains(pattern) { patterns.append(pattern) }
        let filters: [(String, JSON)] = [
            ("events", ["type": ["array", "null"], "items": Schema.enumeration(patterns), "minItems": 1, "maxItems": 50]),
            ("sessions", ["type": ["array", "null"], "items": ComponentSchemas.sessionName, "minItems": 1, "maxItems": 1000]),
            ("description", ["type": ["string", "null"], "maxLength": 200]),
        ]
        var urlSchema = Schema.string(min: 1, max: 2048, pattern: "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\\s]+").objectValue!
        urlSchema["description"] = "An absolute http(s) URL with a host, without credentials or fragment; unless private targets are allowed, its host must resolve to public addresses only."
        let url = JSON.object(urlSchema)
        let delivery: [(String, JSON)] = [
            ("id", Schema.string), ("subscription", Schema.string), ("eventId", Schema.string), ("eventType", Schema.string), ("cursor", Schema.string),
            ("status", Schema.enumeration(["pending", "succeeded", "failed"])), ("attempts", Schema.integer), ("nextAttemptAt", Schema.nullableDateTime),
            ("lastAttemptAt", Schema.nullableDateTime), ("lastStatusCode", Schema.nullableInteger), ("lastError", Schema.nullableString),
            ("deliveredAt", Schema.nullableDateTime), ("createdAt", Schema.dateTime),
        ]
        let attempt = Schema.object(
            [
                ("number", Schema.integer), ("at", Schema.dateTime), ("durationMs", ["type": "number"]), ("statusCode", Schema.nullableInteger),
                ("error", Schema.nullableString), ("response", Schema.nullableString),
            ], required: ["number", "at", "durationMs", "statusCode", "error"])
        return [
            ("Subscription", Schema.object(subscription, required: required)),
            (
                "SubscriptionCreated",
                Schema.object(subscription + [("secret", Schema.string(pattern: "^whsec_"))], required: required + ["secret"])
            ),
            ("SubscriptionList", Schema.page("Subscription")),
            ("CreateSubscription", Schema.object([("url", url)] + filters, required: ["url"], closed: true)),
            (
                "UpdateSubscription",
                Schema.object([("url", url), ("status", Schema.enumeration(["active", "disabled"]))] + filters, closed: true)
            ),
            ("Delivery", Schema.object(delivery, required: ["id", "subscription", "eventId", "status", "attempts"])),
            ("DeliveryList", Schema.page("Delivery")),
            (
                "DeliveryDetail",
                Schema.object(delivery + [("attemptLog", Schema.array(attempt))], required: ["id", "subscription", "eventId", "status", "attempts", "attemptLog"])
            ),
            ("RetryResult", Schema.object([("retried", Schema.integer)], required: ["retried"])),
        ]
    }()
}
