import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// Accepted sends owed to remote providers (DESIGN §5): each is an `outbox` row committed with its message,
/// delivered by one attempt at a time — by the send request itself when the provider is ready, else by the
/// worker (`OutboxWorker`), also after a restart. Retryable errors back off with jitter and `Retry-After`; a
/// definite refusal fails the message; a call whose outcome is unknown is reconciled before any resend.
public final class Outbox: Sendable {
    /// What an attempt (or a reconciliation) decided.
    enum Verdict: Sendable {
        case sent(SendOutcome, SendAttempt.Outcome)
        case retry(GatewayError, at: Double)
        case unknown(GatewayError)
        case fail(GatewayError, SendAttempt.Outcome)
        /// Send again now (reconciliation found nothing, or the policy resends unknown outcomes).
        case resend(SendAttempt.Outcome, GatewayError?)
        /// The provider's webhook settled the message first.
        case settled
    }

    /// Runs inside the transaction that records an attempt, with the message as recorded (the send request
    /// writes its idempotency answer there).
    typealias Finisher = @Sendable (SQLiteConnection, Message) throws -> Void

    public let settings: OutboxSettings
    let store: OutboxStore
    let database: Database
    let messages: MessageStore
    let sessions: SessionRegistry
    let events: EventLog
    let clock: any WallClock
    let logger: Logger
    public let pacer = SendPacer()
    private let breakers = LockedValue<[String: CircuitBreaker]>([:])
    private let metrics: MetricsRegistry?
    /// Signalled when a row becomes due sooner than the worker planned.
    let wakeup = Wakeup()
    /// Messages with a provider call under way in this process (a `sending` row not here was abandoned).
    let inFlight = LockedValue<Set<String>>([])

    public init(
        database: Database, messages: MessageStore, sessions: SessionRegistry, events: EventLog, settings: OutboxSettings, clock: any WallClock,
        logger: Logger, metrics: MetricsRegistry? = nil
    ) {
        self.database = database
        self.messages = messages
        self.sessions = sessions
        self.events = events
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        store = OutboxStore(database: database)
        if let metrics {
            let depth = OutboxStore.State.allCases.map {
                ($0, metrics.gauge("switchboard_outbox_depth", help: "Sends owed to providers, by state.", labels: [("state", $0.rawValue)]))
            }
            metrics.addCollector { [store, breakers, clock] in
                if let counts = try? store.depth() { for (state, gauge) in depth { gauge.set(Double(counts[state] ?? 0)) } }
                let now = clock.now().timeIntervalSince1970
                for (name, breaker) in breakers.get() {
                    metrics.gauge("switchboard_provider_circuit_open", help: "1 while a provider's circuit is open (calls are not made).", labels: [("provider", name)])
                        .set(breaker.state(now: now) == .closed ? 0 : 1)
                }
            }
        }
    }

    /// The circuit breaker of a configured provider.
    public func breaker(_ provider: String) -> CircuitBreaker {
        breakers.withLock { breakers in
            if let existing = breakers[provider] { return existing }
            let created = CircuitBreaker(provider: provider, threshold: settings.breakerThreshold, openSeconds: settings.breakerOpenSeconds)
            breakers[provider] = created
            return created
        }
    }

    /// A message's attempts, oldest first.
    public func attempts(_ message: String) throws -> [SendAttempt] {
        try database.read { db in try SendAttempt.list(message: message, in: db) }
    }

    // MARK: - Enqueueing (inside the send's transaction)

    /// Owes `message` to its provider: `sending` (the caller makes the first call now) or pending until `at`.
    func enqueue(_ message: Message, sending: Bool, at: Double, paced: Bool, in db: SQLiteConnection) throws {
        try store.insert(
            message: message.id, session: message.session, sending: sending, nextAt: at, paced: paced,
            createdAt: message.createdAt.timeIntervalSince1970, in: db)
    }

    // MARK: - One attempt

    /// The send `message` describes, as the provider gets it.
    static func outgoing(_ message: Message) -> OutgoingMessage {
        let content = MessageContent(
            target: .id(message.group), type: message.type, text: message.text, media: message.media, caption: message.caption,
            mentions: message.mentions.compactMap(UserID.parse))
        return OutgoingMessage(id: message.id, content: content, createdAt: message.createdAt)
    }

    /// Calls the provider once for `message` and records what happened; `attempts` counts this call.
    func attempt(
        _ message: Message, attempts: Int, binding: SessionBinding, entry: ProviderEntry, finisher: Finisher? = nil
    ) async throws -> Message {
        let started = clock.now()
        let log = ProviderHTTP.StatusLog()
        let breaker = breaker(entry.name)
        inFlight.withLock { _ = $0.insert(message.id) }
        defer { inFlight.withLock { _ = $0.remove(message.id) } }
        let verdict: Verdict
        let calling = Monotonic.nanoseconds()
        do {
            let result = try await ProviderHTTP.$statuses.withValue(log) {
                try await entry.adapter.perform(.send(Outbox.outgoing(message)), on: binding)
            }
            guard case .sent(let outcome) = result else { throw GatewayError.internal("The provider answered a send with something else.") }
            breaker.report(nil, now: clock.now().timeIntervalSince1970)
            verdict = .sent(outcome, .sent)
        } catch let error as GatewayError {
            let now = clock.now().timeIntervalSince1970
            breaker.report(error, now: now)
            if error.isOutcomeUnknown {
                verdict = .unknown(error)
            } else if error.retryable, attempts < settings.maxAttempts, now - message.createdAt.timeIntervalSince1970 < settings.retryWindow {
                verdict = .retry(error, at: now + settings.retry.delay(afterAttempts: attempts, retryAfter: error.retryAfter.map(Double.init)))
            } else {
                verdict = .fail(error, .failed)
            }
        }
        time(Double(Monotonic.nanoseconds() - calling) / 1e9, provider: entry.name)
        return try await record(verdict, for: message, started: started, providerStatus: log.last, provider: entry.name, finisher: finisher)
    }

    /// Writes a verdict: the message's status, the attempt, the outbox row, a `message.failed` event — one
    /// transaction. Returns the message as recorded.
    func record(
        _ verdict: Verdict, for message: Message, started: Date, providerStatus: Int?, provider: String, finisher: Finisher? = nil
    ) async throws -> Message {
        let now = clock.now()
        let grace = settings.unknownGrace
        count(verdict, provider: provider)
        let recorded = try await database.write { [store, messages, events] db -> Message in
            func attempt(_ outcome: SendAttempt.Outcome, _ error: GatewayError?) throws {
                try SendAttempt(number: 0, startedAt: started, finishedAt: now, outcome: outcome, providerStatus: providerStatus, error: error)
                    .insert(message: message.id, in: db)
            }
            switch verdict {
            case .sent(let outcome, let how):
                if let group = outcome.resolvedGroup, group != message.group {
                    _ = try db.run("UPDATE messages SET group_id = ? WHERE id = ?", [.text(group), .text(message.id)])
                }
                try messages.advanceStatus(message.id, to: outcome.status, providerMessageId: outcome.providerMessageId, at: now, in: db)
                try attempt(how, nil)
                try store.delete(message.id, in: db)
            case .retry(let error, let at):
                try attempt(.retrying, error)
                try store.reschedule(message.id, state: .pending, nextAt: at, paced: false, in: db)
            case .unknown(let error):
                try attempt(.unknown, error)
                try store.reschedule(message.id, state: .unknown, nextAt: now.timeIntervalSince1970 + grace, paced: false, in: db)
            case .fail(let error, let how):
                try attempt(how, error)
                try messages.advance(message.id, to: .failed, error: error, at: now, in: db)
                try store.delete(message.id, in: db)
                let event = GatewayEvent(
                    id: EventID.make(provider: provider, session: message.session, identity: message.id, type: .messageFailed), type: .messageFailed,
                    occurredAt: now, receivedAt: now, session: message.session, provider: provider, group: message.group,
                    data: ["message": .string(message.id), "error": error.json])
                _ = try events.append([event], in: db)
            case .resend(let how, let error):
                try attempt(how, error)
                try store.reschedule(message.id, state: .pending, nextAt: now.timeIntervalSince1970, paced: false, in: db)
            case .settled:
                try attempt(.settled, nil)
                try store.delete(message.id, in: db)
            }
            let recorded = try messages.get(message.id, in: db) ?? message
            try finisher?(db, recorded)
            return recorded
        }
        if case .fail = verdict { events.didAppend() }
        if case .resend = verdict { wakeup.signal() }
        return recorded
    }

    /// How long the provider took to answer a send (or to fail it), whatever the outcome.
    private func time(_ seconds: Double, provider: String) {
        metrics?.histogram(
            "switchboard_provider_send_seconds", help: "Provider calls for sends, from the request to the answer (or the failure), by provider.",
            labels: [("provider", provider)]
        ).observe(seconds)
    }

    private func count(_ verdict: Verdict, provider: String) {
        guard let metrics else { return }
        let outcome: String =
            switch verdict {
            case .sent(_, let how): how.rawValue
            case .retry: "retrying"
            case .unknown: "unknown"
            case .fail(_, let how): how.rawValue
            case .resend(let how, _): how.rawValue
            case .settled: "settled"
            }
        metrics.counter(
            "switchboard_send_attempts_total", help: "Provider calls and reconciliations for sends, by provider and outcome.",
            labels: [("provider", provider), ("outcome", outcome)]
        ).increment()
    }
}
