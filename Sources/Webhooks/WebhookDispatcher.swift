import Dispatch
import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import Support

/// Delivers the event log to subscribers. One fan-out loop turns new events into delivery rows; one worker per
/// subscriber sends its deliveries strictly in event-log order, so a failing head delivery holds the ones behind
/// it until it succeeds or is dead-lettered. Successes are recorded without waiting (group commit batches them);
/// a crash between sending and recording re-sends that delivery with the same `webhook-id` — at least once,
/// in order, nothing lost.
public final class WebhookDispatcher: @unchecked Sendable {
    public let subscriptions: SubscriptionStore
    public let deliveries: DeliveryStore
    private let events: EventLog
    private let transport: any LaneTransport
    private let policy: TargetPolicy
    private let schedule: RetrySchedule
    private let settings: WebhookSettings
    private let clock: any WallClock
    private let logger: Logger
    private let fanOutWakeup = Wakeup()
    private let state = LockedValue(State())
    private let attempts: (success: Counter, failure: Counter)

    private struct State {
        var workers: [String: Wakeup] = [:]
        var running = 0
        var stopped = false
        var listener: UInt64?
    }

    public init(
        subscriptions: SubscriptionStore, deliveries: DeliveryStore, events: EventLog, transport: any LaneTransport, settings: WebhookSettings,
        clock: any WallClock, logger: Logger, metrics: MetricsRegistry
    ) {
        self.subscriptions = subscriptions
        self.deliveries = deliveries
        self.events = events
        self.transport = transport
        self.settings = settings
        policy = TargetPolicy(allowPrivate: settings.allowPrivateTargets)
        schedule = RetrySchedule(settings)
        self.clock = clock
        self.logger = logger
        let help = "Outbound webhook attempts by outcome."
        attempts = (
            metrics.counter("switchboard_webhook_attempts_total", help: help, labels: [("outcome", "success")]),
            metrics.counter("switchboard_webhook_attempts_total", help: help, labels: [("outcome", "failure")])
        )
        let pending = metrics.gauge("switchboard_webhook_pending", help: "Deliveries waiting (every subscriber).")
        let lag = metrics.gauge("switchboard_webhook_lag_seconds", help: "Age of the oldest waiting delivery.")
        metrics.addCollector { [deliveries] in
            let backlog = (try? deliveries.backlog()) ?? []
            pending.set(Double(backlog.reduce(0) { $0 + $1.pending }))
            lag.set(backlog.map(\.oldestAge).max() ?? 0)
        }
    }

    public var targetPolicy: TargetPolicy { policy }

    // MARK: - Lifecycle

    public func start() {
        let listener = events.addListener { [fanOutWakeup] in fanOutWakeup.signal() }
        state.withLock { $0.listener = listener }
        spawn { await self.fanOutLoop() }
        refresh()
    }

    /// Starts a worker for every subscription that has none (after create, and at start), and wakes them all.
    public func refresh() {
        for id in ((try? subscriptions.list()) ?? []).map(\.id) { wake(id) }
        fanOutWakeup.signal()
    }

    /// Wakes the worker of `id`, starting one if it has none.
    private func wake(_ id: String) {
        let (wakeup, isNew) = state.withLock { state -> (Wakeup, Bool) in
            if let existing = state.workers[id] { return (existing, false) }
            let wakeup = Wakeup()
            if !state.stopped { state.workers[id] = wakeup }
            return (wakeup, !state.stopped)
        }
        if isNew { spawn { await self.workerLoop(id, wakeup) } } else { wakeup.signal() }
    }

    /// Stops the loops: attempts in flight may finish within `grace` seconds; nothing unrecorded is lost (it is
    /// sent again after the restart).
    public func stop(grace: Double) {
        let (wakeups, listener) = state.withLock { state -> ([Wakeup], UInt64?) in
            state.stopped = true
            return (Array(state.workers.values), state.listener)
        }
        if let listener { events.removeListener(listener) }
        fanOutWakeup.signal()
        for wakeup in wakeups { wakeup.signal() }
        let deadline = Monotonic.seconds() + grace
        while state.withLock({ $0.running }) > 0 && Monotonic.seconds() < deadline { usleep(5_000) }
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func spawn(_ body: @escaping @Sendable () async -> Void) {
        state.withLock { $0.running += 1 }
        Task.detached {
            await body()
            self.state.withLock { $0.running -= 1 }
        }
    }

    // MARK: - Loops

    private func fanOutLoop() async {
        // When the last fan-out that found events began. The interval counts from there: a wake-up that finds
        // nothing (the signal of events an earlier pass already took) must not make the next event wait.
        var lastFound = -Double.infinity
        while !stopped {
            let started = Monotonic.seconds()
            do {
                let result = try await deliveries.fanOut()
                if result.events > 0 { lastFound = started }
                for id in result.subscriptions { wake(id) }
                if result.more { continue }
            } catch {
                logger.error("webhook fan-out failed", ["error": .string("\(error)")])
            }
            await fanOutWakeup.wait(timeout: 5)
            // Appends that come in a stream are gathered: one fan-out per interval at most (an event after a quiet
            // spell goes out at once).
            let early = settings.fanOutInterval - (Monotonic.seconds() - lastFound)
            if early > 0 { try? await Task.sleep(nanoseconds: UInt64(early * 1e9)) }
        }
    }

    private func workerLoop(_ id: String, _ wakeup: Wakeup) async {
        // Only this worker's own entry is removed (a newer worker for the same id may have replaced it).
        defer { state.withLock { state in if state.workers[id] === wakeup { state.workers[id] = nil } } }
        let lane = DeliveryLane(transport)
        while !stopped {
            let subscription: Subscription
            do {
                subscription = try subscriptions.get(id)
            } catch let error as GatewayError where error.code == "subscription_not_found" {
                return  // deleted
            } catch {
                logger.error("webhook subscription read failed", ["subscription": .string(id), "error": .string("\(error)")])
                await wakeup.wait(timeout: 1)
                continue
            }
            if subscription.status == .disabled {
                await wakeup.wait(timeout: 30)
                continue
            }
            let batch: [(Delivery, EventLog.Entry)]
            do {
                batch = try deliveries.head(of: id, limit: 256)
            } catch {
                logger.error("webhook queue read failed", ["subscription": .string(id), "error": .string("\(error)")])
                await wakeup.wait(timeout: 1)
                continue
            }
            guard let first = batch.first else {
                await wakeup.wait(timeout: 30)
                continue
            }
            let wait = first.0.nextAttemptAt.timeIntervalSince(clock.now())
            if wait > 0 {
                await wakeup.wait(timeout: wait)
                continue
            }
            await deliver(batch, to: subscription, lane: lane)
        }
    }

    /// Sends a batch in order; stops at the first failure (the head then waits for its retry). Successes are
    /// recorded in chunks while sending goes on; a failure is recorded only after every earlier success is.
    private func deliver(_ batch: [(Delivery, EventLog.Entry)], to subscription: Subscription, lane: DeliveryLane) async {
        // The attempts run on a thread of their own, one blocking call after another on the lane's connection:
        // no hand-off between threads per delivery, and the cooperative pool is never blocked.
        let (recording, failure) = await Self.onOwnThread { [self] in send(batch, to: subscription, lane: lane) }
        for task in recording {
            do { try await task.value } catch { logger.error("webhook success not recorded", ["error": .string("\(error)")]) }
        }
        guard let (delivery, outcome) = failure else { return }
        do {
            let verdict = try await deliveries.recordFailure(delivery, outcome, schedule: schedule)
            log(verdict, delivery, outcome)
        } catch {
            logger.error("webhook attempt not recorded", ["delivery": .string(delivery.id), "error": .string("\(error)")])
        }
    }

    /// The blocking part of `deliver`: attempts in order until the first failure, which is returned unrecorded;
    /// successes are handed to the writer 64 at a time (the tasks recording them are returned).
    private func send(
        _ batch: [(Delivery, EventLog.Entry)], to subscription: Subscription, lane: DeliveryLane
    ) -> (recording: [Task<Void, any Error>], failure: (Delivery, DeliveryStore.Outcome)?) {
        let started = clock.now()
        // The address is checked (and pinned) once per batch, not per delivery; here, as it may resolve DNS.
        let target: Result<TargetPolicy.Target, GatewayError>
        do throws(GatewayError) {
            target = .success(try policy.check(subscription.url))
        } catch {
            target = .failure(error)
        }
        var recording: [Task<Void, any Error>] = []
        var successes: [(Delivery, DeliveryStore.Outcome)] = []
        let store = deliveries
        func flush() {
            guard !successes.isEmpty else { return }
            let chunk = successes
            successes = []
            recording.append(Task { try await store.recordSuccesses(chunk) })
        }
        for (delivery, entry) in batch {
            if stopped || delivery.nextAttemptAt > started { break }
            let outcome = attempt(delivery, entry, subscription, target: target, lane: lane)
            if stopped && !outcome.succeeded { break }  // the transport is going away: not the endpoint's fault
            if outcome.succeeded {
                attempts.success.increment()
                successes.append((delivery, outcome))
                if successes.count >= 64 {
                    flush()
                    // Deleted, disabled, re-pointed or rotated meanwhile: the rest of the batch waits for a fresh read.
                    if !unchanged(subscription) { break }
                }
                continue
            }
            attempts.failure.increment()
            flush()
            return (recording, (delivery, outcome))
        }
        flush()
        return (recording, nil)
    }

    /// Runs `body` on a new thread and resumes with its result. The thread runs at background priority: when the
    /// cores are busy, inbound webhooks and API calls are answered first and deliveries wait (BENCHMARKS.md, issue 6).
    private static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread(named: "webhook-deliver") {
                ThreadPriority.background()
                continuation.resume(returning: body())
            }
            thread.start()
        }
    }

    /// Whether the subscription is still as `subscription` was read (active, same URL, same secrets).
    private func unchanged(_ subscription: Subscription) -> Bool {
        guard let current = try? subscriptions.get(subscription.id) else { return false }
        return current.status == .active && current.updatedAt == subscription.updatedAt && current.secrets == subscription.secrets
    }

    private func log(_ verdict: DeliveryStore.Verdict, _ delivery: Delivery, _ outcome: DeliveryStore.Outcome) {
        var extra: JSONObject = [
            "subscription": .string(delivery.subscriptionID), "delivery": .string(delivery.id), "event": .string(delivery.eventID),
            "attempt": .int(Int64(delivery.attempts + 1)), "error": .string(outcome.failure),
        ]
        switch verdict {
        case .retry(let at):
            extra["retryAt"] = .string(Timestamp.iso8601(at))
            logger.warning("webhook attempt failed", extra)
        case .deadLetter: logger.error("webhook delivery failed for good (dead letter)", extra)
        case .disabled(let reason):
            extra["reason"] = .string(reason)
            logger.error("webhook endpoint disabled", extra)
        }
    }

    /// One signed POST of the event to the subscriber.
    private func attempt(
        _ delivery: Delivery, _ entry: EventLog.Entry, _ subscription: Subscription, target: Result<TargetPolicy.Target, GatewayError>, lane: DeliveryLane
    ) -> DeliveryStore.Outcome {
        let at = clock.now()
        let started = Monotonic.nanoseconds()
        func outcome(status: Int?, error: String?, response: String? = nil, retryAfter: Double? = nil) -> DeliveryStore.Outcome {
            DeliveryStore.Outcome(
                at: at, durationMilliseconds: Double(Monotonic.nanoseconds() - started) / 1e6, status: status, error: error, response: response,
                retryAfter: retryAfter)
        }
        let address: String?
        switch target {
        case .success(let checked): address = checked.address
        case .failure(let error): return outcome(status: nil, error: "target refused: \(error.message)")
        }
        let body = entry.event.json.bytes
        var headers = HTTPHeaders(
            StandardWebhooks.headers(id: entry.event.id, timestamp: Int64(at.timeIntervalSince1970), body: body, secrets: subscription.secrets))
        headers.add("Content-Type", "application/json")
        let request = TransportRequest(
            method: "POST", url: subscription.url, headers: headers, body: body, timeout: settings.attemptTimeout, connectTo: address)
        switch lane.send(request) {
        case .success(let response):
            let snippet = response.body.isEmpty ? nil : String(decoding: response.body.prefix(1024), as: UTF8.self)
            if (200...299).contains(response.status) { return outcome(status: response.status, error: nil, response: snippet) }
            return outcome(
                status: response.status, error: "HTTP \(response.status)", response: snippet,
                retryAfter: RetrySchedule.retryAfter(response.headers["retry-after"], now: at))
        case .failure(let error):
            return outcome(status: nil, error: error.description)
        }
    }

    /// The address policy, off the cooperative pool (it may resolve DNS).
    public func check(_ url: String) async throws(GatewayError) -> TargetPolicy.Target {
        if policy.allowPrivate { return try policy.check(url) }
        let policy = policy
        let result: Result<TargetPolicy.Target, GatewayError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(GatewayError) {
                    continuation.resume(returning: .success(try policy.check(url)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
