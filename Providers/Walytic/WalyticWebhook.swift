import Crypto
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// Walytic webhooks (REFERENCE §1): `{event, sessionId, groupName, groupId?, message|error, status, timestamp (s)}`,
/// unsigned, with no event id. Authenticity comes from the inbound URL: it carries the session's secret token
/// (`?token=`), compared in constant time. `group_message_sent` / `group_message_failed` become `message.sent` /
/// `message.failed` with what correlates them to the pending message (no provider message id exists): the group
/// (id or name), the text and the time. Everything else is kept as `provider.unmapped`.
public struct WalyticWebhook: WebhookNormalizer {
    public let scheme = "url-token (?token=) — Walytic does not sign webhooks"

    public init() {}

    public func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection) {
        let secret = try WebhookVerification.secret(secret, credential: "credentials.webhookToken", scheme: scheme, header: "query.token")
        guard let token = webhook.query.first(where: { $0.name == "token" })?.value, !token.isEmpty else {
            throw WebhookRejection(scheme: scheme, header: "query.token", reason: .missingSignature, detail: "the inbound URL has no ?token=")
        }
        guard ConstantTime.equals(Array(token.utf8), Array(secret.value.utf8)) else {
            throw WebhookRejection(scheme: scheme, header: "query.token", reason: .badToken, detail: "the URL token does not match the session's webhookToken")
        }
        // No signed timestamp: a token-authenticated URL cannot detect replays, but the event id dedupes them.
        if let seconds = (try? webhook.json())?["timestamp"]?.doubleValue {
            try WebhookVerification.checkAge(Date(timeIntervalSince1970: seconds), now: now, scheme: scheme, header: "body.timestamp")
        }
    }

    /// Walytic signs nothing; fixtures and fakes put the token in the URL instead.
    public func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)? { nil }

    public func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent] {
        let envelope = try webhook.json()
        guard let kind = envelope["event"]?.stringValue else { throw GatewayError.invalidRequest("A Walytic webhook needs an 'event' field.") }
        let occurred = envelope["timestamp"]?.doubleValue.map { Date(timeIntervalSince1970: $0) } ?? context.receivedAt
        var builder = EventBuilder(provider: WalyticMapping.kind, session: context.session, receivedAt: context.receivedAt, occurredAt: occurred)
        let identity = ByteEncoding.hex(Digest.sha256(JSON.array([.string(kind), envelope["timestamp"] ?? .null, envelope["groupId"] ?? .null,
            envelope["groupName"] ?? .null, envelope["message"] ?? .null, envelope["error"] ?? .null]).canonicalBytes))
        let group = envelope["groupId"]?.stringValue.flatMap { $0.hasSuffix("@g.us") ? $0 : nil }

        switch kind {
        case "group_message_sent", "groupMessageSent":
            builder.add(.messageSent, identity: identity, group: group, data: [
                "status": "sent", "providerMessageId": .null, "groupName": .string(envelope["groupName"]?.stringValue),
                "text": .string(envelope["message"]?.stringValue),
                "correlation": ["by": "group, text and time", "groupName": .string(envelope["groupName"]?.stringValue),
                                "text": .string(envelope["message"]?.stringValue)],
            ])
        case "group_message_failed", "groupMessageFailed":
            let reason = envelope["error"]?.stringValue ?? "unspecified error"
            builder.add(.messageFailed, identity: identity, group: group, data: [
                "status": "failed", "providerMessageId": .null, "groupName": .string(envelope["groupName"]?.stringValue),
                "error": ["code": .string((WalyticMapping.knownFailure(reason) ?? .providerRejected(reason)).code), "message": .string(reason)],
                "correlation": ["by": "group name and time", "groupName": .string(envelope["groupName"]?.stringValue)],
            ])
        default:
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": .string(kind), "raw": envelope])
        }
        return builder.events
    }
}
