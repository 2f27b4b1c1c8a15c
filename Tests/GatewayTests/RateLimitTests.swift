import Foundation
import GatewayAPI
import GatewayCore
import JSONCore
import Support
import Switchboard
import TestSupport
import XCTest

/// Per-caller token buckets: the refill arithmetic, and over HTTP the `RateLimit-*` headers, `429 rate_limited`
/// with `Retry-After`, separate buckets per key, unlimited admins by default, and per-key overrides.
final class RateLimitTests: XCTestCase {
    private let scoped = Principal(keyID: "k1", isAdmin: false, sessions: ["default"])

    func testBucketEmptiesThenRefillsAtTheConfiguredRate() throws {
        let time = LockedValue(1000.0)
        var settings = RateLimiter.Settings()
        settings.scoped = .init(perSecond: 2, burst: 3)
        let limiter = RateLimiter(settings: settings, now: { time.get() })
        XCTAssertEqual(try limiter.take(scoped)?.remaining, 2)
        XCTAssertEqual(try limiter.take(scoped)?.remaining, 1)
        XCTAssertEqual(try limiter.take(scoped)?.remaining, 0)
        XCTAssertThrowsError(try limiter.take(scoped)) { error in
            let exceeded = error as? RateLimiter.Exceeded
            XCTAssertEqual(exceeded?.retryAfter, 1, "one token comes back after 0.5 s, rounded up to whole seconds")
        }
        time.set(1000.5)
        XCTAssertEqual(try limiter.take(scoped)?.remaining, 0, "half a second at 2/s refills one token")
        time.set(1100)
        XCTAssertEqual(try limiter.take(scoped)?.remaining, 2, "the bucket never holds more than the burst")
        let other = Principal(keyID: "k2", isAdmin: false, sessions: [])
        XCTAssertEqual(try limiter.take(other)?.remaining, 2, "each caller has its own bucket")
    }

    func testAdminsAreUnlimitedUnlessConfiguredAndOverridesWin() throws {
        var settings = RateLimiter.Settings()
        settings.callers["k1"] = .init(perSecond: 1, burst: 1)
        let limiter = RateLimiter(settings: settings, now: { 0 })
        let admin = Principal(keyID: "env-admin", isAdmin: true, sessions: nil)
        for _ in 0..<1000 { XCTAssertNil(try limiter.take(admin)) }
        XCTAssertNotNil(try limiter.take(scoped))
        XCTAssertThrowsError(try limiter.take(scoped), "the per-key override (burst 1) replaces the default (burst 100)")
    }

    func testRefundGivesTheTokenBack() throws {
        var settings = RateLimiter.Settings()
        settings.scoped = .init(perSecond: 1, burst: 1)
        let limiter = RateLimiter(settings: settings, now: { 5 })
        _ = try limiter.take(scoped)
        limiter.refund(scoped)
        XCTAssertNoThrow(try limiter.take(scoped))
    }

    func testHTTPAnswersCarryHeadersAnd429HasRetryAfter() throws {
        let server = try TestGateway { config in config.rateLimits.scoped = .init(perSecond: 0.5, burst: 3) }
        defer { server.cleanUp() }
        let admin = try server.client()
        let key = try XCTUnwrap(try admin.post("/v1/keys", ["name": "tenant", "sessions": ["default"]]).json?["key"]?.stringValue)
        let other = try XCTUnwrap(try admin.post("/v1/keys", ["name": "tenant-2", "sessions": ["default"]]).json?["key"]?.stringValue)
        let client = try server.client(key: key)
        for (remaining, path, status) in [(2, "/v1/sessions/default", 200), (1, "/v1/sessions/default", 200), (0, "/v1/sessions/nosuch", 404)] {
            let response = try client.get(path)
            XCTAssertEqual(response.status, status, response.text)
            XCTAssertEqual(response.header("RateLimit-Limit"), "3")
            XCTAssertEqual(response.header("RateLimit-Remaining"), String(remaining))
            XCTAssertEqual(response.header("RateLimit-Policy"), "3;w=6")
            XCTAssertNotNil(response.header("RateLimit-Reset").flatMap(Int.init))
        }
        // (the last one was an error answer: it carries the headers too)
        let refused = try client.post("/v1/sessions/default/messages", ["group": "1@g.us", "text": "hi"])
        XCTAssertEqual(refused.status, 429, refused.text)
        XCTAssertEqual(refused.errorCode, "rate_limited")
        XCTAssertEqual(refused.json?["error"]?["retryable"], true)
        XCTAssertEqual(refused.header("Retry-After"), "2")
        XCTAssertEqual(refused.header("RateLimit-Remaining"), "0")
        XCTAssertEqual(try server.client(key: other).get("/v1/sessions/default").status, 200, "another key has its own bucket")
        let adminAnswer = try admin.get("/v1/sessions")
        XCTAssertEqual(adminAnswer.status, 200)
        XCTAssertNil(adminAnswer.header("RateLimit-Limit"), "admin keys are unlimited by default")
        XCTAssertNil(try server.client(key: nil).get("/healthz").header("RateLimit-Limit"), "open routes are not limited")
    }

    func testConfigFileSetsLimits() throws {
        let config = try GatewayConfig.parse(
            try JSONParser.parse(#"{"auth": {"rateLimit": {"perSecond": 5, "burst": 10}, "adminRateLimit": {"perSecond": 100}, "keyRateLimits": {"abc": {"perSecond": 1, "burst": 2}}}}"#),
            environment: [:])
        XCTAssertEqual(config.rateLimits.scoped, .init(perSecond: 5, burst: 10))
        XCTAssertEqual(config.rateLimits.admin, .init(perSecond: 100, burst: 100))
        XCTAssertEqual(config.rateLimits.callers["abc"], .init(perSecond: 1, burst: 2))
        XCTAssertNil(try GatewayConfig.parse(try JSONParser.parse(#"{"auth": {"rateLimit": false}}"#), environment: [:]).rateLimits.scoped)
        XCTAssertThrowsError(try GatewayConfig.parse(try JSONParser.parse(#"{"auth": {"rateLimit": {"burst": 3}}}"#), environment: [:]))
        XCTAssertThrowsError(try GatewayConfig.parse(try JSONParser.parse(#"{"auth": {"rateLimit": true}}"#), environment: [:]))
    }
}
