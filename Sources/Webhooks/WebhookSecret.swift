import Crypto
import Foundation

/// A Standard Webhooks signing secret: `whsec_` followed by the base64 of 32 random bytes. Only the bytes after
/// the prefix are the HMAC key.
public struct WebhookSecret: Sendable, Equatable {
    public static let prefix = "whsec_"
    public let text: String
    let key: [UInt8]

    /// A new random secret.
    public static func generate() -> WebhookSecret {
        let bytes = SecureRandom.bytes(32)
        return WebhookSecret(text: prefix + ByteEncoding.base64(bytes), key: bytes)
    }

    /// Parses a stored or configured secret; nil unless it is `whsec_<base64 of 24–64 bytes>`.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let key = ByteEncoding.fromBase64(String(text.dropFirst(Self.prefix.count))),
            (24...64).contains(key.count)
        else { return nil }
        self.init(text: text, key: key)
    }

    private init(text: String, key: [UInt8]) {
        self.text = text
        self.key = key
    }

    /// `base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))`.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        return ByteEncoding.base64(HMAC.mac(.sha256, key: key, message: message))
    }
}

/// The three headers of a Standard Webhooks delivery. During a rotation both secrets sign, so a receiver holding
/// either one verifies (`webhook-signature: v1,<new> v1,<old>`).
public enum StandardWebhooks {
    public static func headers(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> [(String, String)] {
        let signatures = secrets.map { "v1," + $0.signature(id: id, timestamp: timestamp, body: body) }
        return [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signatures.joined(separator: " "))]
    }
}

extension StandardWebhooks {
    public enum VerificationFailure: String, Error, Sendable {
        case missingHeaders = "missing webhook-id, webhook-timestamp or webhook-signature"
        case staleTimestamp = "webhook-timestamp is more than 5 minutes away from now"
        case noMatchingSignature = "no v1 signature matches"
    }

    /// Verifies a delivery as a receiver must: a fresh timestamp (±`tolerance` seconds) and at least one `v1`
    /// signature matching one of `secrets`, compared in constant time.
    public static func verify(
        id: String?, timestamp: String?, signatures: String?, body: [UInt8], secrets: [WebhookSecret], now: Date = Date(), tolerance: Double = 300
    ) throws(VerificationFailure) {
        guard let id, let timestamp, let signatures, let seconds = Int64(timestamp) else { throw .missingHeaders }
        guard abs(Double(seconds) - now.timeIntervalSince1970) <= tolerance else { throw .staleTimestamp }
        let presented = signatures.split(separator: " ").compactMap { part -> String? in
            part.hasPrefix("v1,") ? String(part.dropFirst(3)) : nil
        }
        for secret in secrets {
            let expected = secret.signature(id: id, timestamp: seconds, body: body)
            if presented.contains(where: { ConstantTime.equals($0, expected) }) { return }
        }
        throw .noMatchingSignature
    }
}
