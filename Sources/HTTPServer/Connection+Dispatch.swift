import HTTPCore
import Support

/// Handing a parsed request to its route: inline on the loop, as a task, or deferred (answered from another thread),
/// and taking the answer back to this connection's loop.
extension Connection {
    func dispatch(_ head: HTTPRequestHead, body: [UInt8]) {
        inFlight = true
        let server = loop.server
        let request = HTTPRequest(method: head.method, target: head.target, versionMinor: head.versionMinor, headers: head.headers, body: body)
        let exchange = Exchange(
            started: Monotonic.nanoseconds(), method: head.method, headOnly: head.method == "HEAD",
            keepAlive: head.keepAlive && !server.isShuttingDown, versionMinor: head.versionMinor,
            requestId: RequestID.accept(head.headers["x-request-id"], loop: loop))
        let route: Route
        let parameters: [String: String]
        do {
            (route, parameters) = try server.router.match(method: head.method, path: request.path)
        } catch {
            guard let fallback = server.router.fallback else {
                finish(exchange, route: nil, response: server.render(error, requestId: exchange.requestId))
                return
            }
            (route, parameters) = (fallback, [:])
        }
        let context = RequestContext(
            request: request, parameters: parameters, route: route.pattern, requestId: exchange.requestId, remoteAddress: remote,
            logger: server.logger)
        let asyncHandler: @Sendable (RequestContext) async throws -> HTTPResponse
        switch route.handler {
        case .inline(let handler):
            let response: HTTPResponse
            do { response = try handler(context) } catch { response = server.render(error, requestId: exchange.requestId) }
            finish(exchange, route: route.pattern, response: response)
            return
        case .async(let handler):
            asyncHandler = handler
        case .inlineOrAsync(let inline, let handler):
            do {
                if let response = try inline(context) {
                    finish(exchange, route: route.pattern, response: response)
                    return
                }
            } catch {
                finish(exchange, route: route.pattern, response: server.render(error, requestId: exchange.requestId))
                return
            }
            asyncHandler = handler
        case .deferred(let handler):
            let respond = answer(exchange, route: route.pattern)
            // Exactly once: a second answer would be taken for the connection's next request.
            let answered = LockedValue(false)
            let once: RouteHandler.Respond = { result in
                guard !answered.withLock({ done in defer { done = true }; return done }) else { return }
                switch result {
                case .success(let response): respond(response)
                case .failure(let error): respond(server.render(error, requestId: exchange.requestId))
                }
            }
            do { try handler(context, once) } catch { once(.failure(error)) }
            return
        }
        let respond = answer(exchange, route: route.pattern)
        Task {
            let response: HTTPResponse
            do { response = try await asyncHandler(context) } catch { response = server.render(error, requestId: exchange.requestId) }
            respond(response)
        }
    }

    /// Takes a response from any thread back to this connection's loop (recorded only, when the client has gone).
    private func answer(_ exchange: Exchange, route pattern: String) -> @Sendable (HTTPResponse) -> Void {
        let loop = self.loop
        let id = self.id
        return { response in
            loop.execute {
                if let connection = loop.connection(id) {
                    connection.finish(exchange, route: pattern, response: response)
                } else {
                    loop.server.record(exchange, route: pattern, status: response.status, loop: loop, disconnected: true)
                }
            }
        }
    }
}
