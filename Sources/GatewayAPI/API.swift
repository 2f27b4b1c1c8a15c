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
    private let calls = InternalCalls()

    public init(environment: APIEnvironment, extraRoutes: [APIRoute] = []) {
        self.environment = environment
        let document = DocumentBox()
        var routes: [APIRoute] = []
        routes += OperationsRoutes.routes(environment, openAPI: { document.bytes })
        routes += DashboardRoutes.routes()
        routes += ProviderRoutes.routes(environment)
        routes += SessionRoutes.routes(environment)
        routes += GroupRoutes.routes(environment)
        routes += MessageRoutes.routes(environment)
        routes += EventRoutes.routes(environment)
        routes += InboundRoutes.routes(environment)
        routes += KeyRoutes.routes(environment)
        routes += WebhookRoutes.routes(environment)
        routes += NativeSocketRoutes.routes(environment, hub: DeviceHub(log: environment.events, metrics: environment.metrics), calls: calls)
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
                    return try admission.finish { try body(APIRequest(context: context, principal: admission.principal)) }
                }
            case .async(let body) where route.headers.contains(Idempotency.header):
                handler = .async(
                    Idempotency.wrap(
                        route: route.operationId, store: environment.idempotency, renderer: ErrorRenderer(logger: environment.logger),
                        admit: gate.admit, body: body))
            case .async(let body):
                handler = .async { context in
                    let admission = try gate.admit(context)
                    return try await admission.finish { try await body(APIRequest(context: context, principal: admission.principal)) }
                }
            case .fast(let fast, let slow):
                handler = .inlineOrAsync(
                    inline: { context in
                        guard let admission = try gate.admitFromCache(context) else { return nil }
                        guard let response = try admission.finish({ try fast(APIRequest(context: context, principal: admission.principal)) }) else {
                            admission.refund()
                            return nil
                        }
                        return response
                    },
                    async: { context in
                        let admission = try gate.admit(context)
                        return try await admission.finish { try await slow(APIRequest(context: context, principal: admission.principal)) }
                    })
            case .deferred(let body):
                precondition(route.access == .open || route.access == .webhook, "\(route.operationId): a deferred handler runs on the event loop, which must not look keys up")
                handler = .deferred { context, respond in
                    let admission = try gate.admit(context)
                    try body(APIRequest(context: context, principal: admission.principal), respond)
                }
            }
            if route.operationId == "sendMessage", case .async(let send) = handler { calls.sendMessage = send }
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

/// An admitted request: its caller, and the rate-limit headers its answer carries — a failure's too.
struct Admission: Sendable {
    let principal: Principal?
    let quota: RateLimiter.Quota?
    let limiter: RateLimiter?

    /// The handler's answer with the caller's `RateLimit-*` headers; its error carries them to the renderer.
    func finish<Answer>(_ handler: () throws -> Answer) throws -> Answer where Answer: RateLimited {
        do { return stamp(try handler()) } catch { throw annotated(error) }
    }

    func finish<Answer>(_ handler: () async throws -> Answer) async throws -> Answer where Answer: RateLimited {
        do { return stamp(try await handler()) } catch { throw annotated(error) }
    }

    private func stamp<Answer: RateLimited>(_ answer: Answer) -> Answer {
        guard let quota else { return answer }
        return answer.stamped(quota)
    }

    private func annotated(_ error: any Error) -> any Error {
        guard let quota else { return error }
        return RateLimiter.Annotated(underlying: error, quota: quota)
    }

    /// Gives the request's token back (the fast path handed over to the slow one, which takes its own).
    func refund() {
        if let principal, quota != nil { limiter?.refund(principal) }
    }
}

/// An answer that can carry `RateLimit-*` headers: a response, or a response not produced yet (the fast path).
protocol RateLimited {
    func stamped(_ quota: RateLimiter.Quota) -> Self
}

extension HTTPResponse: RateLimited {
    func stamped(_ quota: RateLimiter.Quota) -> HTTPResponse {
        var response = self
        quota.apply(to: &response.headers)
        return response
    }
}

extension Optional: RateLimited where Wrapped == HTTPResponse {
    func stamped(_ quota: RateLimiter.Quota) -> HTTPResponse? { map { $0.stamped(quota) } }
}

/// Holds the rendered OpenAPI document for the route that serves it (set once, read many times).
private final class DocumentBox: @unchecked Sendable {
    var bytes: [UInt8] = []
}
