import Foundation
import JSONCore
import TestSupport
import XCTest

/// Everything the engine acknowledged is still there after the gateway restarts on the same data folder.
final class NativePersistenceTests: NativeTestCase {
    /// Stops the gateway and starts a new one on the same directory (the new one is cleaned up by tearDown).
    private func restart() throws {
        let directory = server.directory
        server.stop()
        server = try TestGateway(directory: directory)
        admin = try server.client()
    }

    func testGroupsMembersInvitesAndJoinRequestsSurviveRestart() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        try session("carol", 4)
        let group = try self.group("owner", name: "Durable", members: [phone(2), phone(3)], settings: ["approvalRequired": true, "locked": true])
        XCTAssertEqual(try patch(groupPath("owner", group), ["description": "Kept across restarts"]).status, 200)
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        let code = try inviteCode("owner", group)
        XCTAssertEqual(try join("carol", code).json?["status"]?.stringValue, "pending_approval")
        let before = try groupInfo("owner", group)

        try restart()

        for name in ["owner", "alice", "bob", "carol"] {
            XCTAssertEqual(try get("/v1/sessions/\(name)").status, 200, name)
        }
        let after = try groupInfo("owner", group)
        XCTAssertEqual(after["name"]?.stringValue, "Durable")
        XCTAssertEqual(after["description"]?.stringValue, "Kept across restarts")
        XCTAssertEqual(after["participants"], before["participants"])
        XCTAssertEqual(after["settings"], ["announce": false, "locked": true, "approvalRequired": true, "memberAddMode": "all"])
        XCTAssertEqual(after["inviteLink"]?.stringValue, "https://chat.whatsapp.com/" + code)
        XCTAssertEqual(try roles("bob", group), [jid(1): "superadmin", jid(2): "admin", jid(3): "member"])
        XCTAssertEqual(try get("/v1/sessions/alice/groups").json?["data"]?.arrayValue?.map { $0["id"]?.stringValue ?? "" }, [group])
        XCTAssertEqual(try inviteCode("owner", group), code)
        XCTAssertEqual(try get(groupPath("owner", group, "/join-requests")).json?["data"]?.arrayValue?.map { $0["requester"]?.stringValue ?? "" }, [jid(4)])

        // The rules still hold, and the pending request can be decided.
        assertError(try patch(groupPath("bob", group), ["name": "Bob's"]), 403, "not_group_admin")
        XCTAssertEqual(results(try decide("alice", group, "approve", [phone(4)])), [jid(4): "added"])
        XCTAssertEqual(try groupInfo("carol", group)["participantCount"]?.intValue, 4)
        XCTAssertEqual(try join("bob", code).json?["status"]?.stringValue, "already_member")
    }

    func testMessagesReceiptsAndEventLogSurviveRestart() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        let id = try sentID("owner", group, "remember me")
        XCTAssertEqual(try markRead("alice", id).status, 204)
        let eventsBefore = try allEvents()
        XCTAssertFalse(eventsBefore.isEmpty)
        let cursor = try XCTUnwrap(try get("/v1/events?limit=1000").json?["next"]?.stringValue)

        try restart()

        let stored = try message(id)
        XCTAssertEqual(stored["text"]?.stringValue, "remember me")
        XCTAssertEqual(stored["status"]?.stringValue, "sent")
        XCTAssertEqual(stored["receipts"], ["recipients": 2, "delivered": 1, "read": 1])
        XCTAssertEqual(try get("/v1/sessions/owner/messages").json?["data"]?.arrayValue?.map { $0["id"]?.stringValue ?? "" }, [id])
        XCTAssertEqual(try allEvents(), eventsBefore)
        XCTAssertEqual(try groupEvents("bob", "message.received", group).map { $0["data"]?["id"]?.stringValue ?? "" }, [id])

        // The recipient set survived: Alice's second read changes nothing, Bob's completes the message.
        XCTAssertEqual(try markRead("alice", id).status, 204)
        XCTAssertEqual(try message(id)["receipts"], ["recipients": 2, "delivered": 1, "read": 1])
        assertError(try markRead("owner", id), 404, "message_not_found")
        XCTAssertEqual(try markRead("bob", id).status, 204)
        XCTAssertEqual(try message(id)["status"]?.stringValue, "read")
        XCTAssertEqual(try message(id)["receipts"], ["recipients": 2, "delivered": 2, "read": 2])

        // New events continue after the old cursor.
        let newer = try get("/v1/events?limit=1000&after=\(cursor)").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(Set(newer.compactMap { $0["type"]?.stringValue }), ["message.delivered", "message.read"])
        XCTAssertEqual(newer.map { $0["data"]?["participant"]?.stringValue ?? "" }, [jid(3), jid(3)])
        XCTAssertEqual(try allEvents(), eventsBefore + newer)
    }
}
