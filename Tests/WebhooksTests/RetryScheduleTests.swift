import Foundation
import Support
import XCTest

@testable import Webhooks

final class RetryScheduleTests: XCTestCase {
    func testBackoffGrowsWithTwentyPercentJitterAndIsCapped() {
        let schedule = RetrySchedule(WebhookSettings())
        XCTAssertEqual(schedule.delay(afterAttempts: 1, retryAfter: nil, random: 0.5), 5, accuracy: 1e-9)
        XCTAssertEqual(schedule.delay(afterAttempts: 2, retryAfter: nil, random: 0.5), 15, accuracy: 1e-9)
        XCTAssertEqual(schedule.delay(afterAttempts: 3, retryAfter: nil, random: 0), 45 * 0.8, accuracy: 1e-9)
        XCTAssertEqual(schedule.delay(afterAttempts: 3, retryAfter: nil, random: 1), 45 * 1.2, accuracy: 1e-9)
        XCTAssertEqual(schedule.delay(afterAttempts: 30, retryAfter: nil, random: 1), 6 * 3600, accuracy: 1e-9)
    }

    func testRetryAfterIsHonouredUpToTheCap() {
        let schedule = RetrySchedule(WebhookSettings())
        XCTAssertEqual(schedule.delay(afterAttempts: 1, retryAfter: 120, random: 0.5), 120, accuracy: 1e-9)
        XCTAssertEqual(schedule.delay(afterAttempts: 1, retryAfter: 1e9, random: 0.5), 6 * 3600, accuracy: 1e-9)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        XCTAssertEqual(RetrySchedule.retryAfter("30", now: now), 30)
        XCTAssertEqual(RetrySchedule.retryAfter(Timestamp.httpDate(Int(now.timeIntervalSince1970) + 90), now: now) ?? 0, 90, accuracy: 1)
        XCTAssertNil(RetrySchedule.retryAfter("soon", now: now))
    }

    func testTheDefaultScheduleRetriesForAboutADay() {
        let schedule = RetrySchedule(WebhookSettings())
        var elapsed = 0.0
        var attempts = 1
        while elapsed + schedule.delay(afterAttempts: attempts, retryAfter: nil, random: 0.5) <= 24 * 3600 {
            elapsed += schedule.delay(afterAttempts: attempts, retryAfter: nil, random: 0.5)
            attempts += 1
        }
        XCTAssertGreaterThan(elapsed, 20 * 3600)
        XCTAssertEqual(attempts, 12)
    }

    func testFiltersMatchTypesPrefixesAndSessions() {
        XCTAssertTrue(Subscription.pattern("*", matches: "message.sent"))
        XCTAssertTrue(Subscription.pattern("group.*", matches: "group.participants.joined"))
        XCTAssertFalse(Subscription.pattern("group.*", matches: "message.sent"))
        XCTAssertFalse(Subscription.pattern("message.sent", matches: "message.sent.extra"))
    }
}
