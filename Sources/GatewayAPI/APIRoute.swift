import GatewayCore
import GroupModel
import HTTPCore
import HTTPServer
import JSONCore

/// One API route: how it runs, who may call it, and how it is documented. The router and `/openapi.json` are
/// both generated from the same list, so the document cannot drift from what the server answers.
public struct APIRoute: Sendable {
    public enum Access: Sendable {
        /// No key needed (health, metrics, the OpenAPI document, the dashboard).
        case open
        /// Any valid key; the handler checks session scope.
        case authenticated
        /// Admin keys only.
        case admin
        /// Authenticated by the provider's webhook scheme, not by an API key.
        case webhook
    }

    public enum Handler: Sendable {
        /// Never blocks: runs on the event loop.
        case inline(@Sendable (APIRequest) throws -> HTTPResponse)
        case async(@Sendable (APIRequest) async throws -> HTTPResponse)
        /// A read that can often be answered from memory: `fast` runs on the event loop and must not block; it
        /// answers nil to fall back to `slow`. Authentication on the fast path uses only cached keys.
        case fast(@Sendable (APIRequest) throws -> HTTPResponse?, slow: @Sendable (APIRequest) async throws -> HTTPResponse)
        /// Starts on the event loop (it must not block) and calls `respond` once, from any thread: for work that
        /// ends in a database write's callback. Only on routes that need no key lookup (`.open`, `.webhook`).
        case deferred(@Sendable (APIRequest, _ respond: @escaping RouteHandler.Respond) throws -> Void)
    }

    public struct QueryParameter: Sendable {
        public let name: String
        public let schema: JSON
        public let description: String

        public init(_ name: String, _ schema: JSON, _ description: String) {
            self.name = name
            self.schema = schema
            self.description = description
        }
    }

    public struct Response: Sendable {
        public let status: Int
        public let description: String
        /// A JSON schema for `application/json`, or nil for no body.
        public let schema: JSON?
        /// Another content type (`text/plain`, `text/event-stream`, `text/html`).
        public let contentType: String

        public init(_ status: Int, _ description: String, _ schema: JSON?, contentType: String = "application/json") {
            self.status = status
            self.description = description
            self.schema = schema
            self.contentType = contentType
        }
    }

    public let method: String
    public let path: String
    public let operationId: String
    public let summary: String
    public let tag: String
    public let access: Access
    public let query: [QueryParameter]
    public let requestBody: JSON?
    public let responses: [Response]
    public let headers: [String]
    public let handler: Handler

    public init(
        _ method: String, _ path: String, id operationId: String, tag: String, summary: String, access: Access = .authenticated,
        query: [QueryParameter] = [], body requestBody: JSON? = nil, responses: [Response], headers: [String] = [], handler: Handler
    ) {
        self.method = method
        self.path = path
        self.operationId = operationId
        self.summary = summary
        self.tag = tag
        self.access = access
        self.query = query
        self.requestBody = requestBody
        self.responses = responses
        self.headers = headers
        self.handler = QueryValidation(query).wrap(handler)
    }
}

extension APIRoute.Response {
    /// An error answer in the canonical shape.
    public static func error(_ status: Int, _ description: String) -> APIRoute.Response {
        APIRoute.Response(status, description, Schema.ref("Error"))
    }

    /// What a call through a session's provider can answer besides success (DESIGN §5).
    public static let providerErrors: [APIRoute.Response] = [
        .error(403, "not_group_admin: only group admins may do this; or forbidden."),
        .error(404, "session_not_found, group_not_found or message_not_found."),
        .error(409, "session_not_ready, group_ambiguous, conflict, or the first request with this Idempotency-Key is still running."),
        .error(429, "rate_limited: the provider refuses for now; retry after Retry-After."),
        .error(501, "unsupported_operation: the session's provider does not offer this."),
        .error(502, "provider_rejected: the provider refused the call."),
        .error(503, "provider_unavailable: the provider cannot be reached, or its circuit is open; retry after Retry-After."),
        .error(504, "provider_timeout: the provider did not answer in time; the outcome is unknown."),
    ]
}

/// What a route handler gets: the request, its parameters, and the authenticated caller.
public struct APIRequest: Sendable {
    public let context: RequestContext
    /// Set for authenticated and admin routes.
    public let principal: Principal?

    public var request: HTTPRequest { context.request }
    public var requestId: String { context.requestId }

    /// A path parameter (percent-decoded).
    public func parameter(_ name: String) -> String { context.parameter(name) }

    /// A query parameter.
    public func query(_ name: String) -> String? { context.request.queryValue(name) }

    /// The caller; authenticated routes always have one.
    public var caller: Principal {
        guard let principal else { preconditionFailure("route declared open but uses the caller") }
        return principal
    }

    /// The JSON body, refusing non-JSON content types and malformed JSON with clear messages.
    public func body(emptyIsObject: Bool = false) throws(GatewayError) -> FieldReader {
        if !request.body.isEmpty, let type = request.headers["content-type"]?.lowercased(),
            !type.hasPrefix("application/json") && !type.contains("+json")
        {
            throw GatewayError.invalidRequest("Send the body as 'Content-Type: application/json'.")
        }
        return try FieldReader.body(request.body, emptyIsObject: emptyIsObject)
    }

    public func json(emptyIsObject: Bool = false) throws(GatewayError) -> JSON { .object(try body(emptyIsObject: emptyIsObject).object) }

    /// A bounded integer query parameter.
    public func intQuery(_ name: String, default value: Int, range: ClosedRange<Int>) throws(GatewayError) -> Int {
        guard let text = query(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw GatewayError.invalidRequest("Query parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }
}
