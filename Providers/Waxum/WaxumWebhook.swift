import Crypto
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// waxum webhooks (REFERENCE §3): envelope `{session_id, event, timestamp (s), data, offline?}`, no event id.
/// Signatures: v2 (`X-Webhook-Signature-Version: v2`) is `sha256=` hex HMAC-SHA256 of `"{timestamp}.{body}"` with
/// the `X-Webhook-Timestamp` header; v1 (servers before v0.9.8, no version header) signs the body alone, and then
/// the envelope's `timestamp` gives freshness.
public struct WaxumWebhook: WebhookNormalizer {
    public let scheme = "hmac-sha256(timestamp.body) in X-Webhook-Signature (v2), hmac-sha256(body) (v1)"

    public init() {}

    public func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection) {
        let secret = try WebhookVerification.secret(secret, credential: "webhookSecret", scheme: scheme, header: "X-Webhook-Signature")
        let presented = try WebhookVerification.presented("X-Webhook-Signature", in: webhook, scheme: scheme)
        let version = webhook.headers["x-webhook-signature-version"]?.lowercased() ?? "v1"
        if version == "v2" {
            guard let stamp = webhook.headers["x-webhook-timestamp"], let seconds = Double(stamp.trimmingASCIIWhitespace()) else {
                throw WebhookRejection(scheme: scheme, header: "X-Webhook-Timestamp", reason: .missingTimestamp, detail: "v2 needs X-Webhook-Timestamp")
            }
            let expected = HMAC.mac(.sha256, key: secret.value, message: Array("\(stamp.trimmingASCIIWhitespace()).".utf8) + webhook.body)
            guard WebhookVerification.matchesHex(presented, expected, prefix: "sha256=") else {
                throw WebhookRejection(scheme: scheme, header: "X-Webhook-Signature", reason: .mismatch, detail: "v2 HMAC-SHA256 of timestamp.body does not match")
            }
            try WebhookVerification.checkAge(Date(timeIntervalSince1970: seconds), now: now, scheme: scheme, header: "X-Webhook-Timestamp")
        } else {
            let expected = HMAC.mac(.sha256, key: secret.value, message: webhook.body)
            guard WebhookVerification.matchesHex(presented, expected, prefix: "sha256=") else {
                throw WebhookRejection(scheme: scheme, header: "X-Webhook-Signature", reason: .mismatch, detail: "v1 HMAC-SHA256 of the body does not match")
            }
            guard let seconds = (try? webhook.json())?["timestamp"]?.doubleValue else {
                throw WebhookRejection(scheme: scheme, header: "body.timestamp", reason: .missingTimestamp, detail: "v1 envelope has no timestamp")
            }
            try WebhookVerification.checkAge(Date(timeIntervalSince1970: seconds), now: now, scheme: scheme, header: "body.timestamp")
        }
    }

    public func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)? {
        if headers["x-webhook-signature-version"]?.lowercased() == "v2", let stamp = headers["x-webhook-timestamp"] {
            return ("X-Webhook-Signature", "sha256=" + ByteEncoding.hex(HMAC.mac(.sha256, key: secret.value, message: Array("\(stamp).".utf8) + body)))
        }
        return ("X-Webhook-Signature", "sha256=" + ByteEncoding.hex(HMAC.mac(.sha256, key: secret.value, message: body)))
    }

    public func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent] {
        let envelope = try webhook.json()
        guard let kind = envelope["event"]?.stringValue else { throw GatewayError.invalidRequest("A waxum webhook needs an 'event' field.") }
        let data = envelope["data"] ?? .null
        let occurred = envelope["timestamp"]?.doubleValue.map { Date(timeIntervalSince1970: $0) } ?? context.receivedAt
        var builder = EventBuilder(provider: WaxumMapping.kind, session: context.session, receivedAt: context.receivedAt, occurredAt: occurred)
        // No event id in waxum's envelope: the identity is the message id, or the payload itself (a redelivery
        // carries the same payload, `offline` aside).
        let payloadIdentity = ByteEncoding.hex(Digest.sha256(JSON.array([.string(kind), envelope["timestamp"] ?? .null, data]).canonicalBytes))

        switch kind {
        case "message": message(data, into: &builder)
        case "group_update": WaxumDebugText.groupUpdate(data, identity: payloadIdentity, into: &builder)
        case "joined_group":
            let group = data["group"]?.stringValue ?? data["jid"]?.stringValue
            builder.add(.groupJoined, identity: payloadIdentity, group: group, data: ["group": ["id": .string(group)]])
        case "receipt": WaxumDebugText.receipt(data, identity: payloadIdentity, into: &builder)
        case "connected", "disconnected", "logged_out", "account_locked":
            let status: SessionStatus = kind == "connected" ? .ready : kind == "disconnected" ? .disconnected : kind == "logged_out" ? .loggedOut : .locked
            var payload: JSONObject = ["status": .string(status.rawValue), "providerStatus": .string(kind)]
            if let until = data["cooldown_until"] { payload["cooldownUntil"] = until }
            builder.add(.sessionStatus, identity: payloadIdentity, group: nil, data: .object(payload))
        default:
            builder.add(.providerUnmapped, identity: payloadIdentity, group: nil, data: ["kind": .string(kind), "raw": envelope])
        }
        return builder.events
    }

    /// `message`: own messages (`is_from_me`) are `message.sent`; others `message.received`, with the sender
    /// possibly an `@lid` and `from_phone` its phone when known.
    private func message(_ data: JSON, into builder: inout EventBuilder) {
        let chat = data["chat"]?.stringValue ?? data["from"]?.stringValue ?? ""
        let id = data["message_id"]?.stringValue ?? ""
        let group = chat.hasSuffix("@g.us") ? chat : nil
        guard let type = WaxumWebhook.type(data["message_type"]?.stringValue) else {
            builder.add(.providerUnmapped, identity: "\(chat)/\(id)", group: group, data: ["kind": "message", "raw": data])
            return
        }
        var payload: JSONObject = [
            "providerMessageId": .string(id), "type": .string(type.rawValue), "text": .string(data["text"]?.stringValue),
            "caption": .string(data["caption"]?.stringValue),
            "media": data["media_mimetype"]?.stringValue.map { ["url": .null, "mimeType": .string($0), "filename": .null] } ?? .null,
        ]
        if data["is_from_me"]?.boolValue == true {
            payload["status"] = "sent"
            builder.add(.messageSent, identity: "\(chat)/\(id)", group: group, data: .object(payload))
            return
        }
        let senderText = data["participant"]?.stringValue ?? data["from"]?.stringValue ?? ""
        let sender = UserID.parse(senderText)?.withPhone(data["from_phone"]?.stringValue)
        payload["sender"] = .string(sender?.jid ?? senderText)
        payload["senderPhone"] = .string(sender?.phone)
        if group == nil { payload["chat"] = .string(chat) }
        builder.add(.messageReceived, identity: "\(chat)/\(id)", group: group, data: .object(payload))
    }

    static func type(_ text: String?) -> MessageType? {
        switch text?.lowercased() {
        case "text", "conversation", "extended_text", nil: .text
        case "image": .image
        case "video": .video
        case "audio": .audio
        case "ptt", "voice": .voice
        case "document": .document
        default: nil  // stickers, locations, polls…: not a canonical message type
        }
    }
}
