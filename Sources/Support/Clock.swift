import Foundation
import Glibc

/// The wall clock, injected wherever time is read so tests can hold it still.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A manually advanced clock for tests.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let current: LockedValue<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = LockedValue(start) }

    public func now() -> Date { current.get() }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    public func set(_ date: Date) { current.set(date) }
}

/// Monotonic time, for deadlines and durations that must not jump with the wall clock.
public enum Monotonic {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func seconds() -> Double { Double(nanoseconds()) / 1e9 }
}
