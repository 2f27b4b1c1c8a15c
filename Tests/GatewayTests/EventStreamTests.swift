import Foundation
import JSONCore
import Switchboard
import TestSupport
import XCTest

/// `GET /v1/events/stream` with a real third-party SSE client (curl): live push, then resuming with
/// `Last-Event-ID` without gaps or duplicates, and the filters.
final class EventStreamTests: XCTestCase {
    /// Runs `curl -N` against the stream for `seconds`, while `during` acts; returns `(id, event type)` pairs.
    private func stream(_ server: TestGateway, _ query: String = "", lastEventID: String? = nil, seconds: Int = 2, during: () throws -> Void = {}) throws
        -> [(id: String, type: String, data: JSON?)]
    {
        let output = server.directory.path + "/sse-\(UUID().uuidString).txt"
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["curl", "-sN", "--max-time", String(seconds), "-o", output, "-H", "Authorization: Bearer \(TestGateway.adminKey)"]
        if let lastEventID { arguments += ["-H", "Last-Event-ID: \(lastEventID)"] }
        curl.arguments = arguments + ["\(server.baseURL)/v1/events/stream\(query)"]
        try curl.run()
        Thread.sleep(forTimeInterval: 0.3)
        try during()
        curl.waitUntilExit()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "\n\n").compactMap { block in
            var id: String?
            var type: String?
            var data: JSON?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { type = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = try? JSONParser.parse(Array(line.dropFirst(6).utf8)) }
            }
            guard let id, let type else { return nil }
            return (id, type, data)
        }
    }

    func testLivePushAndResumeWithoutGapsOrDuplicates() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try TestClient(port: server.port, key: TestGateway.adminKey)
        var group = ""
        let live = try stream(server) {
            XCTAssertEqual(try client.post("/v1/sessions", ["id": "alice", "provider": "native", "phone": "+15550000001"]).status, 201)
            XCTAssertEqual(try client.post("/v1/sessions", ["id": "bob", "provider": "native", "phone": "+15550000002"]).status, 201)
            group = try client.post("/v1/sessions/alice/groups", ["name": "Team", "participants": ["+15550000002"]]).json?["id"]?.stringValue ?? ""
            XCTAssertEqual(try client.post("/v1/sessions/alice/messages", ["group": .string(group), "text": "Hi bob"]).status, 201)
        }
        XCTAssertEqual(live.map(\.type).sorted(), ["group.joined", "group.joined", "message.received", "message.sent"], "\(live)")
        XCTAssertEqual(live.first { $0.type == "message.received" }?.data?["session"]?.stringValue, "bob")

        // Offline: two more messages; resuming after the second event gets exactly the rest, in order.
        XCTAssertEqual(try client.post("/v1/sessions/alice/messages", ["group": .string(group), "text": "Again"]).status, 201)
        let resumed = try stream(server, lastEventID: live[1].id, seconds: 1)
        let all = try stream(server, seconds: 1)
        XCTAssertEqual(all.count, live.count + 2)
        XCTAssertEqual(resumed.map(\.id), all.dropFirst(2).map(\.id), "no gap, no duplicate")
        XCTAssertEqual(Set(all.map(\.id)).count, all.count)

        let filtered = try stream(server, "?session=bob&type=message.received", seconds: 1)
        XCTAssertEqual(filtered.map(\.type), ["message.received", "message.received"])
        XCTAssertEqual(try client.get("/v1/events/stream?session=nobody").status, 404)
    }
}
