import Crypto
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// TalkNTalk webhooks (REFERENCE §2): `{event, timestamp (ISO 8601), data}` with `X-TalkNTalk-Event` and
/// `X-TalkNTalk-Signature`, an HMAC-SHA256 whose exact input and encoding are undocumented: the raw body is
/// verified, in hex (optionally `sha256=`) or base64. The envelope timestamp gives freshness. The documented
/// events are SMS only, and no WhatsApp event name or payload is published, so every event is kept as
/// `provider.unmapped` rather than guessed.
public struct TalkNTalkWebhook: WebhookNormalizer {
    public let scheme = "hmac-sha256(body) in X-TalkNTalk-Signature (hex or base64)"

    public init() {}

    public func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection) {
        let secret = try WebhookVerification.secret(secret, credential: "webhookSecret", scheme: scheme, header: "X-TalkNTalk-Signature")
        let presented = try WebhookVerification.presented("X-TalkNTalk-Signature", in: webhook, scheme: scheme)
        let expected = HMAC.mac(.sha256, key: secret.value, message: webhook.body)
        let matches = WebhookVerification.matchesHex(presented, expected, prefix: "sha256=")
            || ByteEncoding.fromBase64(presented).map { ConstantTime.equals($0, expected) } ?? false
        guard matches else {
            throw WebhookRejection(scheme: scheme, header: "X-TalkNTalk-Signature", reason: .mismatch, detail: "HMAC-SHA256 of the body (hex or base64) does not match")
        }
        guard let stamp = (try? webhook.json())?["timestamp"]?.stringValue, let date = Timestamp.parseISO8601(stamp) else {
            throw WebhookRejection(scheme: scheme, header: "body.timestamp", reason: .missingTimestamp, detail: "the envelope has no ISO 8601 timestamp")
        }
        try WebhookVerification.checkAge(date, now: now, scheme: scheme, header: "body.timestamp")
    }

    public func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)? {
        ("X-TalkNTalk-Signature", ByteEncoding.hex(HMAC.mac(.sha256, key: secret.value, message: body)))
    }

    public func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent] {
        let envelope = try webhook.json()
        guard let kind = envelope["event"]?.stringValue ?? webhook.headers["x-talkntalk-event"] else {
            throw GatewayError.invalidRequest("A TalkNTalk webhook needs an 'event' field or an X-TalkNTalk-Event header.")
        }
        let occurred = envelope["timestamp"]?.stringValue.flatMap(Timestamp.parseISO8601) ?? context.receivedAt
        var builder = EventBuilder(provider: TalkNTalkMapping.kind, session: context.session, receivedAt: context.receivedAt, occurredAt: occurred)
        let identity = ByteEncoding.hex(Digest.sha256(JSON.array([.string(kind), envelope["timestamp"] ?? .null, envelope["data"] ?? .null]).canonicalBytes))
        builder.add(.providerUnmapped, identity: identity, group: nil, data: ["kind": .string(kind), "raw": envelope])
        return builder.events
    }
}
