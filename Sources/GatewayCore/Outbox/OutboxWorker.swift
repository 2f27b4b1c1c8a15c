import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// Delivers the outbox: rows that are due, each session's in order and one at a time, sessions side by side (at
/// most `concurrency`). Pending rows wait for their session's pacing slot and their provider's circuit; unknown
/// rows are reconciled (webhook, provider lookup, then the configured policy) before any resend.
public final class OutboxWorker: Sendable {
    private struct LoopState {
        var task: Task<Void, Never>?
        var stopping = false
        /// Sessions with a delivery task running, and the messages it holds.
        var busySessions: Set<String> = []
        var busyMessages: Set<String> = []
    }

    private let outbox: Outbox
    private let state = LockedValue(LoopState())

    public init(outbox: Outbox) { self.outbox = outbox }

    /// Marks calls a previous process left under way as unknown, then starts delivering.
    public func start() async throws {
        let recovered = try await outbox.store.recoverInterrupted(now: outbox.clock.now(), grace: outbox.settings.unknownGrace)
        if recovered > 0 {
            outbox.logger.warning("sends interrupted by the last stop have an unknown outcome; reconciling before any resend", ["count": .int(Int64(recovered))])
        }
        let task = Task.detached { [self] in await loop() }
        state.withLock { $0.task = task }
    }

    /// Stops taking new rows and waits up to `grace` seconds for calls under way.
    public func stop(grace: Double) {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.stopping = true
            return state.task
        }
        outbox.wakeup.signal()
        let deadline = Monotonic.seconds() + grace
        while Monotonic.seconds() < deadline, state.withLock({ !$0.busySessions.isEmpty }) { usleep(10_000) }
        task?.cancel()
    }

    private func loop() async {
        var lastSweep = Monotonic.seconds()
        while !state.withLock({ $0.stopping }) {
            do {
                try await claimAndRun()
                let now = outbox.clock.now().timeIntervalSince1970
                if Monotonic.seconds() - lastSweep >= 60 {
                    lastSweep = Monotonic.seconds()
                    let abandoned = try await outbox.store.sweepAbandoned(inFlight: outbox.inFlight.get(), now: now, grace: outbox.settings.unknownGrace)
                    if abandoned > 0 { outbox.logger.warning("outbox: sends whose recording failed are reconciled", ["count": .int(Int64(abandoned))]) }
                }
                let next = try outbox.store.nextDue(busy: state.withLock { $0.busyMessages })
                await outbox.wakeup.wait(timeout: min(1, max(0.001, (next ?? now + 1) - now)))
            } catch {
                outbox.logger.error("outbox worker: \(error)")
                await outbox.wakeup.wait(timeout: 1)
            }
        }
    }

    /// Starts a delivery task for each idle session with due rows.
    private func claimAndRun() async throws {
        let limit = outbox.settings.concurrency
        let (busy, idleSlots) = state.withLock { ($0.busyMessages, limit - $0.busySessions.count) }
        guard idleSlots > 0 else { return }
        let due = try outbox.store.due(now: outbox.clock.now().timeIntervalSince1970, limit: limit * 8, busy: busy)
        var bySession: [String: [OutboxStore.Entry]] = [:]
        var order: [String] = []
        for entry in due {
            if bySession[entry.session] == nil { order.append(entry.session) }
            bySession[entry.session, default: []].append(entry)
        }
        for session in order {
            let entries = bySession[session] ?? []
            let claimed = state.withLock { state -> Bool in
                guard !state.stopping, !state.busySessions.contains(session), state.busySessions.count < limit else { return false }
                state.busySessions.insert(session)
                state.busyMessages.formUnion(entries.map(\.message))
                return true
            }
            guard claimed else { continue }
            // A paced session sends in order, one at a time; an unpaced one (no spacing promised) side by side.
            let width = unpaced(session) ? limit : 1
            Task.detached { [self] in
                for chunk in stride(from: 0, to: entries.count, by: width).map({ Array(entries[$0..<min($0 + width, entries.count)]) }) {
                    guard !state.withLock({ $0.stopping }) else { break }
                    await withTaskGroup(of: Void.self) { group in
                        for entry in chunk {
                            group.addTask { [self] in
                                do {
                                    try await process(entry)
                                } catch {
                                    outbox.logger.error("outbox: delivering \(entry.message) failed: \(error)")
                                }
                            }
                        }
                    }
                }
                state.withLock { state in
                    state.busySessions.remove(session)
                    state.busyMessages.subtract(entries.map(\.message))
                }
                outbox.wakeup.signal()
            }
        }
    }

    private func unpaced(_ session: String) -> Bool {
        guard let record = outbox.sessions.record(session), let provider = outbox.sessions.provider(named: record.provider) else { return false }
        return outbox.settings.pacing(provider: provider.name, kind: provider.kind).interval == 0
    }

    private func process(_ entry: OutboxStore.Entry) async throws {
        guard let message = try outbox.messages.get(entry.message) else {
            try await outbox.database.write { [store = outbox.store] db in try store.delete(entry.message, in: db) }
            return
        }
        guard let record = outbox.sessions.record(message.session) else {
            _ = try await outbox.record(
                .fail(GatewayError.sessionNotFound(message.session), .failed), for: message, started: outbox.clock.now(), providerStatus: nil,
                provider: "unknown")
            return
        }
        let (binding, provider) = try outbox.sessions.resolve(record)
        // The provider's webhook may have settled the message meanwhile.
        if message.status != .queued {
            _ = try await outbox.record(.settled, for: message, started: outbox.clock.now(), providerStatus: nil, provider: provider.name)
            return
        }
        switch entry.state {
        case .unknown: try await reconcile(message, entry: entry, binding: binding, provider: provider)
        case .pending, .sending: try await send(message, entry: entry, binding: binding, provider: provider)
        }
    }

    private func send(_ message: Message, entry: OutboxStore.Entry, binding: SessionBinding, provider: ProviderEntry) async throws {
        let now = outbox.clock.now().timeIntervalSince1970
        let breaker = outbox.breaker(provider.name)
        if breaker.state(now: now) == .open {
            // No slot is reserved for a call that cannot be made.
            try await outbox.store.reschedule(message.id, state: .pending, nextAt: breaker.retryAt(now: now) ?? now + 1, paced: false)
            return
        }
        if !entry.paced {
            let slot = outbox.pacer.reserve(message.session, pacing: outbox.settings.pacing(provider: provider.name, kind: provider.kind), now: now)
            if slot > now + 0.005 {
                try await outbox.store.reschedule(message.id, state: .pending, nextAt: slot, paced: true)
                return
            }
        } else if entry.nextAt > now + 0.005 {
            return
        }
        guard breaker.allow(now: now) else {
            // Another call is the half-open trial: look again in a second.
            try await outbox.store.reschedule(message.id, state: .pending, nextAt: now + 1, paced: false)
            return
        }
        do {
            try await outbox.store.markSending(message.id)
        } catch {
            breaker.neutral()
            throw error
        }
        _ = try await outbox.attempt(message, attempts: entry.attempts + 1, binding: binding, entry: provider)
    }

    /// An unknown outcome, after its grace period: settled by a webhook (checked by the caller), else looked up at
    /// the provider, else the policy decides. A failed lookup is tried again later; nothing is sent meanwhile.
    private func reconcile(_ message: Message, entry: OutboxStore.Entry, binding: SessionBinding, provider: ProviderEntry) async throws {
        let started = outbox.clock.now()
        let log = ProviderHTTP.StatusLog()
        let lookup: SendLookup
        do {
            lookup = try await ProviderHTTP.$statuses.withValue(log) {
                try await provider.adapter.lookUpSend(Outbox.outgoing(message), on: binding)
            }
        } catch {
            let failure = error as? GatewayError
            let expired = started.timeIntervalSince1970 - message.createdAt.timeIntervalSince1970 > outbox.settings.retryWindow
            if expired || (failure.map { !$0.retryable && !CircuitBreaker.isHealthFailure($0) } ?? false) {
                // The provider cannot settle it (a lasting refusal, or the retry window is over): as if it had no lookup.
                try await settleWithoutLookup(message, provider: provider, inconclusive: true, started: started, providerStatus: log.last)
                return
            }
            let delay = outbox.settings.retry.delay(afterAttempts: entry.attempts, retryAfter: failure?.retryAfter.map(Double.init))
            outbox.logger.warning("outbox: looking up \(message.id) at \(provider.name) failed; trying again later", ["error": .string("\(error)")])
            try await outbox.store.reschedule(message.id, state: .unknown, nextAt: started.timeIntervalSince1970 + delay, paced: false)
            return
        }
        switch lookup {
        case .matches(let ids):
            let free = try unclaimed(ids, for: message.id)
            if free.count == 1 {
                _ = try await outbox.record(
                    .sent(SendOutcome(status: .sent, providerMessageId: free[0]), .found), for: message, started: started, providerStatus: log.last,
                    provider: provider.name)
            } else if free.isEmpty {
                _ = try await outbox.record(.resend(.notFound, nil), for: message, started: started, providerStatus: log.last, provider: provider.name)
            } else {
                // Several messages with the same content: which one is this send cannot be told.
                try await settleWithoutLookup(message, provider: provider, inconclusive: true, started: started, providerStatus: log.last)
            }
        case .unsupported, .inconclusive:
            try await settleWithoutLookup(message, provider: provider, inconclusive: lookup == .inconclusive, started: started, providerStatus: log.last)
        }
    }

    /// An unknown outcome the provider cannot settle: the configured policy decides.
    private func settleWithoutLookup(_ message: Message, provider: ProviderEntry, inconclusive: Bool, started: Date, providerStatus: Int?) async throws {
        let why = inconclusive ? "could not say whether it has it" : "cannot be asked about it"
        let error = GatewayError.providerTimeout(
            "\(provider.name) gave no answer for this send and \(why); it was not sent again, so it may or may not have arrived."
        ).from(provider: provider.kind).with(details: ["outcome": "unknown"])
        let verdict: Outbox.Verdict =
            switch outbox.settings.unknownWithoutLookup {
            case .fail: .fail(error, .unresolved)
            case .resend: .resend(.unresolved, error)
            }
        _ = try await outbox.record(verdict, for: message, started: started, providerStatus: providerStatus, provider: provider.name)
    }

    /// The provider message ids not already claimed by another of the gateway's messages.
    private func unclaimed(_ ids: [String], for message: String) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let claimed = try outbox.database.read { db in
            try db.query(
                "SELECT provider_message_id FROM messages WHERE provider_message_id IN (\(ids.map { _ in "?" }.joined(separator: ", "))) AND id != ?",
                ids.map { .text($0) } + [.text(message)])
        }.compactMap { $0.string(0) }
        let taken = Set(claimed)
        return ids.filter { !taken.contains($0) }
    }
}
