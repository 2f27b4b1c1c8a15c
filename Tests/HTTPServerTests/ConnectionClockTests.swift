@testable import HTTPServer
import XCTest

/// The timeout policy, without sockets.
final class ConnectionClockTests: XCTestCase {
    private func clock(at now: Double = 0) -> ConnectionClock {
        ConnectionClock(now: now, headerTimeout: 10, idleTimeout: 60, bodyProgressTimeout: 10, bodyTimeout: 60, writeTimeout: 60)
    }

    func testIdleConnectionClosesQuietlyAfterIdleTimeout() {
        let clock = clock()
        XCTAssertEqual(clock.check(now: 59), .keep)
        XCTAssertEqual(clock.check(now: 61), .close)
    }

    func testSlowHeadGets408AfterHeaderTimeoutFromFirstByte() {
        var clock = clock()
        clock.received(now: 5, readingBody: false)
        clock.received(now: 14, readingBody: false)  // more trickled bytes do not extend the deadline
        XCTAssertEqual(clock.check(now: 14.9), .keep)
        XCTAssertEqual(clock.check(now: 15.1), .requestTimeout)
    }

    func testStalledBodyGets408AfterProgressTimeout() {
        var clock = clock()
        clock.received(now: 1, readingBody: false)
        clock.headParsed(now: 2)
        clock.received(now: 8, readingBody: true)
        XCTAssertEqual(clock.check(now: 17), .keep)
        XCTAssertEqual(clock.check(now: 18.5), .requestTimeout)
    }

    func testTricklingBodyStillEndsAtBodyTimeout() {
        var clock = clock()
        clock.headParsed(now: 0)
        for second in stride(from: 5.0, through: 60.0, by: 5.0) { clock.received(now: second, readingBody: true) }
        XCTAssertEqual(clock.check(now: 59), .keep)
        XCTAssertEqual(clock.check(now: 61), .requestTimeout)
    }

    func testProcessingHasNoServerTimeout() {
        var clock = clock()
        clock.received(now: 0, readingBody: false)
        clock.dispatched()
        XCTAssertEqual(clock.check(now: 1_000), .keep)
    }

    func testRespondingStartsANewIdlePeriod() {
        var clock = clock()
        clock.received(now: 0, readingBody: false)
        clock.dispatched()
        clock.responded(now: 100)
        XCTAssertEqual(clock.check(now: 150), .keep)
        XCTAssertEqual(clock.check(now: 161), .close)
    }

    func testClientThatStopsReadingIsClosedAfterWriteTimeout() {
        var clock = clock()
        clock.dispatched()
        clock.responded(now: 0)
        clock.output(pending: true, now: 0)
        XCTAssertEqual(clock.check(now: 59), .keep)
        XCTAssertEqual(clock.check(now: 61), .close)
        clock.output(pending: true, now: 60)  // the client took some bytes: progress resets the clock
        XCTAssertEqual(clock.check(now: 100), .keep)
    }
}
