import GroupModel
import JSONCore

/// The component schemas of the OpenAPI document: the canonical shapes of DESIGN §3.
enum ComponentSchemas {
    static var all: JSONObject {
        var schemas = JSONObject()
        for (name, schema) in core + resources + groups + requests + webhooks { schemas[name] = schema }
        return schemas
    }

    static let core: [(String, JSON)] = [
        (
            "Error",
            Schema.object(
                [
                    (
                        "error",
                        Schema.object(
                            [
                                ("code", Schema.string), ("message", Schema.string), ("status", Schema.integer),
                                ("provider", Schema.string), ("retryable", Schema.boolean), ("details", Schema.anyValue),
                                ("retryAfter", Schema.integer),
                            ], required: ["code", "message", "status", "retryable"])
                    )
                ], required: ["error"])
        ),
        ("Health", Schema.object([("status", Schema.string)], required: ["status"])),
        (
            "Readiness",
            Schema.object([("status", Schema.enumeration(["ready", "not_ready"])), ("checks", ["type": "object", "additionalProperties": Schema.string])], required: ["status", "checks"])
        ),
    ]

    static let resources: [(String, JSON)] = [
        (
            "Provider",
            Schema.object(
                [
                    ("kind", Schema.string), ("name", Schema.string),
                    ("capabilities", Schema.array(Schema.enumeration(Capability.allCases.map(\.rawValue)))),
                    ("events", Schema.array(Schema.enumeration(EventType.allCases.map(\.rawValue)))),
                    ("limits", ["type": "object"]), ("emulations", ["type": "object", "additionalProperties": Schema.string]),
                    ("webhookAuth", Schema.string), ("configured", Schema.array(Schema.string)),
                ], required: ["kind", "name", "capabilities", "events", "limits", "emulations", "webhookAuth"])
        ),
        ("ProviderList", Schema.page("Provider")),
        (
            "Session",
            Schema.object(
                [
                    ("id", Schema.string), ("provider", Schema.string), ("kind", Schema.string),
                    ("status", Schema.enumeration(["provisioning", "awaiting_qr", "awaiting_pair_code", "connecting", "ready", "disconnected", "logged_out", "locked", "failed", "unknown"])),
                    ("capabilities", Schema.array(Schema.string)), ("account", ["type": "object"]),
                    ("source", Schema.enumeration(["config", "api"])), ("createdAt", Schema.nullableDateTime),
                ], required: ["id", "provider", "kind", "status", "capabilities", "account", "source", "createdAt"])
        ),
        ("SessionList", Schema.page("Session")),
        (
            "ApiKey",
            Schema.object(
                [
                    ("id", Schema.string), ("name", Schema.string), ("admin", Schema.boolean),
                    ("sessions", ["type": ["array", "null"], "items": Schema.string]), ("createdAt", Schema.dateTime),
                    ("expiresAt", Schema.nullableDateTime), ("revokedAt", Schema.nullableDateTime),
                ], required: ["id", "name", "admin", "sessions", "createdAt", "expiresAt", "revokedAt"])
        ),
        (
            "ApiKeyCreated",
            Schema.object(
                [
                    ("id", Schema.string), ("name", Schema.string), ("admin", Schema.boolean),
                    ("sessions", ["type": ["array", "null"], "items": Schema.string]), ("createdAt", Schema.dateTime),
                    ("expiresAt", Schema.nullableDateTime), ("revokedAt", Schema.nullableDateTime),
                    ("key", Schema.string(pattern: "^sb_")),
                ], required: ["id", "name", "admin", "sessions", "key"])
        ),
        ("ApiKeyList", Schema.page("ApiKey")),
        (
            "CreateApiKey",
            ({
                var schema = Schema.object(
                    [
                        ("name", Schema.string(min: 1, max: 100)),
                        ("admin", Schema.boolean),
                        ("sessions", Schema.array(Schema.string(min: 1, max: 64, pattern: "^[a-z0-9][a-z0-9_-]{0,63}$"), maxItems: 1000)),
                        ("expiresInSeconds", ["type": "integer", "minimum": 60, "maximum": 315_360_000]),
                    ], required: ["name"], closed: true,
                    description: "An admin key ('admin': true) sees every session and has no 'sessions'; any other key is scoped to 'sessions'."
                ).objectValue!
                schema["oneOf"] = [
                    ["required": ["admin"], "properties": ["admin": ["const": true], "sessions": ["type": "null"]]],
                    ["required": ["sessions"], "properties": ["admin": ["enum": [false, .null]], "sessions": ["type": "array"]]],
                ]
                return .object(schema)
            })()
        ),
    ]
}
