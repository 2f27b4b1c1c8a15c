import JSONCore

/// The one error type every layer speaks, rendered at the HTTP edge as
/// `{"error": {"code", "message", "status", "provider"?, "retryable", "details"?}}` (DESIGN §3).
///
/// `code` is stable: clients and metrics key on it. New kinds are added as new static factories; the private
/// `Kind` enum keeps callers from switching over it, so adding one never breaks them.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case invalidRequest = "invalid_request"
        case unauthenticated
        case forbidden
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case sessionNotFound = "session_not_found"
        case groupNotFound = "group_not_found"
        case messageNotFound = "message_not_found"
        case subscriptionNotFound = "subscription_not_found"
        case deliveryNotFound = "delivery_not_found"
        case keyNotFound = "key_not_found"
        case conflict
        case groupAmbiguous = "group_ambiguous"
        case sessionNotReady = "session_not_ready"
        case idempotencyConflict = "idempotency_conflict"
        case notGroupAdmin = "not_group_admin"
        case unsupportedOperation = "unsupported_operation"
        case requestTimeout = "request_timeout"
        case payloadTooLarge = "payload_too_large"
        case uriTooLong = "uri_too_long"
        case headersTooLarge = "headers_too_large"
        case rateLimited = "rate_limited"
        case quotaExceeded = "quota_exceeded"
        case providerRejected = "provider_rejected"
        case providerUnavailable = "provider_unavailable"
        case providerTimeout = "provider_timeout"
        case invalidSignature = "invalid_signature"
        case unavailable
        case versionNotSupported = "http_version_not_supported"
        case upgradeRequired = "upgrade_required"
        case `internal`
    }

    private let kind: Kind
    /// Human-readable, safe to show: never contains a secret or a request body.
    public var message: String
    /// The HTTP status the error renders with.
    public var status: Int
    /// Whether the same request may succeed if retried later.
    public var retryable: Bool
    /// The provider kind the error came from, when it came from one.
    public var provider: String?
    /// Structured extra information (ids of ambiguous groups, the provider's status code…).
    public var details: JSON?
    /// Seconds after which a retry makes sense (`Retry-After`).
    public var retryAfter: Int?

    private init(_ kind: Kind, _ status: Int, _ message: String, retryable: Bool = false) {
        self.kind = kind
        self.status = status
        self.message = message
        self.retryable = retryable
    }

    /// The stable snake_case code.
    public var code: String { kind.rawValue }
    public var description: String { "\(code) (\(status)): \(message)" }

    public static func == (lhs: GatewayError, rhs: GatewayError) -> Bool {
        lhs.kind == rhs.kind && lhs.status == rhs.status && lhs.message == rhs.message && lhs.provider == rhs.provider
            && lhs.retryable == rhs.retryable && lhs.details == rhs.details && lhs.retryAfter == rhs.retryAfter
    }

    // MARK: - Factories

    public static func invalidRequest(_ message: String, details: JSON? = nil) -> GatewayError {
        var error = GatewayError(.invalidRequest, 400, message)
        error.details = details
        return error
    }
    public static func unauthenticated(_ message: String = "A valid API key is required.") -> GatewayError {
        GatewayError(.unauthenticated, 401, message)
    }
    public static func forbidden(_ message: String) -> GatewayError { GatewayError(.forbidden, 403, message) }
    public static func notFound(_ message: String) -> GatewayError { GatewayError(.notFound, 404, message) }
    public static func methodNotAllowed(_ message: String) -> GatewayError { GatewayError(.methodNotAllowed, 405, message) }
    public static func sessionNotFound(_ session: String) -> GatewayError {
        GatewayError(.sessionNotFound, 404, "Session '\(session)' does not exist.")
    }
    public static func groupNotFound(_ message: String) -> GatewayError { GatewayError(.groupNotFound, 404, message) }
    public static func messageNotFound(_ id: String) -> GatewayError {
        GatewayError(.messageNotFound, 404, "Message '\(id)' does not exist.")
    }
    public static func subscriptionNotFound(_ id: String) -> GatewayError {
        GatewayError(.subscriptionNotFound, 404, "Webhook subscription '\(id)' does not exist.")
    }
    public static func deliveryNotFound(_ id: String) -> GatewayError {
        GatewayError(.deliveryNotFound, 404, "Delivery '\(id)' does not exist.")
    }
    public static func keyNotFound(_ id: String) -> GatewayError { GatewayError(.keyNotFound, 404, "API key '\(id)' does not exist.") }
    public static func conflict(_ message: String) -> GatewayError { GatewayError(.conflict, 409, message) }
    public static func groupAmbiguous(_ message: String, ids: [String]) -> GatewayError {
        var error = GatewayError(.groupAmbiguous, 409, message)
        error.details = ["groups": .array(ids.map(JSON.string))]
        return error
    }
    public static func sessionNotReady(_ message: String) -> GatewayError {
        GatewayError(.sessionNotReady, 409, message, retryable: true)
    }
    /// Same key, different body (422), or the first request with this key is still running (409, retryable).
    public static func idempotencyConflict(_ message: String, inProgress: Bool) -> GatewayError {
        GatewayError(.idempotencyConflict, inProgress ? 409 : 422, message, retryable: inProgress)
    }
    public static func notGroupAdmin(_ message: String) -> GatewayError { GatewayError(.notGroupAdmin, 403, message) }
    public static func unsupportedOperation(provider: String, operation: String) -> GatewayError {
        var error = GatewayError(
            .unsupportedOperation, 501, "Provider '\(provider)' does not support '\(operation)'.")
        error.provider = provider
        error.details = ["operation": .string(operation)]
        return error
    }
    public static func requestTimeout(_ message: String) -> GatewayError { GatewayError(.requestTimeout, 408, message) }
    public static func payloadTooLarge(_ message: String) -> GatewayError { GatewayError(.payloadTooLarge, 413, message) }
    public static func uriTooLong(_ message: String) -> GatewayError { GatewayError(.uriTooLong, 414, message) }
    public static func headersTooLarge(_ message: String) -> GatewayError { GatewayError(.headersTooLarge, 431, message) }
    public static func rateLimited(_ message: String, retryAfter: Int?) -> GatewayError {
        var error = GatewayError(.rateLimited, 429, message, retryable: true)
        error.retryAfter = retryAfter
        return error
    }
    public static func quotaExceeded(_ message: String) -> GatewayError { GatewayError(.quotaExceeded, 429, message) }
    public static func providerRejected(_ message: String) -> GatewayError { GatewayError(.providerRejected, 502, message) }
    public static func providerUnavailable(_ message: String, retryAfter: Int? = nil) -> GatewayError {
        var error = GatewayError(.providerUnavailable, 503, message, retryable: true)
        error.retryAfter = retryAfter
        return error
    }
    public static func providerTimeout(_ message: String) -> GatewayError {
        GatewayError(.providerTimeout, 504, message, retryable: true)
    }
    public static func invalidSignature(_ message: String) -> GatewayError { GatewayError(.invalidSignature, 401, message) }
    public static func unavailable(_ message: String) -> GatewayError { GatewayError(.unavailable, 503, message, retryable: true) }
    public static func versionNotSupported(_ message: String) -> GatewayError { GatewayError(.versionNotSupported, 505, message) }
    /// 426: the endpoint speaks another protocol (WebSocket); the answer names it in `Upgrade`.
    public static func upgradeRequired(_ message: String) -> GatewayError { GatewayError(.upgradeRequired, 426, message) }
    public static func `internal`(_ message: String) -> GatewayError { GatewayError(.internal, 500, message, retryable: true) }

    // MARK: - Modifiers

    /// A copy attributed to a provider.
    public func from(provider: String) -> GatewayError {
        var copy = self
        copy.provider = provider
        return copy
    }

    /// A copy with details merged in.
    public func with(details extra: JSONObject) -> GatewayError {
        var copy = self
        var merged = copy.details?.objectValue ?? JSONObject()
        for member in extra { merged[member.key] = member.value }
        copy.details = .object(merged)
        return copy
    }

    public func isCode(_ other: GatewayError) -> Bool { kind == other.kind }

    /// A provider call that timed out or lost its connection mid-call (`details.outcomeUnknown`): the provider may
    /// have acted.
    public var isOutcomeUnknown: Bool { code == "provider_timeout" || details?["outcomeUnknown"]?.boolValue == true }

    /// Rebuilds an error from its rendered form (stored errors, replayed answers).
    public init?(json: JSON) {
        let body = json["error"] ?? json
        guard let codeText = body["code"]?.stringValue, let kind = Kind(rawValue: codeText),
            let message = body["message"]?.stringValue, let status = body["status"]?.intValue
        else { return nil }
        self.init(kind, Int(status), message, retryable: body["retryable"]?.boolValue ?? false)
        provider = body["provider"]?.stringValue
        if let details = body["details"], !details.isNull { self.details = details }
        if let after = body["retryAfter"]?.intValue { retryAfter = Int(after) }
    }

    /// The `error` object (without the outer `{"error": …}`).
    public var json: JSON {
        var object: JSONObject = [
            "code": .string(code), "message": .string(message), "status": .int(Int64(status)),
            "retryable": .bool(retryable),
        ]
        if let provider { object["provider"] = .string(provider) }
        if let details { object["details"] = details }
        if let retryAfter { object["retryAfter"] = .int(Int64(retryAfter)) }
        return .object(object)
    }

    /// The whole response body `{"error": {...}}`.
    public var body: JSON { ["error": json] }
}
