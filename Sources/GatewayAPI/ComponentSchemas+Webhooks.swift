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
        let filters: [(String, JSON)] = [
            ("events", ["type": ["array", "null"], "items": Schema.string(min: 1, max: 64), "maxItems": 50]),
            ("sessions", ["type": ["array", "null"], "items": ComponentSchemas.sessionName, "maxItems": 1000]),
            ("description", ["type": ["string", "null"], "maxLength": 200]),
        ]
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
            ("CreateSubscription", Schema.object([("url", Schema.string(min: 1, max: 2048))] + filters, required: ["url"], closed: true)),
            (
                "UpdateSubscription",
                Schema.object([("url", Schema.string(min: 1, max: 2048)), ("status", Schema.enumeration(["active", "disabled"]))] + filters, closed: true)
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
