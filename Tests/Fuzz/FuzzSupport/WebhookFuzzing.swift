import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// Drives one provider's webhook normalizer with a fuzz input as the body (docs/fuzzing.md).
///
/// Each header variant is filled in from the body the way the provider would send it (`$timestamp` and `$event`
/// copy the envelope's fields, so the fuzzer reaches them through the body) and signed with a known secret
/// (`$sign`), so verification runs to its end — timestamp parsing and the age check included — rather than
/// stopping at a bad signature. Normalization then runs whatever verification said, since what follows it is
/// what hostile-but-authentic payloads reach. Every event must render, and its data must read back equal: the
/// event log stores it as text and parses it again.
public struct WebhookFuzzing: Sendable {
    public let normalizer: any WebhookNormalizer
    /// Header templates: values `$sign`, `$timestamp` and `$event` are filled in per input.
    public let headerVariants: [[(String, String)]]
    /// Query parameters of the inbound URL; `$secret` is replaced by the secret.
    public let query: [(String, String)]

    public static let secret = Secret("fuzz-webhook-secret")
    /// The fixtures' recording time (2026-11-21T10:00:00Z): their envelopes are fresh at this instant.
    public static let now = Date(timeIntervalSince1970: 1_795_255_200)

    public init(_ normalizer: any WebhookNormalizer, headerVariants: [[(String, String)]], query: [(String, String)] = []) {
        self.normalizer = normalizer
        self.headerVariants = headerVariants
        self.query = query
    }

    /// Verifies and normalizes `body` under every header variant, crashing on a broken invariant.
    public func run(_ body: [UInt8]) {
        let envelope = try? JSONParser.parse(body)
        let query = self.query.map { (name: $0.0, value: $0.1 == "$secret" ? WebhookFuzzing.secret.value : $0.1) }
        for variant in headerVariants {
            let webhook = InboundWebhook(headers: headers(variant, body: body, envelope: envelope), body: body, query: query)
            do {
                try normalizer.verify(webhook, secret: WebhookFuzzing.secret, now: WebhookFuzzing.now)
            } catch {
                _ = error.canonical.body.bytes
            }
            if let envelope { _ = normalizer.kind(of: envelope) }
            let events: [GatewayEvent]
            do {
                events = try normalizer.normalize(webhook, context: NormalizeContext(session: "fuzz", receivedAt: WebhookFuzzing.now))
            } catch {
                _ = error.body.bytes
                continue
            }
            for event in events {
                _ = event.json.bytes  // as the API renders it, timestamps included
                guard let stored = try? JSONParser.parse(event.data.bytes), stored == event.data else {
                    fatalError("event data does not read back as stored: \(event.data.text)")
                }
            }
        }
    }

    private func headers(_ variant: [(String, String)], body: [UInt8], envelope: JSON?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        var toSign: [String] = []
        for (name, value) in variant {
            switch value {
            case "$sign": toSign.append(name)
            case "$timestamp": headers.add(name, WebhookFuzzing.text(envelope?["timestamp"]) ?? "1795255200")
            case "$event": headers.add(name, WebhookFuzzing.text(envelope?["event"]) ?? "message")
            default: headers.add(name, value)
            }
        }
        for name in toSign {
            let signed = normalizer.signature(for: body, headers: headers, secret: WebhookFuzzing.secret)
            headers.add(name, signed?.value ?? "")
        }
        return headers
    }

    /// A header's worth of a JSON value: a string as is, anything else as its JSON text (without control bytes,
    /// which a header cannot carry).
    private static func text(_ value: JSON?) -> String? {
        guard let value else { return nil }
        let text = value.stringValue ?? value.text
        return String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
