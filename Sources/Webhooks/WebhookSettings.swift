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
    /// At most this many subscriptions.
    public var maxSubscriptions = 100

    public init() {}
}

/// When to try again after the `attempts`-th failed attempt.
public struct RetrySchedule: Sendable {
    let settings: WebhookSettings

    public init(_ settings: WebhookSettings) { self.settings = settings }

    /// The delay before the next attempt: exponential backoff with jitter, at least what `Retry-After` asked
    /// (bounded by the cap).
    /// - Parameter random: a value in 0...1 (injected by tests).
    public func delay(afterAttempts attempts: Int, retryAfter: Double?, random: Double = Double.random(in: 0...1)) -> Double {
        let exponent = Double(max(0, attempts - 1))
        let base = min(settings.maxRetryDelay, settings.firstRetryDelay * pow(settings.retryFactor, exponent))
        let jittered = base * (1 + settings.jitter * (2 * random - 1))
        return min(settings.maxRetryDelay, max(jittered, retryAfter ?? 0))
    }

    /// Parses `Retry-After`: delta seconds or an HTTP date.
    public static func retryAfter(_ value: String?, now: Date) -> Double? {
        guard let value = value?.trimmingASCIIWhitespace(), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
