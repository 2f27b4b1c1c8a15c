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

    /// The router: each handler wrapped with the route's access rule and the caller's rate limit.
    public func makeRouter() -> Router {
        var router = Router()
        for route in routes {
            let gate = Gate(access: route.access, authenticator: environment.authenticator, limiter: environment.rateLimiter)
            let handler: RouteHandler
            switch route.handler {
            case .inline(let body):
                handler = .inline { context in
                    let admission = try gate.admit(context)
                    return admission.finish(try body(APIRequest(context: context, principal: admission.principal)))
                }
            case .async(let body) where route.headers.contains(Idempotency.header):
                handler = .async(
                    Idempotency.wrap(
                        route: route.operationId, store: environment.idempotency, renderer: ErrorRenderer(logger: environment.logger),
                        admit: gate.admit, body: body))
            case .async(let body):
                handler = .async { context in
                    let admission = try gate.admit(context)
                    return admission.finish(try await body(APIRequest(context: context, principal: admission.principal)))
                }
            case .fast(let fast, let slow):
                handler = .inlineOrAsync(
                    inline: { context in
                        guard let admission = try gate.admitFromCache(context) else { return nil }
                        guard let response = try fast(APIRequest(context: context, principal: admission.principal)) else {
                            admission.refund()
                            return nil
                        }
                        return admission.finish(response)
                    },
                    async: { context in
                        let admission = try gate.admit(context)
                        return admission.finish(try await slow(APIRequest(context: context, principal: admission.principal)))
                    })
            }
            router.add(Route(route.method, route.path, handler))
        }
        return router
    }
}

/// A route's way in: who may call it (its access rule) and how often (the caller's rate limit).
struct Gate: Sendable {
    let access: APIRoute.Access
    let authenticator: Authenticator
    let limiter: RateLimiter?

    /// The caller of an admitted request: authenticated, allowed on the route, within its rate limit.
    func admit(_ context: RequestContext) throws -> Admission {
        switch access {
        case .open, .webhook: return Admission(principal: nil, quota: nil, limiter: nil)
        case .authenticated: return try admit(try authenticator.authenticate(context.request.headers))
        case .admin:
            let principal = try authenticator.authenticate(context.request.headers)
            guard principal.isAdmin else { throw GatewayError.forbidden("This route needs an admin key.") }
            return try admit(principal)
        }
    }

    /// `admit` from cached credentials only (never touching the database); nil to take the slow path.
    func admitFromCache(_ context: RequestContext) throws -> Admission? {
        guard access == .authenticated || access == .admin, let principal = authenticator.cachedPrincipal(context.request.headers) else { return nil }
        if access == .admin && !principal.isAdmin { return nil }
        return try admit(principal)
    }

    private func admit(_ principal: Principal) throws -> Admission {
        Admission(principal: principal, quota: try limiter?.take(principal), limiter: limiter)
    }
}

/// An admitted request: its caller, and the rate-limit headers its answer carries.
struct Admission: Sendable {
    let principal: Principal?
    let quota: RateLimiter.Quota?
    let limiter: RateLimiter?

    func finish(_ response: HTTPResponse) -> HTTPResponse {
        guard let quota else { return response }
        var response = response
        quota.apply(to: &response.headers)
        return response
    }

    /// Gives the request's token back (the fast path handed over to the slow one, which takes its own).
    func refund() {
        if let principal, quota != nil { limiter?.refund(principal) }
    }
}

/// Holds the rendered OpenAPI document for the route that serves it (set once, read many times).
private final class DocumentBox: @unchecked Sendable {
    var bytes: [UInt8] = []
}
