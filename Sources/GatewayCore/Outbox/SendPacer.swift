import Foundation
import Support

/// Per-session send slots: each send reserves the session's next slot, `Pacing.interval` (± jitter) after the
/// previous one. A reservation is a promise the caller keeps by sending no earlier than its slot.
public final class SendPacer: Sendable {
    private let next = LockedValue<[String: Double]>([:])

    public init() {}

    /// Reserves `session`'s next slot at or after `now` (seconds since 1970); returns it.
    /// - Parameter random: a value in 0...1 (injected by tests).
    public func reserve(_ session: String, pacing: Pacing, now: Double, random: Double = Double.random(in: 0...1)) -> Double {
        guard pacing.interval > 0 else { return now }
        let gap = pacing.interval * (1 + pacing.jitter * (2 * random - 1))
        return next.withLock { next in
            let slot = max(now, next[session] ?? 0)
            next[session] = slot + gap
            return slot
        }
    }
}
