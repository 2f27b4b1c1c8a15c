import Foundation
import Support

/// How accepted sends reach their provider: how long a send request waits for the provider, how failures are
/// retried, how unknown outcomes are reconciled, how fast each session sends, when a provider counts as down.
public struct OutboxSettings: Sendable {
    /// What to do with an unknown outcome the provider cannot look up, once the grace period has passed without
    /// a webhook settling it.
    public enum UnknownOutcome: String, Sendable, CaseIterable {
        /// Mark the message `failed` (`provider_timeout`, `details.outcome: "unknown"`): never a second copy.
        case fail
        /// Send it again: no message lost, at the risk of a duplicate.
        case resend
    }

    /// A send request waits this long for the provider's answer, then answers `202 queued` (the attempt goes on).
    public var answerWithin: Double = 5
    /// Backoff between attempts after retryable errors (at least the provider's `Retry-After`).
    public var retry = RetrySchedule(firstDelay: 2, factor: 2, maxDelay: 300, jitter: 0.2)
    /// A message still failing after this many attempts, or this long after it was accepted, is `failed`.
    public var maxAttempts = 10
    public var retryWindow: Double = 24 * 3600
    /// An unknown outcome waits this long for the provider's webhook before it is looked up.
    public var unknownGrace: Double = 30
    public var unknownWithoutLookup = UnknownOutcome.fail
    /// Provider calls the outbox makes at once (across sessions; each session sends in order, one at a time).
    public var concurrency = 16
    /// Consecutive provider failures (unreachable, timeouts, 5xx) that open a provider's circuit, and how long it
    /// stays open before one trial call.
    public var breakerThreshold = 5
    public var breakerOpenSeconds: Double = 30
    /// Per-session pacing by provider name (overrides the kind's default).
    public var pacing: [String: Pacing] = [:]

    public init() {}

    /// The pacing of a provider: configured, else its kind's default.
    public func pacing(provider: String, kind: String) -> Pacing { pacing[provider] ?? Pacing.defaults(kind: kind) }
}

/// The spacing between one session's sends: `interval` seconds ± `jitter` (a fraction), so sends never leave
/// in a machine-regular rhythm.
public struct Pacing: Sendable, Equatable {
    public var interval: Double
    public var jitter: Double

    public init(interval: Double, jitter: Double) {
        self.interval = interval
        self.jitter = jitter
    }

    public static let none = Pacing(interval: 0, jitter: 0)

    /// Defaults that keep within what providers document: TalkNTalk allows 300 requests a minute per
    /// organisation (one send each 0.2 s); waxum and WAHA drive a real WhatsApp account, where bursts risk a ban
    /// (WAHA's guidance: random gaps), so one group send a second ± 30 %; Walytic and A1Base (hosted, undocumented
    /// limits) the same. The native engine has no one to offend.
    public static func defaults(kind: String) -> Pacing {
        switch kind {
        case "native": .none
        case "talkntalk": Pacing(interval: 0.25, jitter: 0.2)
        default: Pacing(interval: 1, jitter: 0.3)
        }
    }
}
