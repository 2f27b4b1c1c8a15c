import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Storage
import Support

/// A configured provider's webhook handling: its normalizer and the secret its webhooks are verified with.
public struct InboundProvider: Sendable {
    public let name: String
    public let kind: String
    public let normalizer: any WebhookNormalizer
    public let secret: Secret?

    public init(name: String, kind: String, normalizer: any WebhookNormalizer, secret: Secret?) {
        self.name = name
        self.kind = kind
        self.normalizer = normalizer
        self.secret = secret
    }
}

/// `POST /v1/inbound/{provider}/{session}`: verify with the provider's scheme and secret, normalize, then in one
/// transaction keep the raw bytes, append the events (deduplicated on their deterministic ids), move the status
/// of the messages they speak about, and record the payload's shape (drift). The answer goes out after that
/// commit, so an acknowledged webhook is never lost.
public final class InboundService: Sendable {
    private let providers: [String: InboundProvider]
    private let sessions: SessionRegistry
    private let events: EventLog
    private let messages: MessageStore
    private let database: Database
    private let logger: Logger
    private let clock: any WallClock
    /// How far back a status webhook is matched to a sent message without a provider id (Walytic).
    public static let correlationWindow: TimeInterval = 600

    public init(
        providers: [InboundProvider], sessions: SessionRegistry, events: EventLog, messages: MessageStore, database: Database, logger: Logger,
        clock: any WallClock
    ) {
        self.providers = Dictionary(providers.map { ($0.name, $0) }) { first, _ in first }
        self.sessions = sessions
        self.events = events
        self.messages = messages
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    public struct Outcome: Sendable {
        public let acknowledgement: (status: Int, body: JSON)
        public let appended: Int
        public let duplicates: Int
    }

    public func receive(provider name: String, session: String, webhook: InboundWebhook) async throws(GatewayError) -> Outcome {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Outcome, GatewayError>, Never>) in
            receive(provider: name, session: session, webhook: webhook) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// `receive` with a callback. Verifying and normalizing run on the calling thread (no blocking: CPU only);
    /// `completion` runs on the database's writer thread once the webhook is durably stored, or at once (on the
    /// calling thread) when it is refused.
    public func receive(
        provider name: String, session: String, webhook: InboundWebhook, completion: @escaping @Sendable (Result<Outcome, GatewayError>) -> Void
    ) {
        let prepared: Prepared
        do throws(GatewayError) {
            prepared = try prepare(provider: name, session: session, webhook: webhook)
        } catch {
            completion(.failure(error))
            return
        }
        let (events, messages, now, total) = (events, messages, prepared.now, prepared.events.count)
        database.write({ db in
            var normalized = prepared.events
            for index in normalized.indices { try InboundService.applyStatus(&normalized[index], messages: messages, now: now, in: db) }
            let appended = try events.append(normalized, in: db)
            try db.run(
                "INSERT INTO inbound_webhooks (provider, session, kind, received_at, headers, body, events) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.text(name), .text(session), .text(prepared.kind), .real(now.timeIntervalSince1970), .text(prepared.headers), .blob(webhook.body),
                 .text(JSON.array(normalized.map { .string($0.id) }).text)])
            try PayloadDrift.record(provider: name, kind: prepared.kind, shape: prepared.shape, digest: prepared.digest, at: now, in: db)
            return appended.count
        }) { result in
            switch result {
            case .success(let appended):
                if appended > 0 { events.didAppend() }
                completion(.success(Outcome(acknowledgement: prepared.acknowledgement, appended: appended, duplicates: total - appended)))
            case .failure(let error):
                completion(.failure(GatewayError.internal("The webhook could not be stored: \(error)")))
            }
        }
    }

    /// A verified webhook, normalized and ready to store.
    private struct Prepared: Sendable {
        let now: Date
        let events: [GatewayEvent]
        let kind: String
        let shape: [String: String]
        let digest: String
        /// The request headers kept with the raw copy (JSON), signatures left out.
        let headers: String
        let acknowledgement: (status: Int, body: JSON)
    }

    private func prepare(provider name: String, session: String, webhook: InboundWebhook) throws(GatewayError) -> Prepared {
        // An unknown provider or session answers exactly as a bad signature does: callers without the secret learn
        // nothing about what is configured. The log line tells the operator the real reason.
        guard let provider = providers[name], let record = sessions.record(session), record.provider == name else {
            throw rejected(
                WebhookRejection(scheme: "", header: "", reason: .unknownTarget, detail: "no session of this name is bound to a provider of this name that receives webhooks"),
                provider: name, session: session)
        }
        let now = clock.now()
        do {
            try provider.normalizer.verify(webhook, secret: provider.secret, now: now)
        } catch {
            throw rejected(error, provider: name, session: session)
        }
        let payload = try webhook.json()
        let normalized = try provider.normalizer.normalize(webhook, context: NormalizeContext(session: session, receivedAt: now))
        let profile = PayloadDrift.profile(payload)
        var headers = JSONObject()
        // Signature headers are left out of the stored copy (a plain byte search: `contains` and
        // `utf8.firstRange(of:)` cost 5 % and 20 % of an ingest's CPU).
        for field in webhook.headers.fields where !field.lowercasedName.containsBytes(of: "signature") && !field.lowercasedName.containsBytes(of: "hmac") {
            headers[field.lowercasedName] = .string(field.value)
        }
        return Prepared(
            now: now, events: normalized, kind: provider.normalizer.kind(of: payload), shape: profile.shape, digest: profile.digest,
            headers: JSON.object(headers).text, acknowledgement: provider.normalizer.acknowledgement)
    }

    /// Logs why a webhook was refused; the client gets the one canonical answer, whatever the reason.
    private func rejected(_ rejection: WebhookRejection, provider: String, session: String) -> GatewayError {
        var metadata: JSONObject = [
            "provider": .string(provider), "session": .string(session), "reason": .string(rejection.reason.rawValue), "detail": .string(rejection.detail),
        ]
        if !rejection.scheme.isEmpty { metadata["scheme"] = .string(rejection.scheme) }
        if !rejection.header.isEmpty { metadata["header"] = .string(rejection.header) }
        logger.warning("webhook rejected", metadata)
        return rejection.canonical
    }

    /// A status event (`message.sent/delivered/read/played/failed`) moves the message it speaks about forward
    /// (never back) and names it in `data.message`. By provider message id when the event has one (exact, or the
    /// WhatsApp id inside a serialized one such as WAHA's `true_<chat>_<id>_<sender>`); otherwise, for providers
    /// without ids (Walytic), by the hints in `data.correlation` — group, text, a time window — and only when exactly
    /// one pending message fits: several are reported as `correlation.candidates`, never guessed.
    static func applyStatus(_ event: inout GatewayEvent, messages: MessageStore, now: Date, in db: SQLiteConnection) throws {
        guard let status = event.type.messageStatus, case .object(var data) = event.data else { return }
        let since = SQLValue.real(event.occurredAt.timeIntervalSince1970 - correlationWindow)
        var matches: [String] = []
        if let providerID = data["providerMessageId"]?.stringValue, !providerID.isEmpty {
            matches = try db.query(
                """
                SELECT id FROM messages WHERE session = ?1 AND (provider_message_id = ?2 OR (created_at > ?3 AND instr(provider_message_id, ?2) > 0))
                LIMIT 2
                """, [.text(event.session), .text(providerID), since]
            ).compactMap { $0.string(0) }
        } else if case .object(var hints)? = data["correlation"] {
            var sql = "SELECT id FROM messages WHERE session = ? AND status IN ('queued', 'sent') AND created_at BETWEEN ? AND ?"
            var values: [SQLValue] = [.text(event.session), since, .real(event.occurredAt.timeIntervalSince1970 + 60)]
            if let group = event.group { sql += " AND group_id = ?"; values.append(.text(group)) }
            if let text = hints["text"]?.stringValue { sql += " AND text = ?"; values.append(.text(text)) }
            matches = try db.query(sql + " ORDER BY id LIMIT 10", values).compactMap { $0.string(0) }
            hints["matched"] = .bool(matches.count == 1)
            if matches.count > 1 { hints["candidates"] = .array(matches.map { .string($0) }) }
            data["correlation"] = .object(hints)
            if matches.count > 1 {
                event.data = .object(data)
                return
            }
        }
        guard matches.count == 1, let id = matches.first else {
            event.data = .object(data)
            return
        }
        data["message"] = .string(id)
        event.data = .object(data)
        // A receipt from one participant of a group (WAHA's per-participant acks) is that member's receipt, not the
        // message's aggregate status: only a failure, or a receipt for the whole message, moves the status.
        if status != .failed, status != .sent, data["participant"]?.stringValue != nil { return }
        if status == .failed {
            var reported = data["error"]?.objectValue ?? JSONObject()
            if reported["status"] == nil { reported["status"] = 502 }
            let error = GatewayError(json: .object(reported)) ?? GatewayError.providerRejected("The provider reported that the message failed.")
            _ = try messages.advance(id, to: .failed, error: error, at: now, in: db)
        } else {
            try messages.advanceStatus(id, to: status, providerMessageId: nil, at: now, in: db)
        }
    }
}
