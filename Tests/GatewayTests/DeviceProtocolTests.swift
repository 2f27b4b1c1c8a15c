import Foundation
@testable import GatewayAPI
import JSONCore
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// The native device protocol: a real third-party client (Python `websockets`) through every acceptance point, the
/// frame grammar, the upgrade on the wire, and devices told when the server shuts down.
final class DeviceProtocolTests: XCTestCase {
    func testPythonWebsocketsClientEndToEnd() throws {
        let server = try TestGateway { $0.webhooks.allowPrivateTargets = true }
        defer { server.cleanUp() }
        let (status, output) = try Script.run("python3", [Script.path("device_protocol.py"), String(server.port), TestGateway.adminKey], timeout: 180)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("device-protocol: 0 failed"), output)
        XCTAssertFalse(output.contains("FAIL"), output)
    }

    /// The example terminal chat (examples/chat.py) sends a piped line as alice, and bob's session gets it.
    func testExampleChatClientSends() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let api = try server.client()
        for (name, phone) in [("alice", "+15550000001"), ("bob", "+15550000002")] {
            XCTAssertEqual(try api.post("/v1/sessions", ["id": .string(name), "provider": "native", "phone": .string(phone)]).status, 201)
        }
        XCTAssertEqual(try api.post("/v1/sessions/alice/groups", ["name": "Team", "participants": ["+15550000002"]]).status, 201)
        let chat = Script.repositoryRoot + "/examples/chat.py"
        let (status, output) = try Script.run(
            "bash", ["-c", "echo 'hello from chat.py' | python3 \"$0\" --session alice --url \"$1\" --state-dir \"$2\"", chat, server.baseURL, server.directory.path],
            environment: ["SWITCHBOARD_KEY": TestGateway.adminKey], timeout: 60)
        XCTAssertEqual(status, 0, output)
        let received = try api.get("/v1/events?session=bob&type=message.received").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(received.compactMap { $0["data"]?["text"]?.stringValue }, ["hello from chat.py"], output)
    }

    func testUpgradeOnTheWire() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try RawHTTPClient(port: server.port)
        // The handshake and a ping in one write: bytes after the request belong to the WebSocket.
        let ping: [UInt8] = [0x89, 0x82, 1, 2, 3, 4, UInt8(ascii: "h") ^ 1, UInt8(ascii: "i") ^ 2]
        try client.send(
            Array("GET /v1/native/sessions/default/socket?after=0 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(TestGateway.adminKey)\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".utf8) + ping)
        let head = try client.readResponse(headOnly: true)
        XCTAssertEqual(head.status, 101)
        XCTAssertEqual(head.header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")  // RFC 6455 §1.3's example
        XCTAssertEqual(head.header("Upgrade"), "websocket")
        XCTAssertEqual(head.header("Connection"), "Upgrade")
        XCTAssertNil(head.header("Content-Length"))
        let frames = try readFrames(client, until: { $0.contains { $0.opcode == 0xA } && $0.contains { $0.opcode == 0x1 } })
        let ready = try XCTUnwrap(frames.first { $0.opcode == 0x1 })
        XCTAssertEqual(try JSONParser.parse(ready.payload)["type"], "ready", "the ready frame comes before any event")
        XCTAssertEqual(frames.first { $0.opcode == 0xA }?.payload, Array("hi".utf8))
    }

    func testRefusedUpgradesAnswerInTheCanonicalShape() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let api = try server.client()
        let plain = try api.get("/v1/native/sessions/default/socket")
        XCTAssertEqual(plain.status, 426)
        XCTAssertEqual(plain.json?["error"]?["code"], "upgrade_required")
        XCTAssertEqual(plain.header("Sec-WebSocket-Version"), "13")
        XCTAssertEqual(plain.header("Upgrade"), "websocket")
        let upgrade = ["Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"]
        let badKey = try api.request("GET", "/v1/native/sessions/default/socket", headers: upgrade.merging(["Sec-WebSocket-Key": "short"]) { $1 })
        XCTAssertEqual(badKey.status, 400)
        XCTAssertEqual(badKey.json?["error"]?["code"], "invalid_request")
        let key = ["Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="]
        let future = try api.request("GET", "/v1/native/sessions/default/socket?after=999999", headers: upgrade.merging(key) { $1 })
        XCTAssertEqual(future.status, 400)
        XCTAssertTrue(future.text.contains("beyond the newest event"), future.text)
        let missing = try api.request("GET", "/v1/native/sessions/nosuch/socket", headers: upgrade.merging(key) { $1 })
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json?["error"]?["code"], "session_not_found")
        let anonymous = try TestClient(port: server.port, key: nil).request("GET", "/v1/native/sessions/default/socket", headers: upgrade.merging(key) { $1 })
        XCTAssertEqual(anonymous.status, 401)
    }

    func testShutdownClosesDevicesWithGoingAway() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try RawHTTPClient(port: server.port)
        try client.send(
            "GET /v1/native/sessions/default/socket HTTP/1.1\r\nHost: t\r\nX-Api-Key: \(TestGateway.adminKey)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        XCTAssertEqual(try client.readResponse(headOnly: true).status, 101)
        _ = try readFrames(client) { !$0.isEmpty }
        let stopping = Thread { server.stop() }
        stopping.start()
        let close = try readFrames(client) { $0.contains { $0.opcode == 0x8 } }.first { $0.opcode == 0x8 }
        XCTAssertEqual(close.map { Array($0.payload.prefix(2)) }, [0x03, 0xE9], "1001 going away")
        // The client answers; the server closes the TCP connection.
        try client.send([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE9])
        XCTAssertTrue(client.waitForClose(timeout: 10))
    }

    func testFrameGrammar() throws {
        XCTAssertEqual(try DeviceFrames.parse(#"{"type":"ack","seq":5,"ref":"a"}"#), .ack(seq: 5, ref: "a"))
        XCTAssertEqual(try DeviceFrames.parse(#"{"type":"read","message":"msg_1"}"#), .read(message: "msg_1", ref: nil))
        XCTAssertEqual(try DeviceFrames.parse(#"{"type":"typing","group":"g","state":"paused"}"#), .typing(group: "g", typing: false, ref: nil))
        XCTAssertEqual(try DeviceFrames.parse(#"{"type":"typing","group":"g"}"#), .typing(group: "g", typing: true, ref: nil))
        XCTAssertEqual(
            try DeviceFrames.parse(#"{"type":"send","idempotencyKey":"k","message":{"group":"g","text":"hi"}}"#),
            .send(message: ["group": "g", "text": "hi"], idempotencyKey: "k", ref: nil))
        let violations = [
            "[1]", "not json", #"{"seq":1}"#, #"{"type":"dance"}"#, #"{"type":"ack"}"#, #"{"type":"ack","seq":-1}"#, #"{"type":"ack","seq":"1"}"#,
            #"{"type":"ack","seq":1,"x":1}"#, #"{"type":"read"}"#, #"{"type":"send"}"#, #"{"type":"send","message":"hi"}"#,
            #"{"type":"typing","group":"g","state":"dancing"}"#, #"{"type":"ack","seq":1,"ref":""}"#,
            #"{"type":"ack","seq":1,"ref":"\#(String(repeating: "r", count: 65))"}"#,
        ]
        for text in violations {
            XCTAssertThrowsError(try DeviceFrames.parse(text), text) { error in
                XCTAssertFalse((error as? DeviceFrames.Violation)?.reason.isEmpty ?? true, text)
            }
        }
    }

    // MARK: - Raw frames

    private struct Frame {
        let opcode: UInt8
        let payload: [UInt8]
    }

    /// Reads unmasked server frames until `done` holds for what was read.
    private func readFrames(_ client: RawHTTPClient, until done: ([Frame]) -> Bool) throws -> [Frame] {
        var bytes: [UInt8] = []
        var frames: [Frame] = []
        let deadline = Date().addingTimeInterval(10)
        while !done(frames) {
            guard Date() < deadline else { throw ClientError("no such frame within 10 s") }
            bytes += try client.readAvailable()
            frames = []
            var index = 0
            while index + 2 <= bytes.count {
                var length = Int(bytes[index + 1] & 0x7F), offset = index + 2
                if length == 126 {
                    guard offset + 2 <= bytes.count else { break }
                    length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                    offset += 2
                }
                guard offset + length <= bytes.count else { break }
                frames.append(Frame(opcode: bytes[index] & 0x0F, payload: Array(bytes[offset..<offset + length])))
                index = offset + length
            }
        }
        return frames
    }
}
