import GroupModel
import HTTPCore
import HTTPServer
import JSONCore
import Support

/// Turns every error into the canonical error response (DESIGN §3). Typed errors render themselves; anything
/// unexpected becomes `internal` with the request id, and is logged with it.
public struct ErrorRenderer: Sendable {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func render(_ error: any Error, requestId: String) -> HTTPResponse {
        if let annotated = error as? RateLimiter.Annotated {
            var response = render(annotated.underlying, requestId: requestId)
            annotated.quota.apply(to: &response.headers)
            return response
        }
        var headers = HTTPHeaders()
        let canonical: GatewayError
        switch error {
        case let error as GatewayError:
            canonical = error
            if error.status == 500 {
                logger.error("internal error", ["requestId": .string(requestId), "error": .string(error.message)])
            }
        case let error as RateLimiter.Exceeded:
            canonical = error.error
            error.quota.apply(to: &headers)
        case let error as HTTPParseError:
            canonical = ErrorRenderer.map(error)
        case let error as RoutingError:
            switch error {
            case .notFound: canonical = .notFound("No route matches this path. See /openapi.json for the API.")
            case .methodNotAllowed(let allowed):
                headers.set("Allow", allowed.joined(separator: ", "))
                canonical = .methodNotAllowed("Method not allowed here; allowed: \(allowed.joined(separator: ", ")).")
            case .malformedPath: canonical = .invalidRequest("The path has a malformed percent-encoding.")
            }
        case is HTTPServerTimeout:
            canonical = .requestTimeout("The request did not arrive in time.")
        default:
            logger.error("unexpected error", ["requestId": .string(requestId), "error": .string(String(describing: error))])
            canonical = GatewayError.internal("An unexpected error occurred. Quote request id \(requestId) when reporting it.")
                .with(details: ["requestId": .string(requestId)])
        }
        if let after = canonical.retryAfter { headers.set("Retry-After", String(after)) }
        if canonical.status == 401 { headers.set("WWW-Authenticate", "Bearer") }
        if canonical.code == "upgrade_required" {
            headers.set("Upgrade", "websocket")
            headers.set("Sec-WebSocket-Version", "13")
        }
        return .json(canonical.body, status: canonical.status, headers: headers)
    }

    static func map(_ error: HTTPParseError) -> GatewayError {
        switch error.status {
        case 413: .payloadTooLarge(error.message)
        case 414: .uriTooLong(error.message)
        case 431: .headersTooLarge(error.message)
        case 505: .versionNotSupported(error.message)
        case 417: .invalidRequest(error.message).withStatus(417)
        default: .invalidRequest(error.message)
        }
    }
}

extension GatewayError {
    func withStatus(_ status: Int) -> GatewayError {
        var copy = self
        copy.status = status
        return copy
    }
}
