import Foundation
import GroupModel
import Support

/// One provider's circuit: closed while calls succeed; open after `threshold` consecutive failures (unreachable,
/// timeouts, 5xx), when calls are not made at all; after `openSeconds`, one trial call (half-open) decides
/// between closing again and another open period. A dead provider then costs nothing but fast answers.
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half_open" }

    private struct Inner {
        var failures = 0
        var openUntil: Double?
        var trialRunning = false
    }

    public let provider: String
    private let threshold: Int
    private let openSeconds: Double
    private let inner = LockedValue(Inner())

    public init(provider: String, threshold: Int, openSeconds: Double) {
        self.provider = provider
        self.threshold = max(1, threshold)
        self.openSeconds = openSeconds
    }

    public func state(now: Double) -> State {
        inner.withLock { inner in
            guard let until = inner.openUntil else { return .closed }
            return now < until ? .open : .halfOpen
        }
    }

    /// Whether a call may go out now; in half-open state only one (the trial) may.
    public func allow(now: Double) -> Bool {
        inner.withLock { inner in
            guard let until = inner.openUntil else { return true }
            guard now >= until, !inner.trialRunning else { return false }
            inner.trialRunning = true
            return true
        }
    }

    /// When calls may be tried again (nil while closed).
    public func retryAt(now: Double) -> Double? {
        inner.withLock { inner in inner.openUntil.map { max($0, now) } }
    }

    public func succeeded() {
        inner.withLock { $0 = Inner() }
    }

    /// A failure that says the provider is down (not a refusal of this one request).
    public func failed(now: Double) {
        inner.withLock { inner in
            inner.failures += 1
            if inner.trialRunning || inner.failures >= threshold { inner.openUntil = now + openSeconds }
            inner.trialRunning = false
        }
    }

    /// Reports how a call ended: a success or a refusal of that one request (the provider is up), or a failure that
    /// says the provider is down (`isHealthFailure`).
    public func report(_ error: GatewayError?, now: Double) {
        if let error, CircuitBreaker.isHealthFailure(error) { failed(now: now) } else { succeeded() }
    }

    /// An error that says the provider (not this request) is in trouble: it cannot be reached, it timed out, or it
    /// failed with a retryable 5xx.
    public static func isHealthFailure(_ error: GatewayError) -> Bool {
        error.code == "provider_unavailable" || error.code == "provider_timeout" || (error.retryable && error.status >= 500)
    }

    /// A call that ended without saying anything about the provider's health (a trial must still end).
    public func neutral() {
        inner.withLock { $0.trialRunning = false }
    }
}
