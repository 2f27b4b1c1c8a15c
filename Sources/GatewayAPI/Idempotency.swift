import Crypto
import GatewayCore
import GroupModel
import HTTPCore
import HTTPServer
import JSONCore

/// `Idempotency-Key` on the routes that declare the header (sends, group creation, membership changes). Keys
/// are scoped to the API key and the route. The answer of the first request is kept for 24 h and replayed with
/// `Idempotent-Replayed: true`. Requests refused before acting (`invalid_request`, auth) and errors worth retrying
/// (`retryable`, 5xx: nothing happened) are not kept, so a retry with the same key runs again — except calls whose
/// outcome is unknown (`provider_timeout`, a connection reset mid-call). Requests without the header are not deduplicated.
enum Idempotency {
    static let header = "Idempotency-Key"
    /// Routes whose first effect commits together with its link to the key (a send's message): when such a
    /// request is interrupted before linking anything, it did nothing, and a retry may run it.
    static let linkingRoutes: Set<String> = ["sendMessage"]

    static func wrap(
        route: String, store: IdempotencyStore, renderer: ErrorRenderer, admit: @escaping @Sendable (RequestContext) throws -> Admission,
        body: @escaping @Sendable (APIRequest) async throws -> HTTPResponse
    ) -> @Sendable (RequestContext) async throws -> HTTPResponse {
        @Sendable func answer(_ context: RequestContext, _ principal: Principal?) async throws -> HTTPResponse {
            let request = APIRequest(context: context, principal: principal)
            guard let key = context.request.headers["idempotency-key"] else { return try await body(request) }
            guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw GatewayError.invalidRequest("Idempotency-Key must be 1–255 visible ASCII characters.", details: ["header": "Idempotency-Key"])
            }
            let scope = IdempotencyStore.Scope(principal: principal?.keyID ?? "anonymous", route: route, key: key)
            var interrupted: String?
            switch try await store.start(scope, fingerprint: fingerprint(context.request), linksResource: linkingRoutes.contains(route)) {
            case .replay(let answer):
                return HTTPResponse(
                    status: answer.status, headers: ["Content-Type": answer.contentType, "Idempotent-Replayed": "true"], body: answer.body)
            case .interrupted(let resource): interrupted = resource
            case .proceed: break
            }
            let response: HTTPResponse
            do {
                response = try await IdempotencyStore.$current.withValue(scope) {
                    try await IdempotencyStore.$interrupted.withValue(interrupted) { try await body(request) }
                }
            } catch {
                // A service that committed its answer (a send whose message the provider refused) keeps it.
                if scope.isAnswered { throw error }
                // A provider timeout leaves the outcome unknown: its answer is kept, so a retry cannot send twice.
                guard let failure = error as? GatewayError, Self.keepsKey(failure) else {
                    try? await store.release(scope)
                    throw error
                }
                response = renderer.render(failure, requestId: context.requestId)
            }
            guard !scope.isAnswered else { return response }
            try await store.finish(
                scope,
                answer: IdempotencyStore.Answer(
                    status: response.status, contentType: response.headers["content-type"] ?? "application/json", body: response.bodyBytes))
            return response
        }
        return { context in
            let admission = try admit(context)
            return try await admission.finish { try await answer(context, admission.principal) }
        }
    }

    /// Whether a failed request's answer is kept for its key. A request refused before it did anything (malformed,
    /// unauthorized) or failing in a way worth retrying leaves the key free; a call whose outcome is unknown (a
    /// provider timeout, a connection reset mid-call) keeps it, as does a definite refusal (not an admin, group
    /// not found…).
    static func keepsKey(_ failure: GatewayError) -> Bool {
        if failure.isOutcomeUnknown { return true }
        if failure.code == "invalid_request" || failure.status == 401 || failure.status == 403 && failure.code == "forbidden" { return false }
        return !failure.retryable && failure.status < 500
    }

    /// What makes two requests "the same": method, path and query, and the body as canonical JSON (key order
    /// and whitespace do not matter), else its bytes.
    static func fingerprint(_ request: HTTPRequest) -> String {
        var bytes = Array("\(request.method) \(request.target)\n".utf8)
        if let json = try? JSONParser.parse(request.body) { bytes += json.canonicalBytes } else { bytes += request.body }
        return ByteEncoding.hex(Digest.sha256(bytes))
    }
}
