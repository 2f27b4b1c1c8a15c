import Foundation
import GatewayCore
import JSONCore
import Support
import Switchboard
import TestSupport
import XCTest

/// The outbox's parts (pacing, the circuit breaker, the `sends` config) and, through scripts against the
/// fault-injection provider, its behaviour under every provider fault and under SIGKILL.
final class SendOutboxTests: XCTestCase {
    func testPacingSpacesASessionsSendsWithJitterAndLeavesOtherSessionsAlone() {
        let pacer = SendPacer()
        let pacing = Pacing(interval: 1, jitter: 0.3)
        XCTAssertEqual(pacer.reserve("a", pacing: pacing, now: 100, random: 0.5), 100)
        XCTAssertEqual(pacer.reserve("a", pacing: pacing, now: 100, random: 0), 101, accuracy: 1e-9)  // 1 s after the first
        XCTAssertEqual(pacer.reserve("a", pacing: pacing, now: 100, random: 1), 101.7, accuracy: 1e-9)  // 0.7 s (−30 %) later
        XCTAssertEqual(pacer.reserve("b", pacing: pacing, now: 100), 100, "another session has its own slots")
        XCTAssertEqual(pacer.reserve("a", pacing: pacing, now: 200), 200, "an idle session sends at once")
        XCTAssertEqual(pacer.reserve("n", pacing: .none, now: 5), 5)
        XCTAssertEqual(pacer.reserve("n", pacing: .none, now: 5), 5, "no pacing, no waiting")
    }

    func testDefaultPacingFollowsTheProvidersLimits() {
        XCTAssertEqual(Pacing.defaults(kind: "native"), .none)
        XCTAssertEqual(Pacing.defaults(kind: "talkntalk").interval, 0.25, "TalkNTalk allows 300 requests a minute")
        XCTAssertGreaterThanOrEqual(Pacing.defaults(kind: "waha").interval, 1)
        XCTAssertGreaterThan(Pacing.defaults(kind: "waxum").jitter, 0, "WhatsApp-backed providers never send in a regular rhythm")
    }

    func testCircuitOpensAfterConsecutiveFailuresAndLetsOneTrialThrough() {
        let breaker = CircuitBreaker(provider: "p", threshold: 3, openSeconds: 10)
        breaker.failed(now: 0)
        breaker.failed(now: 0)
        breaker.succeeded()
        breaker.failed(now: 1)
        breaker.failed(now: 1)
        XCTAssertTrue(breaker.allow(now: 1), "a success in between resets the count")
        breaker.failed(now: 1)
        XCTAssertEqual(breaker.state(now: 2), .open)
        XCTAssertFalse(breaker.allow(now: 5))
        XCTAssertEqual(breaker.retryAt(now: 5), 11)
        XCTAssertTrue(breaker.allow(now: 11), "half-open: one trial")
        XCTAssertFalse(breaker.allow(now: 11), "only one trial at a time")
        breaker.failed(now: 12)
        XCTAssertEqual(breaker.state(now: 13), .open, "a failed trial opens it again")
        XCTAssertTrue(breaker.allow(now: 22))
        breaker.succeeded()
        XCTAssertEqual(breaker.state(now: 22), .closed)
        XCTAssertTrue(breaker.allow(now: 22))
        XCTAssertTrue(breaker.allow(now: 22))
    }

    func testSendsConfigIsReadAndBadValuesAreRefusedWithTheirPath() throws {
        let config = try GatewayConfig.parse(
            try JSONParser.parse(
                #"{"providers": {"w": {"kind": "waha", "baseUrl": "http://127.0.0.1:9"}}, "sends": {"answerWithinSeconds": 2, "maxAttempts": 4, "retry": {"firstDelaySeconds": 0.5}, "unknownOutcome": {"graceSeconds": 3, "withoutLookup": "resend"}, "circuitBreaker": {"failureThreshold": 2, "openSeconds": 9}, "pacing": {"w": {"intervalSeconds": 2, "jitter": 0.1}}}}"#),
            environment: [:])
        XCTAssertEqual(config.sends.answerWithin, 2)
        XCTAssertEqual(config.sends.maxAttempts, 4)
        XCTAssertEqual(config.sends.retry.firstDelay, 0.5)
        XCTAssertEqual(config.sends.unknownGrace, 3)
        XCTAssertEqual(config.sends.unknownWithoutLookup, .resend)
        XCTAssertEqual(config.sends.breakerThreshold, 2)
        XCTAssertEqual(config.sends.pacing(provider: "w", kind: "waha"), Pacing(interval: 2, jitter: 0.1))
        XCTAssertEqual(config.sends.pacing(provider: "other", kind: "talkntalk"), Pacing.defaults(kind: "talkntalk"))
        for (bad, fragment) in [
            (#"{"sends": {"answerWithinSeconds": 600}}"#, "sends.answerWithinSeconds"),
            (#"{"sends": {"unknownOutcome": {"withoutLookup": "guess"}}}"#, "sends.unknownOutcome.withoutLookup"),
            (#"{"sends": {"pacing": {"nobody": {"intervalSeconds": 1}}}}"#, "sends.pacing.nobody"),
            (#"{"sends": {"retries": 3}}"#, "sends.retries"),
        ] {
            XCTAssertThrowsError(try GatewayConfig.parse(try JSONParser.parse(bad), environment: [:]), bad) { error in
                XCTAssertTrue(String(describing: error).contains(fragment), "\(error)")
            }
        }
    }

    /// 500, 503, 429 + Retry-After, hang, reset, accept-then-drop, a provider without lookup, a dead provider:
    /// final status, attempts and exact provider call counts (Tests/Scripts/send_faults.py).
    func testEveryProviderFaultEndsInTheRightStatusWithTheExactNumberOfCalls() throws {
        let (status, output) = try Script.run("python3", [Script.path("send_faults.py"), Script.repositoryRoot + "/.build/debug/switchboard"])
        XCTAssertEqual(status, 0, output)
        XCTAssertFalse(output.contains("FAIL"), output)
        XCTAssertTrue(output.contains("send faults: ok"), output)
    }

    /// 2,000 sends, three SIGKILLs, clients retrying with the same keys: every acknowledged message reaches the
    /// provider exactly once (Tests/Scripts/send_crash.py).
    func testTwoThousandSendsSurviveThreeSIGKILLsExactlyOnce() throws {
        let (status, output) = try Script.run("python3", [Script.path("send_crash.py"), Script.repositoryRoot + "/.build/debug/switchboard", "2000"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("exactly once 2000, lost 0, duplicated 0"), output)
        XCTAssertTrue(output.contains("SIGKILLs 3"), output)
    }
}
