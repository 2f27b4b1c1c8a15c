import Foundation
import GatewayCore
import HTTPCore
import JSONCore
import ProviderKit
import Storage
import Support
import Switchboard
import TestSupport
import XCTest

/// `POST /v1/inbound/{provider}/{session}` end to end over HTTP: verification (and a log line that says why it
/// failed), dedupe, status moves on the messages the events speak about, Walytic's correlation without message
/// ids (ambiguity reported, never guessed), and payload drift.
final class InboundWebhookTests: XCTestCase {
    private func sign(_ kind: String, _ body: JSON, secret: String, headers: HTTPHeaders = HTTPHeaders()) -> (String, String) {
        let signer = ProviderCatalog.entry(kind)!.webhook!.signature(for: body.bytes, headers: headers, secret: Secret(secret))!
        return (signer.header, signer.value)
    }

    private func wahaAck(_ ack: Int, participant: String?) -> JSON {
        var payload: JSONObject = [
            "id": "true_120363022345678901@g.us_3EB0A1B2C3D4E5F60718_15550000001@c.us", "from": "120363022345678901@g.us", "ack": .int(Int64(ack)),
        ]
        if let participant { payload["participant"] = .string(participant) }
        return ["id": "evt_1", "timestamp": .int(Int64(Date().timeIntervalSince1970 * 1000)), "event": "message.ack", "session": "default", "payload": .object(payload)]
    }

    func testWAHAWebhooksAreVerifiedDedupedAndMoveTheMessageStatus() throws {
        let fake = try FakeProvider(provider: "waha", fixtures: Script.repositoryRoot + "/Contract/Fixtures")
        let port = try fake.start()
        defer { fake.stop() }
        let server = try TestGateway(config: try .wahaExample(url: "http://127.0.0.1:\(port)"))
        defer { server.cleanUp() }
        let client = try TestClient(port: server.port, key: TestGateway.adminKey)
        let sent = try client.post("/v1/sessions/team/messages", ["group": "120363022345678901@g.us", "text": "Hello team"])
        XCTAssertEqual(sent.status, 201, sent.text)
        let id = try XCTUnwrap(sent.json?["id"]?.stringValue)

        let provider = try TestClient(port: server.port, key: nil)
        // One member's read receipt: an event naming the message, but not the message's aggregate status.
        let perMember = wahaAck(3, participant: "15550000002@c.us")
        var (header, value) = sign("waha", perMember, secret: "test-secret")
        var reply = try provider.post("/v1/inbound/waha/team", perMember, headers: [header: value])
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.json?["events"]?.intValue, 1)
        XCTAssertEqual(try client.get("/v1/messages/\(id)").json?["status"]?.stringValue, "sent")
        // The aggregate ack, twice: the second delivery is a duplicate.
        let whole = wahaAck(3, participant: nil)
        (header, value) = sign("waha", whole, secret: "test-secret")
        reply = try provider.post("/v1/inbound/waha/team", whole, headers: [header: value])
        XCTAssertEqual(reply.json?["events"]?.intValue, 1, reply.text)
        reply = try provider.post("/v1/inbound/waha/team", whole, headers: [header: value])
        XCTAssertEqual(reply.json?["events"]?.intValue, 0, reply.text)
        XCTAssertEqual(reply.json?["duplicates"]?.intValue, 1, reply.text)
        XCTAssertEqual(try client.get("/v1/messages/\(id)").json?["status"]?.stringValue, "read")
        let events = try client.get("/v1/events?session=team&type=message.read").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.last?["data"]?["message"]?.stringValue, id)
        // The raw copies keep the request's headers, but never its signature.
        let stored = try server.gateway.database.read { db in try db.query("SELECT headers FROM inbound_webhooks").compactMap { $0.string(0) } }
        XCTAssertEqual(stored.count, 3)
        for headers in stored {
            XCTAssertTrue(headers.contains("content-type"), headers)
            XCTAssertFalse(headers.contains(header.lowercased()) || headers.contains(value), headers)
        }

        // A bad signature: the canonical error for the provider, the reason in the log.
        reply = try provider.post("/v1/inbound/waha/team", whole, headers: [header: "00" + value])
        XCTAssertEqual(reply.status, 401)
        XCTAssertEqual(reply.json?["error"]?["code"]?.stringValue, "invalid_signature")
        XCTAssertTrue(server.logs.all.contains { $0.message == "webhook rejected" && $0.metadata["reason"]?.stringValue == "mismatch" })
        // Unknown session or provider: the very answer a bad signature gets, so nothing about the config leaks.
        for path in ["/v1/inbound/waha/nobody", "/v1/inbound/nothing/team"] {
            let unknown = try provider.post(path, whole, headers: [header: value])
            XCTAssertEqual(unknown.status, reply.status, path)
            XCTAssertEqual(unknown.json?["error"]?["message"], reply.json?["error"]?["message"], path)
            XCTAssertEqual(unknown.errorCode, "invalid_signature", path)
        }
        XCTAssertTrue(server.logs.all.contains { $0.message == "webhook rejected" && $0.metadata["reason"]?.stringValue == "unknown_target" })

        // Drift: a field the first payloads did not have.
        var changed = whole
        if case .object(var envelope) = changed { envelope["engine"] = "GOWS"; changed = .object(envelope) }
        (header, value) = sign("waha", changed, secret: "test-secret")
        XCTAssertEqual(try provider.post("/v1/inbound/waha/team", changed, headers: [header: value]).status, 200)
        let drift = try client.get("/v1/providers/waha/drift").json
        let kind = drift?["data"]?.arrayValue?.first { $0["kind"]?.stringValue == "message.ack" }
        XCTAssertEqual(kind?["payloads"]?.intValue, 4)
        XCTAssertEqual(kind?["newFields"]?.arrayValue?.compactMap { $0["path"]?.stringValue }, ["engine"], drift?.text ?? "")

        // Past the size verified on the event loop (the pool takes it): the same answers.
        var big = whole
        if case .object(var envelope) = big { envelope["padding"] = .string(String(repeating: "x", count: 100_000)); big = .object(envelope) }
        (header, value) = sign("waha", big, secret: "test-secret")
        reply = try provider.post("/v1/inbound/waha/team", big, headers: [header: value])
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.json?["duplicates"]?.intValue, 1, reply.text)
        XCTAssertEqual(try provider.post("/v1/inbound/waha/team", big, headers: [header: "00" + value]).errorCode, "invalid_signature")
    }

    func testWalyticStatusWebhooksAreCorrelatedOrReportedAmbiguous() throws {
        let fake = try FakeProvider(provider: "walytic", fixtures: Script.repositoryRoot + "/Contract/Fixtures")
        let port = try fake.start()
        defer { fake.stop() }
        var config = try GatewayConfig.load(
            file: Script.repositoryRoot + "/examples/config/walytic.json",
            environment: [
                "WALYTIC_URL": "http://127.0.0.1:\(port)", "WALYTIC_API_KEY": "test-key", "WALYTIC_WEBHOOK_TOKEN": "url-token-1234",
                "WALYTIC_SESSION": "session-15550000001",
            ])
        // Three sends back to back, each answered with its outcome: no pacing in between.
        for provider in config.providers { config.sends.pacing[provider.name] = Pacing.none }
        let server = try TestGateway(config: config)
        defer { server.cleanUp() }
        let client = try TestClient(port: server.port, key: TestGateway.adminKey)
        let group = "120363022345678901@g.us"
        func send(_ text: String) throws -> String {
            let reply = try client.post("/v1/sessions/team/messages", ["group": .string(group), "text": .string(text)])
            XCTAssertEqual(reply.status, 201, reply.text)
            return reply.json?["id"]?.stringValue ?? ""
        }
        let unique = try send("Only once")
        let twinA = try send("Twice")
        let twinB = try send("Twice")
        func sentWebhook(_ text: String) -> JSON {
            ["event": "group_message_sent", "sessionId": "session-15550000001", "groupName": "Team", "groupId": .string(group), "message": .string(text),
             "status": "sent", "timestamp": .int(Int64(Date().timeIntervalSince1970))]
        }
        let provider = try TestClient(port: server.port, key: nil)
        XCTAssertEqual(try provider.post("/v1/inbound/walytic/team?token=url-token-1234", sentWebhook("Only once")).status, 200)
        XCTAssertEqual(try provider.post("/v1/inbound/walytic/team?token=url-token-1234", sentWebhook("Twice")).status, 200)
        XCTAssertEqual(try provider.post("/v1/inbound/walytic/team?token=wrong", sentWebhook("Twice")).status, 401)
        XCTAssertEqual(try provider.post("/v1/inbound/walytic/team", sentWebhook("Twice")).status, 401)

        let events = try client.get("/v1/events?session=team&type=message.sent").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events[0]["data"]?["message"]?.stringValue, unique)
        XCTAssertEqual(events[0]["data"]?["correlation"]?["matched"]?.boolValue, true)
        XCTAssertNil(events[1]["data"]?["message"]?.stringValue, "two pending messages fit: never guessed")
        XCTAssertEqual(events[1]["data"]?["correlation"]?["matched"]?.boolValue, false)
        XCTAssertEqual(Set(events[1]["data"]?["correlation"]?["candidates"]?.arrayValue?.compactMap(\.stringValue) ?? []), [twinA, twinB])
    }

    func testNormalizeIsStatelessAndNeedsAKey() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try TestClient(port: server.port, key: TestGateway.adminKey)
        let payload: JSON = ["event": "group_message_failed", "sessionId": "s", "groupName": "Team", "error": "Session not found or not connected",
                             "timestamp": 1795255200]
        let reply = try client.post("/v1/normalize/walytic", payload)
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.json?["data"]?[0]?["type"]?.stringValue, "message.failed")
        XCTAssertEqual(reply.json?["data"]?[0]?["data"]?["error"]?["code"]?.stringValue, "session_not_ready")
        XCTAssertEqual(try client.get("/v1/events").json?["data"]?.arrayValue?.count, 0, "nothing stored")
        XCTAssertEqual(try client.post("/v1/normalize/nope", payload).status, 404)
        XCTAssertEqual(try TestClient(port: server.port, key: nil).post("/v1/normalize/walytic", payload).status, 401)
    }

    func testNormalizeCommand() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/payload.json"
        try #"{"event":"group_message_sent","sessionId":"s","groupName":"Team","groupId":"120363022345678901@g.us","message":"Hi","status":"sent","timestamp":1795255200}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let binary = Script.repositoryRoot + "/.build/debug/switchboard"
        let good = try Script.run(binary, ["normalize", "--provider", "walytic", file])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains("\"type\": \"message.sent\""), good.output)
        // Another provider's payload is kept, as unmapped; one without an event name is refused clearly.
        let other = try Script.run(binary, ["normalize", "--provider", "waha", file])
        XCTAssertTrue(other.output.contains("provider.unmapped"), other.output)
        try #"{"payload": {}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try Script.run(binary, ["normalize", "--provider", "waha", file])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.output.contains("invalid_request"), bad.output)
    }
}
