import Foundation

/// When to try again after the `attempts`-th failed attempt: exponential backoff with jitter, never sooner than
/// the other side's `Retry-After`, never later than the cap.
public struct RetrySchedule: Sendable {
    public var firstDelay: Double
    public var factor: Double
    public var maxDelay: Double
    /// Random spread of every delay: ±this fraction.
    public var jitter: Double

    public init(firstDelay: Double, factor: Double, maxDelay: Double, jitter: Double) {
        self.firstDelay = firstDelay
        self.factor = factor
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The delay before the next attempt.
    /// - Parameter random: a value in 0...1 (injected by tests).
    public func delay(afterAttempts attempts: Int, retryAfter: Double?, random: Double = Double.random(in: 0...1)) -> Double {
        let exponent = Double(max(0, attempts - 1))
        let base = min(maxDelay, firstDelay * pow(factor, exponent))
        let jittered = base * (1 + jitter * (2 * random - 1))
        return min(maxDelay, max(jittered, retryAfter ?? 0))
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
