import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import Support

/// Per-caller token buckets: each API key (or JWT subject) may make `burst` requests at once and `perSecond` on
/// average. Every answer to a limited caller carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
/// and `RateLimit-Policy`; a refused request gets `429 rate_limited` with `Retry-After` as well.
public final class RateLimiter: Sendable {
    public struct Policy: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    public struct Settings: Sendable {
        /// Scoped keys and JWTs; nil: unlimited.
        public var scoped: Policy? = Policy(perSecond: 50, burst: 100)
        /// Admin keys (the operator's own); nil (the default): unlimited.
        public var admin: Policy? = nil
        /// Per caller, by key id (the visible prefix) or `jwt:<sub>`.
        public var callers: [String: Policy] = [:]

        public init() {}
    }

    /// What a caller has left, for the `RateLimit-*` headers.
    public struct Quota: Sendable {
        public let policy: Policy
        public let remaining: Int
        /// Seconds until the bucket is full again.
        public let reset: Int

        func apply(to headers: inout HTTPHeaders) {
            headers.set("RateLimit-Limit", String(policy.burst))
            headers.set("RateLimit-Remaining", String(remaining))
            headers.set("RateLimit-Reset", String(reset))
            headers.set("RateLimit-Policy", "\(policy.burst);w=\(max(1, Int((Double(policy.burst) / policy.perSecond).rounded(.up))))")
        }
    }

    /// A refused request: rendered as `429 rate_limited` with `Retry-After` and the `RateLimit-*` headers.
    public struct Exceeded: Error, Sendable {
        public let quota: Quota
        public let retryAfter: Int

        var error: GatewayError {
            .rateLimited("This API key made more than \(quota.policy.burst) requests in a burst or \(Exceeded.rate(quota.policy)) per second; retry after \(retryAfter) s.",
                retryAfter: retryAfter)
        }

        private static func rate(_ policy: Policy) -> String {
            policy.perSecond.rounded() == policy.perSecond ? String(Int(policy.perSecond)) : String(policy.perSecond)
        }
    }

    /// An admitted request's failure, with the caller's quota for the error answer's headers.
    public struct Annotated: Error, Sendable {
        public let underlying: any Error
        public let quota: Quota
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
        /// When the bucket will have refilled (from then on it means the same as no bucket).
        var fullAt: Double
    }

    /// Buckets kept at most; full buckets (the same as none) are dropped first when the map grows past it.
    static let maxBuckets = 100_000

    private let settings: Settings
    private let buckets = LockedValue<[String: Bucket]>([:])
    private let now: @Sendable () -> Double

    public init(settings: Settings, now: @escaping @Sendable () -> Double = { Monotonic.seconds() }) {
        self.settings = settings
        self.now = now
    }

    public func policy(for principal: Principal) -> Policy? {
        settings.callers[principal.keyID] ?? (principal.isAdmin ? settings.admin : settings.scoped)
    }

    /// Takes one token for `principal`: its quota, nil when it is unlimited; throws `Exceeded` when the bucket is empty.
    public func take(_ principal: Principal) throws(Exceeded) -> Quota? {
        guard let policy = policy(for: principal) else { return nil }
        let time = now()
        let capacity = Double(policy.burst)
        let result: (taken: Bool, tokens: Double) = buckets.withLock { buckets in
            var bucket = buckets[principal.keyID] ?? Bucket(tokens: capacity, updated: time, fullAt: time)
            bucket.tokens = min(capacity, bucket.tokens + max(0, time - bucket.updated) * policy.perSecond)
            bucket.updated = time
            let taken = bucket.tokens >= 1
            if taken { bucket.tokens -= 1 }
            bucket.fullAt = time + (capacity - bucket.tokens) / policy.perSecond
            if buckets[principal.keyID] == nil && buckets.count >= RateLimiter.maxBuckets {
                RateLimiter.dropFull(&buckets, at: time)
            }
            buckets[principal.keyID] = bucket
            return (taken, bucket.tokens)
        }
        let quota = Quota(
            policy: policy, remaining: Int(result.tokens.rounded(.down)), reset: Int(((capacity - result.tokens) / policy.perSecond).rounded(.up)))
        guard result.taken else { throw Exceeded(quota: quota, retryAfter: max(1, Int(((1 - result.tokens) / policy.perSecond).rounded(.up)))) }
        return quota
    }

    /// Gives back a token taken for a request that was then handled elsewhere (the fast path handing over to the
    /// slow one, which takes its own).
    public func refund(_ principal: Principal) {
        guard let policy = policy(for: principal) else { return }
        buckets.withLock { buckets in
            guard var bucket = buckets[principal.keyID] else { return }
            bucket.tokens = min(Double(policy.burst), bucket.tokens + 1)
            bucket.fullAt -= 1 / policy.perSecond
            buckets[principal.keyID] = bucket
        }
    }

    /// Drops the buckets that have refilled; if none has, the least recently used half.
    private static func dropFull(_ buckets: inout [String: Bucket], at time: Double) {
        let before = buckets.count
        buckets = buckets.filter { $0.value.fullAt > time }
        if buckets.count == before {
            let cutoff = buckets.values.map(\.updated).sorted()[before / 2]
            buckets = buckets.filter { $0.value.updated > cutoff }
        }
    }
}
