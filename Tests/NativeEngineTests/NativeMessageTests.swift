import Foundation
import JSONCore
import TestSupport
import XCTest

/// Sends (content rules, announce groups, who may send), fan-out to members, and aggregated receipts.
final class NativeMessageTests: NativeTestCase {
    func testEveryMessageTypeSendsWithMediaByURL() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        var ids: [String] = []
        let text = try send("owner", ["group": .string(group), "type": "text", "text": "hi"])
        XCTAssertEqual(text.status, 201, text.text)
        XCTAssertEqual(text.json?["type"]?.stringValue, "text")
        ids.append(try XCTUnwrap(text.json?["id"]?.stringValue))
        for type in ["image", "video", "audio", "voice", "document"] {
            var body: JSONObject = [
                "group": .string(group), "type": .string(type),
                "media": ["url": .string("https://example.com/file.\(type)"), "mimeType": "application/octet-stream", "filename": "file.bin"],
            ]
            if type != "audio" && type != "voice" { body["caption"] = .string("A \(type)") }
            let response = try send("owner", body)
            XCTAssertEqual(response.status, 201, "\(type): \(response.text)")
            XCTAssertEqual(response.json?["status"]?.stringValue, "sent", type)
            XCTAssertEqual(response.json?["type"]?.stringValue, type)
            XCTAssertEqual(response.json?["media"]?["url"]?.stringValue, "https://example.com/file.\(type)")
            let id = try XCTUnwrap(response.json?["id"]?.stringValue)
            XCTAssertEqual(try message(id)["type"]?.stringValue, type)
            ids.append(id)
        }
        XCTAssertEqual(try message(ids[1])["caption"]?.stringValue, "A image")
        let received = try groupEvents("alice", "message.received", group)
        XCTAssertEqual(received.map { $0["data"]?["id"]?.stringValue ?? "" }, ids)
        XCTAssertEqual(received.map { $0["data"]?["type"]?.stringValue ?? "" }, ["text", "image", "video", "audio", "voice", "document"])
    }

    func testMismatchedContentIsRefused() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        let media: JSON = ["url": "https://example.com/a.bin"]
        assertError(try send("owner", ["group": .string(group), "text": "hi", "media": media]), 400, "invalid_request")
        assertError(try send("owner", ["group": .string(group), "type": "text"]), 400, "invalid_request")
        for type in ["image", "video", "audio", "voice", "document"] {
            assertError(try send("owner", ["group": .string(group), "type": .string(type)]), 400, "invalid_request")
            assertError(try send("owner", ["group": .string(group), "type": .string(type), "caption": "no media"]), 400, "invalid_request")
        }
        for type in ["audio", "voice"] {
            assertError(try send("owner", ["group": .string(group), "type": .string(type), "media": media, "caption": "c"]), 400, "invalid_request")
        }
        XCTAssertEqual(try get("/v1/sessions/owner/messages").json?["data"]?.arrayValue?.count, 0)
        XCTAssertTrue(try groupEvents("alice", "message.received", group).isEmpty)
    }

    func testMentionsMustBeParticipants() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2)])
        let outsider = try send("owner", ["group": .string(group), "text": "hi @bob", "mentions": [.string(phone(3))]])
        assertError(outsider, 400, "invalid_request")
        let mixed = try send("owner", ["group": .string(group), "text": "hi", "mentions": [.string(phone(2)), .string(phone(3))]])
        assertError(mixed, 400, "invalid_request")

        let response = try send("owner", ["group": .string(group), "text": "hi @alice", "mentions": [.string(phone(2))]])
        XCTAssertEqual(response.status, 201, response.text)
        XCTAssertEqual(response.json?["mentions"], [.string(jid(2))])
        let id = try XCTUnwrap(response.json?["id"]?.stringValue)
        XCTAssertEqual(try message(id)["mentions"], [.string(jid(2))])
        let received = try groupEvents("alice", "message.received", group)
        XCTAssertEqual(received.map { $0["data"]?["id"]?.stringValue ?? "" }, [id])
        XCTAssertEqual(received.first?["data"]?["mentions"], [.string(jid(2))])
    }

    func testOnlyAdminsSendInAnnounceGroup() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(try sendText("alice", group, "before").status, 201)
        XCTAssertEqual(try patch(groupPath("owner", group), ["settings": ["announce": true]]).status, 200)
        assertError(try sendText("alice", group, "after"), 403, "not_group_admin")
        XCTAssertEqual(try sendText("owner", group, "from owner").status, 201)
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(try sendText("alice", group, "as admin").status, 201)
        assertError(try sendText("bob", group, "from bob"), 403, "not_group_admin")
        let texts = try groupEvents("bob", "message.received", group).map { $0["data"]?["text"]?.stringValue ?? "" }
        XCTAssertEqual(texts, ["before", "from owner", "as admin"])
    }

    func testSendingToMissingGroupIsGroupNotFound() throws {
        try session("owner", 1)
        assertError(try sendText("owner", "120363000000000000@g.us"), 404, "group_not_found")
    }

    func testSendingToGroupYouAreNotInIsForbidden() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2)])
        assertError(try sendText("bob", group), 404, "group_not_found")
        XCTAssertEqual(try sendText("alice", group).status, 201)
        XCTAssertEqual(results(try act("owner", group, "remove", [phone(2)])), [jid(2): "removed"])
        assertError(try sendText("alice", group), 404, "group_not_found")
        XCTAssertEqual(try get("/v1/sessions/bob/messages").json?["data"]?.arrayValue?.count, 0)
    }

    func testMessageReachesEveryMemberOnce() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        try session("carol", 4)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        let response = try sendText("owner", group, "hi all")
        XCTAssertEqual(response.status, 201, response.text)
        let id = try XCTUnwrap(response.json?["id"]?.stringValue)
        XCTAssertEqual(response.json?["status"]?.stringValue, "sent")
        XCTAssertEqual(response.json?["receipts"], ["recipients": 2, "delivered": 0, "read": 0])
        for member in ["alice", "bob"] {
            let received = try groupEvents(member, "message.received", group)
            XCTAssertEqual(received.count, 1, member)
            XCTAssertEqual(received.first?["data"]?["id"]?.stringValue, id, member)
            XCTAssertEqual(received.first?["data"]?["sender"]?.stringValue, jid(1), member)
            XCTAssertEqual(received.first?["data"]?["text"]?.stringValue, "hi all", member)
            XCTAssertEqual(received.first?["session"]?.stringValue, member)
        }
        let sent = try groupEvents("owner", "message.sent", group)
        XCTAssertEqual(sent.map { $0["data"]?["id"]?.stringValue ?? "" }, [id])
        XCTAssertTrue(try groupEvents("owner", "message.received", group).isEmpty, "the sender does not receive its own message")
        XCTAssertTrue(try events("carol").isEmpty, "a non-member hears nothing")

        // Any member's message reaches the others, with its own sender.
        let reply = try sentID("bob", group, "reply")
        let replies = try groupEvents("owner", "message.received", group)
        XCTAssertEqual(replies.map { $0["data"]?["id"]?.stringValue ?? "" }, [reply])
        XCTAssertEqual(replies.first?["data"]?["sender"]?.stringValue, jid(3))
        XCTAssertEqual(try message(reply)["receipts"]?["recipients"]?.intValue, 2)
    }

    // MARK: - Receipts

    func testReceiptsAggregateAcrossRecipients() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        let id = try sentID("owner", group)

        XCTAssertEqual(try markRead("alice", id).status, 204)
        var current = try message(id)
        XCTAssertEqual(current["status"]?.stringValue, "sent")
        XCTAssertEqual(current["receipts"], ["recipients": 2, "delivered": 1, "read": 1])

        XCTAssertEqual(try markRead("alice", id).status, 204, "reading twice is harmless")
        XCTAssertEqual(try message(id)["receipts"], ["recipients": 2, "delivered": 1, "read": 1])

        XCTAssertEqual(try markRead("bob", id).status, 204)
        current = try message(id)
        XCTAssertEqual(current["status"]?.stringValue, "read")
        XCTAssertEqual(current["receipts"], ["recipients": 2, "delivered": 2, "read": 2])
        XCTAssertEqual(try markRead("bob", id).status, 204)
        XCTAssertEqual(try get("/v1/sessions/owner/messages").json?["data"]?[0]?["status"]?.stringValue, "read")

        // Per-participant receipts to the sender, each once.
        for type in ["message.delivered", "message.read"] {
            let receipts = try groupEvents("owner", type, group).filter { $0["data"]?["id"]?.stringValue == id }
            XCTAssertEqual(receipts.map { $0["data"]?["participant"]?.stringValue ?? "" }, [jid(2), jid(3)], type)
        }
        let reads = try groupEvents("owner", "message.read", group)
        XCTAssertEqual(reads.map { $0["data"]?["status"]?.stringValue ?? "" }, ["sent", "read"])
        XCTAssertTrue(try events("alice", type: "message.read").isEmpty, "receipts go to the sender only")
    }

    func testNonRecipientCannotMarkRead() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        try session("carol", 4)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        let id = try sentID("owner", group)
        assertError(try markRead("owner", id), 404, "message_not_found")
        assertError(try markRead("carol", id), 404, "message_not_found")
        assertError(try markRead("alice", "msg_doesnotexist"), 404, "message_not_found")
        // A member who joined after the send was not a recipient.
        XCTAssertEqual(results(try act("owner", group, "add", [phone(4)])), [jid(4): "added"])
        assertError(try markRead("carol", id), 404, "message_not_found")
        let current = try message(id)
        XCTAssertEqual(current["status"]?.stringValue, "sent")
        XCTAssertEqual(current["receipts"], ["recipients": 2, "delivered": 0, "read": 0])
        XCTAssertTrue(try events("owner", type: "message.read").isEmpty)
    }
}
