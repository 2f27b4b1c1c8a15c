import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// Sends: validate, resolve the target group, persist, deliver, and answer with the stored message.
public final class MessageService: Sendable {
    private let sessions: SessionRegistry
    private let messages: MessageStore
    private let events: EventLog
    private let database: Database
    private let clock: any WallClock
    /// `Idempotency-Key` answers; a send records its answer in the transaction that records the message.
    public let idempotency: IdempotencyStore
    /// Sends owed to remote providers.
    public let outbox: Outbox

    public init(
        sessions: SessionRegistry, messages: MessageStore, events: EventLog, database: Database, clock: any WallClock,
        outbox settings: OutboxSettings = OutboxSettings(), logger: Logger = .discard, metrics: MetricsRegistry? = nil
    ) {
        self.sessions = sessions
        self.messages = messages
        self.events = events
        self.database = database
        self.clock = clock
        idempotency = IdempotencyStore(database: database, clock: clock)
        outbox = Outbox(
            database: database, messages: messages, sessions: sessions, events: events, settings: settings, clock: clock,
            logger: logger.labelled("outbox"), metrics: metrics)
    }

    /// The HTTP status a send answers with: 202 while queued, 201 once the provider took it, 200 for a message
    /// answered as stored (a retry after an interrupted send).
    public static func answerStatus(_ message: Message, recovered: Bool = false) -> Int {
        recovered ? 200 : message.status == .queued ? 202 : 201
    }

    /// Sends `content` from `session`. Returns the stored message (`sent`, or `queued` when the provider will send
    /// later).
    public func send(_ content: MessageContent, session: String, for principal: Principal) async throws -> Message {
        if let interrupted = IdempotencyStore.interrupted { return try await recover(interrupted, for: principal) }
        let scope = IdempotencyStore.current
        let idempotency = idempotency
        let (binding, entry) = try sessions.resolve(session, for: principal)
        let adapter = entry.adapter
        var content = content
        let operation = ProviderOperation.send(OutgoingMessage(id: "", content: content, createdAt: clock.now()))
        try ProviderCall.check(operation, adapter: adapter)
        if case .name(let name) = content.target, !adapter.descriptor.resolvesGroupNames {
            content.target = .id(try await resolveName(name, binding: binding, adapter: adapter))
        }
        let now = clock.now()
        let outgoing = OutgoingMessage(id: SortableID.make("msg", now: now), content: content, createdAt: now)
        let message = Message(
            id: outgoing.id, session: session, group: content.groupID ?? "", type: content.type, text: content.text, media: content.media,
            caption: content.caption, mentions: content.mentions.map(\.jid), status: .queued, createdAt: now, updatedAt: now)

        if let local = entry.local {
            // One transaction: the message, the provider's delivery, its events.
            let stored = try await database.write { [messages, clock] db -> Message in
                // The provider's outcome is known before the row is written: one insert, no update.
                let outcome = try local.send(outgoing, on: binding, in: db)
                var stored = message
                stored.status = message.status.advanced(to: outcome.status)
                stored.providerMessageId = outcome.providerMessageId
                stored.receipts = outcome.recipients.map { Receipts(recipients: $0, delivered: 0, read: 0) }
                stored.updatedAt = clock.now()
                try messages.insert(stored, in: db)
                if let scope { try idempotency.finish(scope, answer: MessageService.answer(stored), in: db) }
                return stored
            }
            scope?.markAnswered()
            events.didAppend()
            return stored
        }

        // The message, its outbox row and the idempotency key's link to it commit together before any provider
        // call: from here the outbox owes the send, whatever fails, and a retry of the request cannot send twice.
        let nowSeconds = now.timeIntervalSince1970
        let settings = outbox.settings
        let slot = outbox.pacer.reserve(session, pacing: settings.pacing(provider: entry.name, kind: entry.kind), now: nowSeconds)
        let breaker = outbox.breaker(entry.name)
        let callNow = slot - nowSeconds <= min(1, settings.answerWithin) && breaker.allow(now: slot)
        do {
            try await database.write { [messages, outbox] db in
                try messages.insert(message, in: db)
                try outbox.enqueue(message, sending: callNow, at: slot, paced: true, in: db)
                guard let scope else { return }
                if callNow { try idempotency.attach(scope, resource: message.id, in: db) } else { try idempotency.finish(scope, answer: MessageService.answer(message), in: db) }
            }
        } catch {
            if callNow { breaker.neutral() }  // a half-open trial that never happened
            throw error
        }
        guard callNow else {
            // Paced behind earlier sends, or the provider's circuit is open: the outbox sends it when due.
            scope?.markAnswered()
            outbox.wakeup.signal()
            return message
        }
        if slot > nowSeconds { try? await Task.sleep(nanoseconds: UInt64((slot - nowSeconds) * 1e9)) }
        return try await attemptWithin(settings.answerWithin, message, binding: binding, entry: entry, scope: scope)
    }

    /// Makes the first call, answering with its outcome — or with the queued message once `seconds` have passed
    /// (the call goes on; the outbox records its outcome). A send the provider refused throws its error.
    private func attemptWithin(
        _ seconds: Double, _ message: Message, binding: SessionBinding, entry: ProviderEntry, scope: IdempotencyStore.Scope?
    ) async throws -> Message {
        // Whoever claims first answers the request (and writes the idempotency answer): the call's recording
        // transaction, or the timer. Only the winner finishes the race, so the answer given is the answer kept.
        let answered = LockedValue(false)
        let claim: @Sendable () -> Bool = { answered.withLock { done -> Bool in defer { done = true }; return !done } }
        let callWon = LockedValue(false)
        let finisher: Outbox.Finisher = { db, recorded in
            guard claim() else { return }
            callWon.set(true)
            if let scope { try self.idempotency.finish(scope, answer: MessageService.answer(recorded), in: db) }
        }
        let race = Race<(Message, timedOut: Bool)>()
        let outbox = outbox
        Task.detached {
            do {
                let recorded = try await outbox.attempt(message, attempts: 1, binding: binding, entry: entry, finisher: finisher)
                if callWon.get() { race.finish(.success((recorded, false))) }
            } catch {
                // Recording failed (the database): the provider may have the message, so the key must stay taken.
                if callWon.get() || claim() { race.finish(.failure(error)) }
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if claim() { race.finish(.success((message, true))) }
        }
        let recorded: Message
        do {
            let (value, timedOut) = try await race.value
            if timedOut, let scope { try await idempotency.finish(scope, answer: MessageService.answer(message)) }
            recorded = value
        } catch {
            throw GatewayError.internal("Message \(message.id) is stored and owed to the provider, but recording its first attempt failed: \(error)")
                .with(details: ["message": .string(message.id), "outcomeUnknown": true])
        }
        scope?.markAnswered()
        if recorded.status == .failed, let error = recorded.error { throw error.with(details: ["message": .string(recorded.id)]) }
        return recorded
    }

    private static func answer(_ message: Message) -> IdempotencyStore.Answer {
        if message.status == .failed, let error = message.error {
            return IdempotencyStore.Answer(
                status: error.status, contentType: "application/json", body: error.with(details: ["message": .string(message.id)]).body.bytes)
        }
        return IdempotencyStore.Answer(status: answerStatus(message), contentType: "application/json", body: message.json.bytes)
    }

    /// A retried send whose first request was interrupted (the gateway stopped) after its message was stored:
    /// answered from the stored message, which the outbox delivers (or reconciles) — never sent a second time.
    private func recover(_ id: String, for principal: Principal) async throws -> Message {
        guard let message = try messages.get(id), sessions.isVisible(message.session, to: principal) else { throw GatewayError.messageNotFound(id) }
        return message
    }

    /// The one group whose name matches, case-insensitively (as WhatsApp clients and Walytic match).
    private func resolveName(_ name: String, binding: SessionBinding, adapter: any ProviderAdapter) async throws -> String {
        guard adapter.descriptor.supports(.groupsList) else {
            throw GatewayError.unsupportedOperation(provider: adapter.descriptor.kind, operation: "groups.list")
                .with(details: ["reason": "sending by 'groupName' needs the group list"])
        }
        guard case .groups(let groups) = try await adapter.perform(.listGroups, on: binding) else {
            throw GatewayError.internal("The provider answered a group list with something else.")
        }
        let matches = groups.filter { $0.name?.lowercased() == name.lowercased() }
        switch matches.count {
        case 0: throw GatewayError.groupNotFound("No group named '\(name)' on session '\(binding.session)'.")
        case 1: return matches[0].id
        default:
            throw GatewayError.groupAmbiguous("\(matches.count) groups are named '\(name)'; send by 'group' id instead.", ids: matches.map(\.id))
        }
    }

    /// Marks a received message read (native recipients).
    public func markRead(message id: String, session: String, for principal: Principal) async throws {
        let (binding, entry) = try sessions.resolve(session, for: principal)
        guard let local = entry.local else {
            throw GatewayError.unsupportedOperation(provider: entry.kind, operation: "messages.read")
        }
        try await local.markRead(message: id, on: binding)
        events.didAppend()
    }

    /// A page of the messages `session` sent (to `group`, when given), oldest or newest first.
    public func history(
        session: String, group: String? = nil, after: String?, newestFirst: Bool = false, limit: Int, for principal: Principal
    ) throws -> [Message] {
        let record = try sessions.session(session, for: principal)
        return try messages.list(session: record.name, group: group, after: after, newestFirst: newestFirst, limit: limit)
    }

    /// One message the principal may see, with its provider attempts.
    public func messageWithAttempts(_ id: String, for principal: Principal) throws -> (Message, [SendAttempt]) {
        let found = try message(id, for: principal)
        return (found, try outbox.attempts(id))
    }

    /// One message the principal may see.
    public func message(_ id: String, for principal: Principal) throws -> Message {
        guard let message = try messages.get(id), sessions.isVisible(message.session, to: principal) else {
            throw GatewayError.messageNotFound(id)
        }
        return message
    }
}
