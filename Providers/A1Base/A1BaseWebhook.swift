import Crypto
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// A1Base webhooks (REFERENCE §4): one payload per message `{thread_id, message_id, thread_type, sender_number,
/// sender_name, a1_phone_number, timestamp (ISO), message_type, is_from_agent, message_content}`, signed with
/// HMAC-SHA256 over the unix timestamp followed by the body, keyed with the account's API secret. A1Base does not
/// publish the header names; Switchboard reads `X-A1Base-Signature` (hex) and `X-A1Base-Timestamp` (seconds).
///
/// The agent's own sends come back too (`is_from_agent`, or the `sender_number: "+"` quirk in groups): they are
/// `message.sent`, never `message.received`. Media arrives as base64 in `message_content.data`; events carry its
/// size, never the bytes.
public struct A1BaseWebhook: WebhookNormalizer {
    public let scheme = "hmac-sha256(timestamp + body) in X-A1Base-Signature, X-A1Base-Timestamp"

    public init() {}

    public func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection) {
        let secret = try WebhookVerification.secret(secret, credential: "apiSecret", scheme: scheme, header: "X-A1Base-Signature")
        let presented = try WebhookVerification.presented("X-A1Base-Signature", in: webhook, scheme: scheme)
        guard let stamp = webhook.headers["x-a1base-timestamp"]?.trimmingASCIIWhitespace(), let seconds = Double(stamp) else {
            throw WebhookRejection(scheme: scheme, header: "X-A1Base-Timestamp", reason: .missingTimestamp, detail: "no numeric X-A1Base-Timestamp header")
        }
        let expected = HMAC.mac(.sha256, key: secret.value, message: Array(stamp.utf8) + webhook.body)
        guard WebhookVerification.matchesHex(presented, expected, prefix: "sha256=") else {
            throw WebhookRejection(scheme: scheme, header: "X-A1Base-Signature", reason: .mismatch, detail: "HMAC-SHA256 of timestamp + body does not match")
        }
        try WebhookVerification.checkAge(Date(timeIntervalSince1970: seconds), now: now, scheme: scheme, header: "X-A1Base-Timestamp")
    }

    public func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)? {
        guard let stamp = headers["x-a1base-timestamp"] else { return nil }
        return ("X-A1Base-Signature", ByteEncoding.hex(HMAC.mac(.sha256, key: secret.value, message: Array(stamp.utf8) + body)))
    }

    /// A1Base payloads have no event name: one kind per message type.
    public func kind(of payload: JSON) -> String {
        "message:" + String((payload["message_type"]?.stringValue ?? "unknown").prefix(60))
    }

    public func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent] {
        let payload = try webhook.json()
        guard payload.objectValue != nil else { throw GatewayError.invalidRequest("An A1Base webhook is a JSON object.") }
        let occurred = payload["timestamp"]?.stringValue.flatMap(Timestamp.parseISO8601) ?? context.receivedAt
        var builder = EventBuilder(provider: A1BaseMapping.kind, session: context.session, receivedAt: context.receivedAt, occurredAt: occurred)
        let thread = payload["thread_id"]?.stringValue ?? ""
        let messageID = payload["message_id"]?.stringValue ?? ""
        let identity = messageID.isEmpty
            ? ByteEncoding.hex(Digest.sha256(Self.withoutMedia(payload).canonicalBytes)) : "\(thread)/\(messageID)"
        let isGroup = payload["thread_type"]?.stringValue == "group"
        let group = isGroup ? thread : nil
        let content = payload["message_content"] ?? .null

        guard let type = Self.type(payload["message_type"]?.stringValue) else {
            builder.add(.providerUnmapped, identity: identity, group: group, data: [
                "kind": .string("message:\(payload["message_type"]?.stringValue ?? "unknown")"), "raw": Self.withoutMedia(payload),
            ])
            return builder.events
        }
        var data: JSONObject = [
            "providerMessageId": .string(messageID), "type": .string(type.rawValue),
            "text": .string(type == .text ? content["text"]?.stringValue : nil),
            "caption": .string(type == .text ? nil : content["caption"]?.stringValue ?? content["text"]?.stringValue),
            "media": Self.media(content, type: type),
        ]
        let sender = payload["sender_number"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        let fromAgent = payload["is_from_agent"]?.boolValue == true || (isGroup && (sender == "+" || sender.isEmpty))
        if fromAgent {
            data["status"] = "sent"
            builder.add(.messageSent, identity: identity, group: group, data: .object(data))
            return builder.events
        }
        let user = UserID.parse(sender)
        data["sender"] = .string(user?.jid ?? sender)
        data["senderPhone"] = .string(user?.phone)
        data["senderName"] = .string(payload["sender_name"]?.stringValue)
        if !isGroup { data["chat"] = .string(thread) }
        builder.add(.messageReceived, identity: identity, group: group, data: .object(data))
        return builder.events
    }

    static func type(_ text: String?) -> MessageType? {
        switch text?.lowercased() {
        case "text", "rich_text": .text
        case "image": .image
        case "video": .video
        case "audio": .audio
        case "document", "file": .document
        default: nil  // reaction, group_invite, location, unsupported_message_type
        }
    }

    /// Media metadata without the inline base64: its mime type and decoded size.
    static func media(_ content: JSON, type: MessageType) -> JSON {
        guard type != .text else { return .null }
        let base64 = content["data"]?.stringValue
        return [
            "url": .null, "mimeType": .string(content["mime_type"]?.stringValue ?? content["mimetype"]?.stringValue),
            "filename": .string(content["filename"]?.stringValue),
            "size": .int(base64.map { $0.utf8.count / 4 * 3 }), "inline": "omitted: A1Base sends media inline as base64; it is not copied into events",
        ]
    }

    /// The payload with `message_content.data` (base64 media) replaced by its length.
    static func withoutMedia(_ payload: JSON) -> JSON {
        guard case .object(var object) = payload, case .object(var content)? = object["message_content"], let data = content["data"]?.stringValue else {
            return payload
        }
        content["data"] = .string("<\(data.utf8.count) base64 characters omitted>")
        object["message_content"] = .object(content)
        return .object(object)
    }
}
