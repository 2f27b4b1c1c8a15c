import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support
import WAHAProvider
import WalyticProvider
import WaxumProvider
import XCTest

/// Webhook bodies the provider fuzzers (Tests/Fuzz/Fuzz*Webhook) crashed on, reduced to what they exercise. Each
/// one's original is also in Tests/Fuzz/Corpus/<target>/ as `regression-*`. All of them trapped: one webhook took
/// the whole gateway down.
final class WebhookFuzzRegressionTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_255_200)

    private func webhook(_ body: String, query: [(name: String, value: String)] = []) -> InboundWebhook {
        InboundWebhook(headers: ["Content-Type": "application/json"], body: Array(body.utf8), query: query)
    }

    /// WAHA's `payload.timestamp` is not covered by the freshness check: `1.8e22` became the event's time and
    /// trapped when the event was formatted. Such a time gives way to when the webhook was received.
    func testWAHAPayloadTimeOutOfRangeFallsBackToReceivedTime() throws {
        let body = """
            {"event": "message", "timestamp": 1795255190000, "payload": {"id": "false_120363022345678901@g.us_3EB0_15550000002@c.us",
             "timestamp": 17952551901795254960000, "from": "120363022345678901@g.us", "participant": "15550000002@c.us",
             "fromMe": false, "body": "Hi"}}
            """
        let events = try WAHAWebhook().normalize(webhook(body), context: NormalizeContext(session: "s", receivedAt: now))
        XCTAssertEqual(events.map(\.type), [.messageReceived])
        XCTAssertEqual(events[0].occurredAt, now)
        XCTAssertEqual(events[0].json["occurredAt"]?.stringValue, "2026-11-21T10:00:00.000Z")
    }

    /// Walytic checks the age of the envelope's `timestamp` once the URL token matched: `1.3e67` trapped while the
    /// rejection's log line was written. It is a stale webhook like any other.
    func testWalyticTimestampFarOutOfRangeIsStale() {
        let inbound = webhook(#"{"event": "message.sent", "timestamp": 13358805033333333333333333333333333333333333333333333333333333333339}"#, query: [("token", "t0ken")])
        XCTAssertThrowsError(try WalyticWebhook().verify(inbound, secret: Secret("t0ken"), now: now)) { error in
            XCTAssertEqual((error as? WebhookRejection)?.reason, .stale)
        }
    }

    /// The same for a time that is no number at all (waxum and A1Base read theirs from a header).
    func testTimestampThatIsNotANumberIsStale() {
        XCTAssertThrowsError(
            try WebhookVerification.checkAge(Date(timeIntervalSince1970: .nan), now: now, scheme: "test", header: "X-Timestamp")
        ) { error in
            XCTAssertEqual((error as? WebhookRejection)?.reason, .stale)
        }
    }

    /// A waxum `group_update` whose Debug text shows a JID that is no user id (`00…`) force-unwrapped a failed
    /// parse. Without a participant it names, the update stays `provider.unmapped`.
    func testWaxumGroupUpdateWithAnUnparseableJIDIsUnmapped() throws {
        let body = """
            {"session_id": "s", "event": "group_update", "timestamp": 1795255190, "data": {"group": "120363022345678901@g.us",
             "update": "ParticipantChange { action: Leave, participants: [00631056294@s.whatsapp.net] }"}}
            """
        let events = try WaxumWebhook().normalize(webhook(body), context: NormalizeContext(session: "s", receivedAt: now))
        XCTAssertEqual(events.map(\.type), [.providerUnmapped])
    }
}
