import Foundation
import GroupModel
import HTTPCore
import JSONCore
import Support

/// An inbound provider webhook as it arrived.
public struct InboundWebhook: Sendable {
    public let headers: HTTPHeaders
    /// The exact bytes: signatures are over these.
    public let body: [UInt8]
    /// Query parameters of the inbound URL (Walytic's secret token).
    public let query: [(name: String, value: String)]

    /// The body parsed once, on first use: verification (envelope timestamps), normalization and the inbound
    /// pipeline all read the same parse.
    private let parsed = ParsedBody()

    public init(headers: HTTPHeaders, body: [UInt8], query: [(name: String, value: String)] = []) {
        self.headers = headers
        self.body = body
        self.query = query
    }

    /// The body as JSON, with a canonical error when it is not.
    public func json() throws(GatewayError) -> JSON {
        let body = self.body
        return try parsed.value {
            do {
                return .success(try JSONParser.parse(body))
            } catch {
                return .failure(GatewayError.invalidRequest("The webhook body is not JSON: \(String(describing: error))."))
            }
        }.get()
    }
}

/// The memo behind `InboundWebhook.json()`.
private final class ParsedBody: Sendable {
    private let result = LockedValue<Result<JSON, GatewayError>?>(nil)

    func value(_ parse: () -> Result<JSON, GatewayError>) -> Result<JSON, GatewayError> {
        if let known = result.get() { return known }
        let fresh = parse()
        result.withLock { $0 = fresh }
        return fresh
    }
}

/// Where and when a webhook is being normalized.
public struct NormalizeContext: Sendable {
    public let session: String
    public let receivedAt: Date

    public init(session: String, receivedAt: Date) {
        self.session = session
        self.receivedAt = receivedAt
    }
}

/// Why verification failed, for the log line (the client only sees `invalid_signature`).
public struct WebhookRejection: Error, Sendable, Equatable {
    public enum Reason: String, Sendable {
        case missingSignature = "missing_signature"
        case mismatch
        case stale
        case missingTimestamp = "missing_timestamp"
        case noSecretConfigured = "no_secret_configured"
        case badToken = "bad_token"
        /// No session of that name is bound to a provider of that name (checked before any scheme applies).
        case unknownTarget = "unknown_target"
    }

    public let scheme: String
    public let header: String
    public let reason: Reason
    public let detail: String

    public init(scheme: String, header: String, reason: Reason, detail: String) {
        self.scheme = scheme
        self.header = header
        self.reason = reason
        self.detail = detail
    }

    /// What the client is told, whatever the reason: the same for a wrong signature, a stale one, or a webhook for a
    /// session or provider that does not exist (so callers without the secret learn nothing about the config).
    public var canonical: GatewayError { GatewayError.invalidSignature("The webhook's signature could not be verified.") }
}

/// A provider's webhook handling in fixed steps (STYLE 11): verify (mandatory; never "no algorithm"), classify
/// and normalize into canonical events (pure), acknowledge.
public protocol WebhookNormalizer: Sendable {
    /// The scheme, for logs: `hmac-sha512(body)`, `hmac-sha256(ts.body)`, `url-token`.
    var scheme: String { get }

    /// Checks authenticity with the session's secret and, where the scheme carries one, the timestamp's age.
    func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection)

    /// The canonical events in the payload (possibly none). Unknown kinds become `provider.unmapped`.
    func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent]

    /// The answer the provider expects (usually 200 with a small body).
    var acknowledgement: (status: Int, body: JSON) { get }

    /// The provider's own name for what a payload is (its `event` field), for drift tracking.
    func kind(of payload: JSON) -> String

    /// The signature header value this provider would send for `body` (fixtures' `"$sign"`, fake providers).
    /// `headers` holds what the signature may cover besides the body (waxum's timestamp and version).
    func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)?
}

extension WebhookNormalizer {
    public var acknowledgement: (status: Int, body: JSON) { (200, ["ok": true]) }

    public func kind(of payload: JSON) -> String {
        payload["event"]?.stringValue.map { String($0.prefix(100)) } ?? "payload"
    }
}

/// Shared verification helpers.
public enum WebhookVerification {
    /// Webhooks older (or further in the future) than this are refused.
    public static let maxAge: TimeInterval = 300

    /// Compares a hex MAC (either case, optional `prefix=`) in constant time.
    public static func matchesHex(_ presented: String, _ expected: [UInt8], prefix: String? = nil) -> Bool {
        var text = presented.trimmingASCIIWhitespace()
        if let prefix, text.lowercased().hasPrefix(prefix) { text = String(text.dropFirst(prefix.count)) }
        guard let bytes = ByteEncoding.fromHex(text) else { return false }
        return ConstantTime.equals(bytes, expected)
    }

    /// The configured secret, or `no_secret_configured` naming the credential that should hold it.
    public static func secret(_ secret: Secret?, credential: String, scheme: String, header: String) throws(WebhookRejection) -> Secret {
        guard let secret, !secret.isEmpty else {
            throw WebhookRejection(scheme: scheme, header: header, reason: .noSecretConfigured, detail: "the provider has no \(credential)")
        }
        return secret
    }

    /// The value of the signature header `name` (trimmed), or `missing_signature`.
    public static func presented(_ name: String, in webhook: InboundWebhook, scheme: String) throws(WebhookRejection) -> String {
        guard let value = webhook.headers[name.lowercased()]?.trimmingASCIIWhitespace(), !value.isEmpty else {
            throw WebhookRejection(scheme: scheme, header: name, reason: .missingSignature, detail: "no \(name) header")
        }
        return value
    }

    /// Throws `stale` when `timestamp` is more than `maxAge` from `now` (or is no time at all: NaN).
    public static func checkAge(_ timestamp: Date, now: Date, scheme: String, header: String) throws(WebhookRejection) {
        let age = now.timeIntervalSince(timestamp)
        guard abs(age) <= maxAge else {
            // The sender chose the timestamp: 1e300 or NaN must not trap when converted for the log line.
            let seconds = abs(age) < 1e15 ? String(Int(age)) : String(age)
            throw WebhookRejection(scheme: scheme, header: header, reason: .stale, detail: "timestamp is \(seconds) s from now")
        }
    }
}

import Crypto
