import Foundation
import JSONCore
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// The examples new users run first: `examples/quickstart.sh` (the README's curl tour) and `examples/webhook_app.py`
/// (a standard-library webhook receiver that subscribes, sends and verifies), each against a real gateway.
final class ExamplesTests: XCTestCase {
    // MARK: - quickstart.sh

    func testQuickstartPassesAndCanBeRunAgain() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        for run in 1...2 {
            let (status, output) = try server.runExample("quickstart.sh", timeout: 120)
            XCTAssertEqual(status, 0, "run \(run):\n\(output)")
            XCTAssertTrue(output.contains("Quick start complete: 10 checks passed."), "run \(run):\n\(output)")
            XCTAssertFalse(output.contains("✗"), output)
            // The second run reuses what the first created instead of failing on 409.
            XCTAssertEqual(output.contains("session alice (+15550000001) already exists"), run == 2, output)
            XCTAssertEqual(output.contains("alice already has the group Team"), run == 2, output)
        }
        let api = try server.client()
        let groups = try api.get("/v1/sessions/alice/groups?name=Team").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(groups.count, 1, "a re-run must not create a second Team (sends by name would become ambiguous)")
    }

    func testQuickstartRefusesAnExistingSessionWithAnotherPhone() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let api = try server.client()
        XCTAssertEqual(try api.post("/v1/sessions", ["id": "alice", "provider": "native", "phone": "+15550000009"]).status, 201)
        let (status, output) = try server.runExample("quickstart.sh", timeout: 60)
        XCTAssertNotEqual(status, 0, output)
        XCTAssertTrue(output.contains("✗ 1. create session alice (+15550000001): Session 'alice' already exists."), output)
        XCTAssertFalse(output.contains("✓"), output)
    }

    // MARK: - webhook_app.py

    func testWebhookAppSendsAndSeesItsMessageSentThenUnsubscribes() throws {
        let server = try TestGateway { $0.webhooks.allowPrivateTargets = true }
        defer { server.cleanUp() }
        let api = try server.client()
        for (name, phone) in [("alice", "+15550000001"), ("bob", "+15550000002")] {
            XCTAssertEqual(try api.post("/v1/sessions", ["id": .string(name), "provider": "native", "phone": .string(phone)]).status, 201)
        }
        XCTAssertEqual(try api.post("/v1/sessions/alice/groups", ["name": "Team", "participants": ["+15550000002"]]).status, 201)

        let (status, output) = try Script.run(
            "python3",
            [
                Script.repositoryRoot + "/examples/webhook_app.py", "--session", "alice", "--group", "Team", "--url", server.baseURL, "--port", "0",
                "--text", "Hello from the examples test", "--once", "--timeout", "30",
            ],
            environment: ["SWITCHBOARD_KEY": TestGateway.adminKey], timeout: 90)
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n").map(String.init)
        let sent = try XCTUnwrap(lines.first { $0.hasPrefix("sent msg_") }, output)
        let message = String(sent.split(separator: " ")[1])
        XCTAssertTrue(
            lines.contains("verified message.sent \(message) status=sent \"Hello from the examples test\""), "no verified message.sent for \(message):\n\(output)")
        XCTAssertTrue(lines.contains("done: \(message) is sent"), output)
        XCTAssertFalse(output.contains("refused"), output)

        let subscription = try XCTUnwrap(lines.first { $0.hasPrefix("subscribed whk_") }.map { String($0.dropFirst(11).prefix { $0 != ":" }) }, output)
        XCTAssertTrue(lines.contains("deleted subscription \(subscription)"), output)
        XCTAssertEqual(try api.get("/v1/webhooks/\(subscription)").status, 404, "the subscription it created is gone")
        XCTAssertEqual(try api.get("/v1/webhooks").json?["data"]?.arrayValue?.count, 0)
        XCTAssertEqual(try api.get("/v1/messages/\(message)").json?["text"], "Hello from the examples test")
    }

    func testWebhookAppReceiverVerifiesSignaturesTimestampsAndSizes() throws {
        let secret = try XCTUnwrap(WebhookSecret("whsec_" + Data(repeating: 7, count: 32).base64EncodedString()))
        let app = try Subprocess("python3", [Script.repositoryRoot + "/examples/webhook_app.py", "--secret", secret.text, "--port", "0"])
        defer { app.stop() }
        XCTAssertTrue(app.waitFor(timeout: 20) { $0.contains("/webhook\n") }, app.output)
        let port = try XCTUnwrap(app.output.components(separatedBy: "listening on http://127.0.0.1:").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }, app.output)

        let now = Int64(Date().timeIntervalSince1970)
        func delivery(_ id: String, at timestamp: Int64 = now, secrets: [WebhookSecret] = [secret]) -> (headers: [(String, String)], body: [UInt8]) {
            let body = Array(#"{"id":"\#(id)","type":"message.sent","session":"alice","data":{"id":"msg_\#(id)","status":"sent","text":"hi"}}"#.utf8)
            return (StandardWebhooks.headers(id: id, timestamp: timestamp, body: body, secrets: secrets), body)
        }
        let other = WebhookSecret.generate()

        // Signed by the gateway's own signer: accepted once, a redelivery of the same webhook-id is acknowledged but not handled again.
        let good = delivery("evt_good")
        XCTAssertEqual(try post(port, good.headers, good.body), 204)
        XCTAssertEqual(try post(port, good.headers, good.body), 204)
        // During a rotation deliveries carry two signatures; one matching is enough.
        let rotated = delivery("evt_rotated", secrets: [other, secret])
        XCTAssertEqual(try post(port, rotated.headers, rotated.body), 204)

        let forged = delivery("evt_forged", secrets: [other])
        XCTAssertEqual(try post(port, forged.headers, forged.body), 401, "signed with another secret")
        let tampered = delivery("evt_tampered")
        XCTAssertEqual(try post(port, tampered.headers, Array(#"{"id":"evt_tampered","type":"message.failed"}"#.utf8)), 401, "body changed after signing")
        let unsigned = delivery("evt_unsigned")
        XCTAssertEqual(try post(port, unsigned.headers.filter { $0.0 != "webhook-signature" }, unsigned.body), 401, "no webhook-signature")
        XCTAssertEqual(try post(port, unsigned.headers.filter { $0.0 != "webhook-timestamp" }, unsigned.body), 401, "no webhook-timestamp")
        let stale = delivery("evt_stale", at: now - 301)
        XCTAssertEqual(try post(port, stale.headers, stale.body), 400, "a timestamp over 5 minutes old is a replay")
        let future = delivery("evt_future", at: now + 600)
        XCTAssertEqual(try post(port, future.headers, future.body), 400, "a timestamp 10 minutes ahead")
        XCTAssertEqual(try post(port, good.headers, [], contentLength: 2 << 20), 413, "over 1 MiB, refused before reading it")

        XCTAssertTrue(app.waitFor(timeout: 10) { $0.contains("refused 413") }, app.output)
        let lines = app.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("verified ") }, ["verified message.sent msg_evt_good status=sent \"hi\"", "verified message.sent msg_evt_rotated status=sent \"hi\""], app.output)
        XCTAssertEqual(lines.filter { $0.hasPrefix("duplicate ") }, ["duplicate evt_good ignored"], app.output)
        XCTAssertEqual(lines.filter { $0.hasPrefix("refused ") }.count, 7, app.output)
    }

    // MARK: - Helpers

    /// POSTs `body` to the app's receiver on a new connection and answers the status.
    private func post(_ port: Int, _ headers: [(String, String)], _ body: [UInt8], contentLength: Int? = nil) throws -> Int {
        let client = try RawHTTPClient(port: port)
        var head = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(contentLength ?? body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try client.send(Array((head + "\r\n").utf8) + body)
        return try client.readResponse().status
    }
}

/// A long-running subprocess (run from the repository root) whose stdout and stderr are collected as they come.
private final class Subprocess: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var data = Data()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Script.repositoryRoot)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self, !chunk.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            self.lock.lock()
            self.data.append(chunk)
            self.lock.unlock()
        }
        try process.run()
    }

    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// True once `condition` holds for the output so far; false when the process exits or `timeout` passes first.
    func waitFor(timeout: Double, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(output) { return true }
            if !process.isRunning {
                Thread.sleep(forTimeInterval: 0.2)  // the last output may still be in the pipe
                return condition(output)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// SIGTERM and wait (idempotent).
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
