import Foundation
import Support
import XCTest

final class LockTests: XCTestCase {
    func testLockedValueGetAndSet() {
        let value = LockedValue("a")
        XCTAssertEqual(value.get(), "a")
        value.set("b")
        XCTAssertEqual(value.get(), "b")
    }

    func testWithLockMutatesAndReturnsResult() {
        let value = LockedValue([1, 2])
        let count = value.withLock { array -> Int in
            array.append(3)
            return array.count
        }
        XCTAssertEqual(count, 3)
        XCTAssertEqual(value.get(), [1, 2, 3])
    }

    func testWithLockRethrowsAndKeepsLockUsable() {
        struct Boom: Error {}
        let value = LockedValue(0)
        XCTAssertThrowsError(try value.withLock { (_: inout Int) throws -> Void in throw Boom() }) { error in
            XCTAssertTrue(error is Boom)
        }
        value.withLock { $0 += 1 }  // would deadlock or trap if the throw left the mutex held
        XCTAssertEqual(value.get(), 1)
    }

    func testConcurrentIncrementsAreNotLost() {
        let value = LockedValue(0)
        DispatchQueue.concurrentPerform(iterations: 10_000) { _ in value.withLock { $0 += 1 } }
        XCTAssertEqual(value.get(), 10_000)
    }

    func testConditionWaitTimesOutWithoutSignal() {
        let condition = Condition()
        let start = Monotonic.nanoseconds()
        condition.withLock { condition.wait(timeoutNanoseconds: 50_000_000) }
        let elapsed = Monotonic.nanoseconds() - start
        XCTAssertGreaterThanOrEqual(elapsed, 40_000_000)
        XCTAssertLessThan(elapsed, 5_000_000_000)
    }

    func testManualClockAdvancesAndSets() {
        let clock = ManualClock(Date(timeIntervalSince1970: 100))
        XCTAssertEqual(clock.now().timeIntervalSince1970, 100)
        clock.advance(by: 2.5)
        XCTAssertEqual(clock.now().timeIntervalSince1970, 102.5)
        clock.set(Date(timeIntervalSince1970: 7))
        XCTAssertEqual(clock.now().timeIntervalSince1970, 7)
    }

    func testMonotonicClockNeverGoesBackwards() {
        var previous = Monotonic.nanoseconds()
        for _ in 0..<1000 {
            let next = Monotonic.nanoseconds()
            XCTAssertGreaterThanOrEqual(next, previous)
            previous = next
        }
    }
}
