import JSONCore

/// Builds the OpenAPI 3.1 document from the route list and the component schemas.
enum OpenAPIDocument {
    static func build(routes: [APIRoute], version: String) -> JSON {
        var paths = JSONObject()
        let operations = Set(routes.map(\.operationId))
        for route in routes {
            var item = paths[route.path]?.objectValue ?? JSONObject()
            item[route.method.lowercased()] = operation(route, operations: operations)
            paths[route.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Switchboard",
                "version": .string(version),
                "description": "One HTTP API for WhatsApp group messaging in front of many providers.",
                "license": ["name": "Proprietary", "identifier": "LicenseRef-Proprietary"],
            ],
            "servers": [["url": "/"]],
            "security": [["bearerAuth": []], ["apiKeyHeader": []]],
            "paths": .object(paths),
            "components": [
                "schemas": .object(ComponentSchemas.all),
                "responses": .object(ErrorResponses.components),
                "securitySchemes": [
                    "bearerAuth": ["type": "http", "scheme": "bearer", "description": "An API key (sb_…) or an HS256 JWT."],
                    "apiKeyHeader": ["type": "apiKey", "in": "header", "name": "X-Api-Key"],
                ],
            ],
        ]
    }

    private static func operation(_ route: APIRoute, operations: Set<String>) -> JSON {
        var operation: JSONObject = [
            "operationId": .string(route.operationId), "summary": .string(route.summary), "tags": [.string(route.tag)],
        ]
        var parameters: [JSON] = pathParameters(route.path).map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": pathParameterSchema(name)]
        }
        for query in route.query {
            var parameter: JSONObject = ["name": .string(query.name), "in": "query", "required": false, "schema": query.schema, "description": .string(query.description)]
            // Lists are comma-separated (`?type=a,b`), as the handlers read them.
            if query.schema["type"] == "array" { parameter["style"] = "form"; parameter["explode"] = false }
            parameters.append(.object(parameter))
        }
        for header in route.headers {
            parameters.append(["name": .string(header), "in": "header", "required": false, "schema": headerSchema(header)])
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = route.requestBody {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
        }
        var responses = JSONObject()
        for response in route.responses {
            var entry: JSONObject = ["description": .string(response.description)]
            if let schema = response.schema { entry["content"] = .object(JSONObject([(response.contentType, JSON.object(["schema": schema]))])) }
            let limited = route.access == .authenticated || route.access == .admin
            if let headers = ErrorResponses.headers(status: response.status, idempotent: route.headers.contains(Idempotency.header), limited: limited) {
                entry["headers"] = headers
            }
            if let links = OpenAPILinks.links(of: route.operationId, status: response.status, available: operations) { entry["links"] = links }
            responses[String(response.status)] = .object(entry)
        }
        for (status, name) in ErrorResponses.generic(route) where responses[String(status)] == nil {
            responses[String(status)] = ["$ref": .string("#/components/responses/\(name)")]
        }
        responses["default"] = ["description": "An error in the canonical shape.", "content": ["application/json": ["schema": Schema.ref("Error")]]]
        operation["responses"] = .object(JSONObject(responses.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))  // "default" sorts last
        switch route.access {
        case .open, .webhook: operation["security"] = []
        case .authenticated, .admin: break
        }
        if route.access == .admin { operation["description"] = "Admin keys only." }
        return .object(operation)
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// A path parameter's schema: group ids are checked (`Identifiers.validateGroupID`); other names are looked up,
    /// and an unknown one is `404`.
    static func pathParameterSchema(_ name: String) -> JSON {
        switch name {
        case "group": ComponentSchemas.groupID
        default: ["type": "string", "minLength": 1]
        }
    }

    static func headerSchema(_ name: String) -> JSON {
        switch name {
        case Idempotency.header: Schema.string(min: 1, max: 255, pattern: "^[!-~]+$")
        case "Last-Event-ID": Schema.string(min: 1, max: 18, pattern: "^[0-9]+$")
        default: Schema.string
        }
    }
}

/// The error answers shared by many routes (`components.responses`), and which of them a route can give from
/// what it declares: its access rule, path parameters, query, headers and body.
enum ErrorResponses {
    static let components: JSONObject = [
        "InvalidRequest": error("invalid_request: a malformed body, query parameter, path parameter or header."),
        "Unauthenticated": error(
            "unauthenticated: no valid API key or token.", headers: ["WWW-Authenticate": header("The scheme to use: Bearer.", required: true)]),
        "Forbidden": error("forbidden: this route needs an admin key."),
        "NotFound": error("A resource named in the path does not exist, or this key may not see it."),
        "IdempotencyInProgress": error("idempotency_conflict: the first request with this Idempotency-Key is still running; retry later."),
        "PayloadTooLarge": error("payload_too_large: the body is over the server's limit."),
        "RateLimited": error(
            "rate_limited: this API key (or token subject) is over its request rate; retry after Retry-After seconds.", headers: rateLimited),
        "IdempotencyConflict": error("idempotency_conflict: this Idempotency-Key was first used with a different request, or its first request's outcome is unknown (details.outcome)."),
    ]

    static func generic(_ route: APIRoute) -> [(Int, String)] {
        var list: [(Int, String)] = []
        let hasPath = !OpenAPIDocument.pathParameters(route.path).isEmpty
        if hasPath || !route.query.isEmpty || !route.headers.isEmpty || route.requestBody != nil { list.append((400, "InvalidRequest")) }
        if route.access == .authenticated || route.access == .admin { list.append((401, "Unauthenticated")) }
        if route.access == .admin { list.append((403, "Forbidden")) }
        if route.access == .authenticated || route.access == .admin { list.append((429, "RateLimited")) }
        if hasPath { list.append((404, "NotFound")) }
        if route.headers.contains(Idempotency.header) { list += [(409, "IdempotencyInProgress"), (422, "IdempotencyConflict")] }
        if route.requestBody != nil { list.append((413, "PayloadTooLarge")) }
        return list
    }

    /// The headers a declared answer carries: `Retry-After` on refusals worth retrying later, `Idempotent-Replayed`
    /// on the answers a route with `Idempotency-Key` can replay, `RateLimit-*` on every answer to a rate-limited caller.
    static func headers(status: Int, idempotent: Bool, limited: Bool) -> JSON? {
        var headers = limited ? rateLimitHeaders : JSONObject()
        if status == 401 { headers["WWW-Authenticate"] = header("The scheme to use: Bearer.", required: true) }
        if status == 429 || status == 503 { headers["Retry-After"] = retryAfter }
        if idempotent && status < 500 && status != 409 {
            headers["Idempotent-Replayed"] = header("`true` when this is the kept answer of an earlier request with the same Idempotency-Key.", schema: ["const": "true"])
        }
        return headers.count == 0 ? nil : .object(headers)
    }

    /// Sent to callers with a rate limit (scoped keys and tokens by default; admin keys when configured).
    static let rateLimitHeaders: JSONObject = [
        "RateLimit-Limit": header("Requests the caller may make in a burst.", schema: ["type": "string", "pattern": "^[0-9]+$"]),
        "RateLimit-Remaining": header("Requests left in the current burst.", schema: ["type": "string", "pattern": "^[0-9]+$"]),
        "RateLimit-Reset": header("Seconds until the full burst is available again.", schema: ["type": "string", "pattern": "^[0-9]+$"]),
        "RateLimit-Policy": header("The policy: `<burst>;w=<seconds to refill it>`.", schema: ["type": "string", "pattern": "^[0-9]+;w=[0-9]+$"]),
    ]

    static let rateLimited: JSONObject = {
        var headers = rateLimitHeaders
        headers["Retry-After"] = header("Seconds to wait before retrying.", required: true, schema: ["type": "string", "pattern": "^[0-9]+$"])
        return headers
    }()

    static let retryAfter = header("Seconds to wait before retrying.", schema: ["type": "string", "pattern": "^[0-9]+$"])

    static func header(_ description: String, required: Bool = false, schema: JSON = Schema.string) -> JSON {
        var object: JSONObject = ["description": .string(description), "schema": schema]
        if required { object["required"] = true }
        return .object(object)
    }

    static func error(_ description: String, headers: JSONObject = [:]) -> JSON {
        var object: JSONObject = ["description": .string(description), "content": ["application/json": ["schema": Schema.ref("Error")]]]
        if headers.count > 0 { object["headers"] = .object(headers) }
        return .object(object)
    }
}
