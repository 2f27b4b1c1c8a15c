import GatewayCore
import GroupModel
import HTTPCore
import HTTPServer
import JSONCore

/// The canonical API: all routes, wrapped with authentication, turned into a router and an OpenAPI document.
public struct API: Sendable {
    public let routes: [APIRoute]
    public let openAPI: JSON
    private let environment: APIEnvironment

    public init(environment: APIEnvironment, extraRoutes: [APIRoute] = []) {
        self.environment = environment
        let document = DocumentBox()
        var routes: [APIRoute] = []
        routes += OperationsRoutes.routes(environment, openAPI: { document.bytes })
        routes += ProviderRoutes.routes(environment)
        routes += SessionRoutes.routes(environment)
        routes += GroupRoutes.routes(environment)
        routes += MessageRoutes.routes(environment)
        routes += EventRoutes.routes(environment)
        routes += InboundRoutes.routes(environment)
        routes += KeyRoutes.routes(environment)
        routes += WebhookRoutes.routes(environment)
        routes += extraRoutes
        self.routes = routes
        openAPI = OpenAPIDocument.build(routes: routes, version: environment.version)
        document.bytes = JSONWriter(pretty: true).bytes(openAPI)
    }

    /// The router: each handler wrapped with the route's access rule.
    public func makeRouter() -> Router {
        var router = Router()
        for route in routes {
            let authenticator = environment.authenticator
            let access = route.access
            let handler: RouteHandler
            switch route.handler {
            case .inline(let body):
                handler = .inline { context in
                    try body(APIRequest(context: context, principal: try API.authorize(access, context, authenticator)))
                }
            case .async(let body) where route.headers.contains(Idempotency.header):
                handler = .async(
                    Idempotency.wrap(
                        route: route.operationId, store: environment.idempotency, renderer: ErrorRenderer(logger: environment.logger),
                        authorize: { context in try API.authorize(access, context, authenticator) }, body: body))
            case .async(let body):
                handler = .async { context in
                    try await body(APIRequest(context: context, principal: try API.authorize(access, context, authenticator)))
                }
            case .fast(let fast, let slow):
                handler = .inlineOrAsync(
                    inline: { context in
                        guard let principal = try API.authorizeFromCache(access, context, authenticator) else { return nil }
                        return try fast(APIRequest(context: context, principal: principal))
                    },
                    async: { context in
                        try await slow(APIRequest(context: context, principal: try API.authorize(access, context, authenticator)))
                    })
            }
            router.add(Route(route.method, route.path, handler))
        }
        return router
    }

    /// The caller from cached credentials only (never touching the database); nil to take the slow path.
    static func authorizeFromCache(_ access: APIRoute.Access, _ context: RequestContext, _ authenticator: Authenticator) throws -> Principal? {
        guard access == .authenticated || access == .admin, let principal = authenticator.cachedPrincipal(context.request.headers) else { return nil }
        if access == .admin && !principal.isAdmin { return nil }
        return principal
    }

    static func authorize(_ access: APIRoute.Access, _ context: RequestContext, _ authenticator: Authenticator) throws -> Principal? {
        switch access {
        case .open, .webhook: return nil
        case .authenticated: return try authenticator.authenticate(context.request.headers)
        case .admin:
            let principal = try authenticator.authenticate(context.request.headers)
            guard principal.isAdmin else { throw GatewayError.forbidden("This route needs an admin key.") }
            return principal
        }
    }
}

/// Holds the rendered OpenAPI document for the route that serves it (set once, read many times).
private final class DocumentBox: @unchecked Sendable {
    var bytes: [UInt8] = []
}
