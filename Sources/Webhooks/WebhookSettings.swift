import Foundation
import Support

/// How outbound webhooks are delivered. The defaults retry for about a day: 5 s, 15 s, 45 s … tripling up to
/// 6 h between attempts (±20 % jitter), then the delivery is `failed`; an endpoint with no success for 5 days is
/// disabled.
public struct WebhookSettings: Sendable {
    /// Deliver to loopback, private and link-local addresses (local development, tests).
    public var allowPrivateTargets = false
    /// Overall deadline of one attempt.
    public var attemptTimeout: Double = 15
    /// The first retry's delay; each later one is `retryFactor` times longer, capped at `maxRetryDelay`.
    public var firstRetryDelay: Double = 5
    public var retryFactor: Double = 3
    public var maxRetryDelay: Double = 6 * 3600
    /// Random spread of every delay: ±this fraction.
    public var jitter: Double = 0.2
    /// How long a delivery is retried before it is `failed` (dead letter).
    public var retryWindow: Double = 24 * 3600
    /// An endpoint with no successful delivery for this long is disabled.
    public var disableAfter: Double = 5 * 24 * 3600
    /// How long the previous secret keeps signing after a rotation.
    public var rotationOverlap: Double = 24 * 3600
    /// Events appended in a stream are turned into delivery rows at most once per this many seconds; an event after
    /// a quiet spell goes out at once. Each fan-out is a write of its own that touches every delivery index: one per
    /// commit of the event log was 70 % of the commits at 5,000 webhooks/s (BENCHMARKS.md, issue 6).
    public var fanOutInterval: Double = 0.01
    /// At most this many subscriptions.
    public var maxSubscriptions = 100

    public init() {}
}

extension RetrySchedule {
    /// The webhook deliveries' schedule.
    public init(_ settings: WebhookSettings) {
        self.init(firstDelay: settings.firstRetryDelay, factor: settings.retryFactor, maxDelay: settings.maxRetryDelay, jitter: settings.jitter)
    }
}
