import Foundation
import JSONCore
import TestSupport
import XCTest

/// Which sessions each state change's event reaches, what it carries, and paging through the event log.
final class NativeEventTests: NativeTestCase {
    func testCreatingGroupTellsEveryMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("carol", 3)
        let group = try self.group("owner", members: [phone(2)])
        for member in ["owner", "alice"] {
            let joined = try groupEvents(member, "group.joined", group)
            XCTAssertEqual(joined.count, 1, member)
            XCTAssertEqual(joined.first?["data"]?["group"]?["id"]?.stringValue, group)
            XCTAssertEqual(joined.first?["data"]?["group"]?["participantCount"]?.intValue, 2)
        }
        XCTAssertTrue(try events("carol").isEmpty)
    }

    func testAddingMemberTellsNewcomerAndOthers() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2)])
        XCTAssertEqual(results(try act("alice", group, "add", [phone(3)])), [jid(3): "added"])
        let joined = try groupEvents("bob", "group.joined", group)
        XCTAssertEqual(joined.count, 1)
        let members = joined.first?["data"]?["group"]?["participants"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        XCTAssertEqual(Set(members), [jid(1), jid(2), jid(3)])
        for member in ["owner", "alice"] {
            let others = try groupEvents(member, "group.participants.joined", group)
            XCTAssertEqual(others.map(participantIDs), [[jid(3)]], member)
            XCTAssertEqual(others.first?["data"]?["participants"]?[0]?["role"]?.stringValue, "member")
        }
    }

    func testRemovingMemberTellsRemovedAndOthers() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "remove", [phone(2)])), [jid(2): "removed"])
        let left = try groupEvents("alice", "group.left", group)
        XCTAssertEqual(left.map { $0["data"]?["reason"]?.stringValue ?? "" }, ["removed"])
        for member in ["owner", "bob"] {
            XCTAssertEqual(try groupEvents(member, "group.participants.left", group).map(participantIDs), [[jid(2)]], member)
            XCTAssertTrue(try groupEvents(member, "group.left", group).isEmpty, member)
        }
        // Once removed, Alice hears nothing more of the group.
        XCTAssertEqual(try patch(groupPath("owner", group), ["name": "Without alice"]).status, 200)
        _ = try sentID("bob", group)
        XCTAssertTrue(try groupEvents("alice", "group.updated", group).isEmpty)
        XCTAssertTrue(try groupEvents("alice", "message.received", group).isEmpty)
        XCTAssertEqual(try groupEvents("owner", "group.updated", group).count, 1)
        XCTAssertEqual(try groupEvents("owner", "message.received", group).count, 1)
    }

    func testLeavingTellsLeaverAndOthers() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(try post(groupPath("alice", group, "/leave")).status, 204)
        XCTAssertEqual(try groupEvents("alice", "group.left", group).map { $0["data"]?["reason"]?.stringValue ?? "" }, ["left"])
        for member in ["owner", "bob"] {
            XCTAssertEqual(try groupEvents(member, "group.participants.left", group).map(participantIDs), [[jid(2)]], member)
        }
        XCTAssertTrue(try groupEvents("owner", "group.participants.promoted", group).isEmpty)
    }

    func testPromoteAndDemoteTellEveryMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(results(try act("owner", group, "demote", [phone(2)])), [jid(2): "demoted"])
        for member in ["owner", "alice", "bob"] {
            let promoted = try groupEvents(member, "group.participants.promoted", group)
            XCTAssertEqual(promoted.map(participantIDs), [[jid(2)]], member)
            XCTAssertEqual(promoted.first?["data"]?["participants"]?[0]?["role"]?.stringValue, "admin")
            let demoted = try groupEvents(member, "group.participants.demoted", group)
            XCTAssertEqual(demoted.map(participantIDs), [[jid(2)]], member)
            XCTAssertEqual(demoted.first?["data"]?["participants"]?[0]?["role"]?.stringValue, "member")
        }
    }

    func testGroupUpdatedCarriesOnlyChangedFields() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        XCTAssertEqual(try patch(groupPath("owner", group), ["name": "New name"]).status, 200)
        XCTAssertEqual(try patch(groupPath("alice", group), ["description": "About us"]).status, 200)
        XCTAssertEqual(try patch(groupPath("owner", group), ["settings": ["announce": true, "locked": false]]).status, 200)
        for member in ["owner", "alice"] {
            let updates = try groupEvents(member, "group.updated", group).compactMap { $0["data"] }
            XCTAssertEqual(updates.count, 3, member)
            guard updates.count == 3 else { continue }
            XCTAssertEqual(updates[0]["name"]?.stringValue, "New name")
            XCTAssertNil(updates[0]["description"])
            XCTAssertNil(updates[0]["settings"])
            XCTAssertEqual(updates[1]["description"]?.stringValue, "About us")
            XCTAssertNil(updates[1]["name"])
            XCTAssertEqual(updates[1]["updatedBy"]?.stringValue, jid(2))
            // locked was already false: only announce changed.
            XCTAssertEqual(updates[2]["settings"], ["announce": true])
            XCTAssertNil(updates[2]["name"])
        }
    }

    // MARK: - The log

    /// A log with a few dozen events across three sessions.
    private func busyLog() throws -> String {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        for index in 0..<5 {
            let id = try sentID(["owner", "alice", "bob"][index % 3], group, "message \(index)")
            XCTAssertEqual(try markRead(index % 3 == 0 ? "alice" : "owner", id).status, 204)
        }
        XCTAssertEqual(try patch(groupPath("owner", group), ["name": "Busy"]).status, 200)
        return group
    }

    func testCursorPagesThroughLogWithoutGapsOrDuplicates() throws {
        _ = try busyLog()
        let all = try allEvents()
        XCTAssertGreaterThan(all.count, 20)
        for (query, expected) in [("", all), ("&session=alice", try allEvents("&session=alice"))] {
            var seen: [JSON] = []
            var cursor: String? = nil
            for _ in 0..<100 {
                let page = try get("/v1/events?limit=4\(query)" + (cursor.map { "&after=\($0)" } ?? ""))
                XCTAssertEqual(page.status, 200, page.text)
                let data = page.json?["data"]?.arrayValue ?? []
                XCTAssertLessThanOrEqual(data.count, 4)
                seen += data
                let next = page.json?["next"]?.stringValue
                if data.isEmpty {
                    XCTAssertEqual(next, cursor, "an empty page keeps the cursor")
                    break
                }
                cursor = next
            }
            XCTAssertEqual(seen, expected, "query '\(query)'")
            let ids = seen.compactMap { $0["id"]?.stringValue }
            XCTAssertEqual(Set(ids).count, ids.count, "no duplicates")
        }
        XCTAssertTrue(try allEvents("&session=alice").allSatisfy { $0["session"]?.stringValue == "alice" })
    }

    func testTypeFilterTakesCommaSeparatedTypes() throws {
        _ = try busyLog()
        let all = try allEvents()
        let sent = try allEvents("&type=message.sent")
        let read = try allEvents("&type=message.read")
        XCTAssertEqual(sent.count, 5)
        XCTAssertEqual(read.count, 5)
        let both = try allEvents("&type=message.sent,message.read")
        XCTAssertEqual(both, all.filter { ["message.sent", "message.read"].contains($0["type"]?.stringValue ?? "") })
        XCTAssertEqual(both.count, 10)
        let aliceReceived = try allEvents("&session=alice&type=message.received,group.updated")
        XCTAssertEqual(aliceReceived.map { $0["type"]?.stringValue ?? "" }, ["message.received", "message.received", "message.received", "group.updated"])
    }

    func testUnknownEventTypeIsRefused() throws {
        try session("owner", 1)
        assertError(try get("/v1/events?type=message.bogus"), 400, "invalid_request")
        assertError(try get("/v1/events?type=message.sent,nope"), 400, "invalid_request")
    }

    func testEventsOfUnknownSessionAreSessionNotFound() throws {
        try session("owner", 1)
        assertError(try get("/v1/events?session=nobody"), 404, "session_not_found")
    }
}
