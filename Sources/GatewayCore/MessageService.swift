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

    public init(sessions: SessionRegistry, messages: MessageStore, events: EventLog, database: Database, clock: any WallClock) {
        self.sessions = sessions
        self.messages = messages
        self.events = events
        self.database = database
        self.clock = clock
        idempotency = IdempotencyStore(database: database, clock: clock)
    }

    /// The HTTP status a send answers with: 202 while queued, 201 once the provider took it, 200 for a message
    /// answered as stored (a retry after an interrupted send).
    public static func answerStatus(_ message: Message, recovered: Bool = false) -> Int {
        recovered ? 200 : message.status == .queued ? 202 : 201
    }

    private static func answer(_ message: Message) -> IdempotencyStore.Answer {
        IdempotencyStore.Answer(status: answerStatus(message), contentType: "application/json", body: message.json.bytes)
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

        if let local = adapter as? any LocalProvider {
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

        // The message (and the idempotency key's link to it) is stored before the provider is called: a retry after
        // a crash during the call finds it and is not sent twice.
        try await database.write { [messages] db in
            try messages.insert(message, in: db)
            if let scope { try idempotency.attach(scope, resource: message.id, in: db) }
        }
        let outcome: SendOutcome
        do {
            guard case .sent(let sent) = try await adapter.perform(.send(outgoing), on: binding) else {
                throw GatewayError.internal("The provider answered a send with something else.")
            }
            outcome = sent
        } catch let error as GatewayError {
            try await database.write { [messages, clock] db in
                try messages.advance(message.id, to: .failed, error: error, at: clock.now(), in: db)
            }
            throw error
        }
        // The provider has the message: from here a failure to record it must not let a retry send it again.
        let stored = Message.accepted(outgoing, session: session, outcome: outcome, now: clock.now())
        do {
            try await database.write { [messages] db in
                if stored.group != message.group { try db.run("UPDATE messages SET group_id = ? WHERE id = ?", [.text(stored.group), .text(message.id)]) }
                try messages.advanceStatus(message.id, to: outcome.status, providerMessageId: outcome.providerMessageId, at: stored.updatedAt, in: db)
                if let scope { try idempotency.finish(scope, answer: MessageService.answer(stored), in: db) }
            }
            scope?.markAnswered()
        } catch {
            throw GatewayError.internal("The provider accepted message \(message.id), but recording that failed: \(error)")
                .with(details: ["message": .string(message.id), "providerAccepted": true])
        }
        return stored
    }

    /// A retried send whose first request was interrupted (the gateway stopped) after its message was stored:
    /// answered from the stored message. One still `queued` was being handed to the provider when the gateway
    /// stopped, so whether the provider took it is unknown: it is marked `failed` with `provider_timeout` and
    /// `details.outcome: "unknown"` rather than sent a second time.
    private func recover(_ id: String, for principal: Principal) async throws -> Message {
        guard let message = try messages.get(id), sessions.isVisible(message.session, to: principal) else { throw GatewayError.messageNotFound(id) }
        guard message.status == .queued else { return message }
        let error = GatewayError.providerTimeout(
            "The gateway stopped while handing this message to the provider; whether the provider took it is unknown, so it was not sent again."
        ).with(details: ["outcome": "unknown"])
        let now = clock.now()
        let updated = try await database.write { [messages] db in try messages.advance(id, to: .failed, error: error, at: now, in: db) }
        return updated ?? message
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
        guard let local = entry.adapter as? any LocalProvider else {
            throw GatewayError.unsupportedOperation(provider: entry.kind, operation: "messages.read")
        }
        try await local.markRead(message: id, on: binding)
        events.didAppend()
    }

    /// A page of the messages `session` sent, oldest first.
    public func history(session: String, after: String?, limit: Int, for principal: Principal) throws -> [Message] {
        let record = try sessions.session(session, for: principal)
        return try messages.list(session: record.name, after: after, limit: limit)
    }

    /// One message the principal may see.
    public func message(_ id: String, for principal: Principal) throws -> Message {
        guard let message = try messages.get(id), sessions.isVisible(message.session, to: principal) else {
            throw GatewayError.messageNotFound(id)
        }
        return message
    }
}
