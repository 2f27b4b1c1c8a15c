import Foundation
import GatewayCore
import GroupModel
import JSONCore
import Storage
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// Fan-out turns appended events into delivery rows. Events that arrive in a stream are gathered, at most one
/// fan-out per `fanOutInterval` (each fan-out is a write touching every delivery index); an event after a quiet
/// spell is fanned out at once.
final class WebhookFanOutTests: XCTestCase {
    private let interval = 1.0

    private struct Timeout: Error {
        let rows: Int
        let found: Int
    }

    func testAStreamOfEventsIsFannedOutOncePerIntervalAndALoneEventAtOnce() throws {
        let server = try TestGateway {
            $0.webhooks.allowPrivateTargets = true
            $0.webhooks.fanOutInterval = self.interval
        }
        defer { server.cleanUp() }
        // Nothing listens there: deliveries are created, then fail and wait for their retry.
        let created = try server.client().post("/v1/webhooks", ["url": "http://127.0.0.1:9/hooks"])
        XCTAssertEqual(created.status, 201, created.text)
        let (database, events) = (server.gateway.database, server.gateway.events)
        let now = Date()
        func append(_ number: Int) throws {
            let event = GatewayEvent(
                id: "evt_fanout_\(number)", type: .messageReceived, occurredAt: now, receivedAt: now, session: "team", provider: "waha", group: nil,
                data: ["n": .int(Int64(number))])
            try database.writeSync { db in _ = try events.append([event], in: db) }
            events.didAppend()
        }
        // A fan-out stamps its rows with one time: distinct times are fan-outs.
        func deliveries() throws -> (rows: Int, fanOuts: Int) {
            let row = try database.read { db in try db.queryOne("SELECT COUNT(*), COUNT(DISTINCT created_at) FROM webhook_deliveries") }
            return (Int(row?.int(0) ?? 0), Int(row?.int(1) ?? 0))
        }
        func waitFor(rows: Int) throws -> Double {
            let started = Date()
            while try deliveries().rows < rows {
                guard Date().timeIntervalSince(started) < 10 else { throw Timeout(rows: rows, found: try deliveries().rows) }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return Date().timeIntervalSince(started)
        }

        // 60 events over 1.5 s, one commit each: without gathering that is a fan-out per event.
        for number in 0..<60 {
            try append(number)
            Thread.sleep(forTimeInterval: 0.025)
        }
        _ = try waitFor(rows: 60)
        let stream = try deliveries()
        XCTAssertEqual(stream.rows, 60)
        XCTAssertLessThanOrEqual(stream.fanOuts, 4, "1.5 s of events at one fan-out per second at most")

        // After a quiet spell longer than the interval, one event goes out without waiting for it, even just after
        // a wake-up that found nothing (here a signal without an event; in a stream, the signals of events an
        // earlier pass already took).
        Thread.sleep(forTimeInterval: interval * 1.5)
        events.didAppend()
        Thread.sleep(forTimeInterval: 0.1)
        try append(60)
        let waited = try waitFor(rows: 61)
        XCTAssertLessThan(waited, interval / 4, "a lone event waited \(waited) s for its fan-out")
        XCTAssertEqual(try deliveries().fanOuts, stream.fanOuts + 1)
    }
}
