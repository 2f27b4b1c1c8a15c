import HTTPCore
import JSONCore
import Support

/// What a handler receives.
public struct RequestContext: Sendable {
    public let request: HTTPRequest
    /// Path parameters, percent-decoded.
    public let parameters: [String: String]
    /// The matched route pattern (`/v1/sessions/{session}`), for logs and metrics.
    public let route: String
    public let requestId: String
    public let remoteAddress: String
    private let baseLogger: Logger

    public init(request: HTTPRequest, parameters: [String: String], route: String, requestId: String, remoteAddress: String, logger: Logger) {
        self.request = request
        self.parameters = parameters
        self.route = route
        self.requestId = requestId
        self.remoteAddress = remoteAddress
        self.baseLogger = logger
    }

    /// A logger carrying `requestId` (built on use: most requests never log beyond the access line).
    public var logger: Logger { baseLogger.with("requestId", .string(requestId)) }

    /// A path parameter that the route pattern guarantees.
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }
}

/// How a route runs.
public enum RouteHandler: Sendable {
    /// Runs on the event loop thread: only for work that never blocks (health, metrics, static pages).
    case inline(@Sendable (RequestContext) throws -> HTTPResponse)
    /// Runs as a task; the response goes back to the connection's loop.
    case async(@Sendable (RequestContext) async throws -> HTTPResponse)
    /// Tries `inline` on the event loop first — it must not block, and answers nil when it cannot respond
    /// from memory — and otherwise runs `async` as a task.
    case inlineOrAsync(inline: @Sendable (RequestContext) throws -> HTTPResponse?, async: @Sendable (RequestContext) async throws -> HTTPResponse)
    /// Starts on the event loop thread — it must not block — and answers later, from any thread, by calling
    /// `respond` exactly once (a throw before that is the answer instead). For work handed to another thread
    /// that calls back (a database write), without a task on the cooperative pool on either side of it.
    case deferred(@Sendable (RequestContext, _ respond: @escaping Respond) throws -> Void)

    public typealias Respond = @Sendable (Result<HTTPResponse, any Error>) -> Void
}

/// One route: a method and a pattern of literal and `{parameter}` segments.
public struct Route: Sendable {
    public let method: String
    public let pattern: String
    public let handler: RouteHandler
    let segments: [Segment]

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public init(_ method: String, _ pattern: String, _ handler: RouteHandler) {
        self.method = method
        self.pattern = pattern
        self.handler = handler
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }
}

/// Matches requests to routes: exact literal segments, percent-decoded parameters, 404 and 405 with `Allow`.
/// As in OpenAPI, a path belongs to its most specific pattern (a literal segment wins over a parameter, left to
/// right): `/groups/join` is not also `/groups/{group}`, so `GET /groups/join` is `405` with `Allow: POST`.
public struct Router: Sendable {
    public private(set) var routes: [Route] = []
    /// Answers requests no route matches (test doubles such as the fake providers); nil means 404/405.
    public var fallback: Route?
    private var bySegmentCount: [Int: [Route]] = [:]
    /// Routes without parameters, by method and exact path: one hash lookup for the hottest paths.
    private var exact: [String: [String: Route]] = [:]

    public init(_ routes: [Route] = []) { for route in routes { add(route) } }

    public mutating func add(_ route: Route) {
        precondition(!routes.contains { $0.method == route.method && $0.segments == route.segments }, "duplicate route \(route.method) \(route.pattern)")
        routes.append(route)
        // Most specific first; stable, so routes of one pattern keep their order.
        var sameLength = bySegmentCount[route.segments.count, default: []]
        let position = sameLength.firstIndex { Router.isMoreSpecific(route, than: $0) } ?? sameLength.endIndex
        sameLength.insert(route, at: position)
        bySegmentCount[route.segments.count] = sameLength
        if !route.segments.contains(where: { if case .parameter = $0 { true } else { false } }) {
            exact[route.pattern, default: [:]][route.method] = route
        }
    }

    /// The route and decoded parameters for a request; `HEAD` is served by `GET` routes.
    public func match(method: String, path: String) throws(RoutingError) -> (Route, [String: String]) {
        guard path.first == "/" else { throw .notFound(path: path) }
        let lookup = method == "HEAD" ? "GET" : method
        if let byMethod = exact[path], let route = byMethod[lookup] { return (route, [:]) }
        // One pass over the bytes: segment ranges, then literal comparison without building strings.
        let bytes = Array(path.utf8)
        var segments: [Range<Int>] = []
        var start = 1
        for index in 1...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            segments.append(start..<index)
            start = index + 1
        }
        let candidates = bySegmentCount[segments.count] ?? []
        var allowed: [String] = []
        var best: Route?
        for route in candidates where Router.literalsMatch(route, bytes, segments) {
            // Candidates are sorted most specific first: the first match is the path's pattern.
            if let best, !Router.isSamePattern(route, best) { break }
            best = route
            guard route.method == lookup else {
                allowed.append(route.method)
                continue
            }
            var parameters: [String: String] = [:]
            for (segment, range) in zip(route.segments, segments) {
                guard case .parameter(let name) = segment else { continue }
                guard let decoded = PercentDecoding.decode(String(decoding: bytes[range], as: UTF8.self)) else { throw .malformedPath }
                parameters[name] = decoded
            }
            return (route, parameters)
        }
        guard !allowed.isEmpty else { throw .notFound(path: path) }
        if allowed.contains("GET") { allowed.append("HEAD") }
        throw .methodNotAllowed(allowed: Array(Set(allowed)).sorted())
    }

    /// Whether `route` is more specific than `other`: at the first segment where one is a literal and the other a
    /// parameter, it is the literal.
    static func isMoreSpecific(_ route: Route, than other: Route) -> Bool {
        for (mine, theirs) in zip(route.segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }

    /// Same literals in the same places (parameter names aside).
    static func isSamePattern(_ route: Route, _ other: Route) -> Bool {
        zip(route.segments, other.segments).allSatisfy { mine, theirs in
            switch (mine, theirs) {
            case (.literal(let a), .literal(let b)): a == b
            case (.parameter, .parameter): true
            default: false
            }
        }
    }

    private static func literalsMatch(_ route: Route, _ bytes: [UInt8], _ segments: [Range<Int>]) -> Bool {
        for (segment, range) in zip(route.segments, segments) {
            switch segment {
            case .literal(let literal):
                guard literal.utf8.count == range.count, literal.utf8.elementsEqual(bytes[range]) else { return false }
            case .parameter:
                guard !range.isEmpty else { return false }
            }
        }
        return true
    }
}

/// Why routing failed.
public enum RoutingError: Error, Sendable, Equatable {
    case notFound(path: String)
    case methodNotAllowed(allowed: [String])
    case malformedPath
}
