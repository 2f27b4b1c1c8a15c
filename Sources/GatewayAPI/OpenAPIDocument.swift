import JSONCore

/// Builds the OpenAPI 3.1 document from the route list and the component schemas.
enum OpenAPIDocument {
    static func build(routes: [APIRoute], version: String) -> JSON {
        var paths = JSONObject()
        for route in routes {
            var item = paths[route.path]?.objectValue ?? JSONObject()
            item[route.method.lowercased()] = operation(route)
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
                "securitySchemes": [
                    "bearerAuth": ["type": "http", "scheme": "bearer", "description": "An API key (sb_…) or an HS256 JWT."],
                    "apiKeyHeader": ["type": "apiKey", "in": "header", "name": "X-Api-Key"],
                ],
            ],
        ]
    }

    private static func operation(_ route: APIRoute) -> JSON {
        var operation: JSONObject = [
            "operationId": .string(route.operationId), "summary": .string(route.summary), "tags": [.string(route.tag)],
        ]
        var parameters: [JSON] = pathParameters(route.path).map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string", "minLength": 1]]
        }
        for query in route.query {
            parameters.append(["name": .string(query.name), "in": "query", "required": false, "schema": query.schema, "description": .string(query.description)])
        }
        for header in route.headers {
            parameters.append(["name": .string(header), "in": "header", "required": false, "schema": ["type": "string", "maxLength": 255]])
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = route.requestBody {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
        }
        var responses = JSONObject()
        for response in route.responses {
            var entry: JSONObject = ["description": .string(response.description)]
            if let schema = response.schema { entry["content"] = .object(JSONObject([(response.contentType, JSON.object(["schema": schema]))])) }
            responses[String(response.status)] = .object(entry)
        }
        responses["default"] = ["description": "An error in the canonical shape.", "content": ["application/json": ["schema": Schema.ref("Error")]]]
        operation["responses"] = .object(responses)
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
}
