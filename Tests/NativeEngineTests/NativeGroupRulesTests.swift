import Foundation
import JSONCore
import TestSupport
import XCTest

/// Sessions, group creation, editing (locked groups, settings), name/description/participant limits, deletion.
final class NativeGroupRulesTests: NativeTestCase {
    // MARK: - Sessions and creation

    func testSessionPhoneMustBeUniqueAndWellFormed() throws {
        try session("alice", 1)
        assertError(try post("/v1/sessions", ["id": "alice2", "provider": "native", "phone": .string(phone(1))]), 409, "conflict")
        assertError(try post("/v1/sessions", ["id": "bad", "provider": "native", "phone": "not-a-phone"]), 400, "invalid_request")
        assertError(try get("/v1/sessions/bad"), 404, "session_not_found")
        XCTAssertEqual(try delete("/v1/sessions/alice").status, 204)
        assertError(try get("/v1/sessions/alice"), 404, "session_not_found")
    }

    func testCreatorIsSuperadminAndOthersAreMembers() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let response = try post(
            "/v1/sessions/owner/groups", ["name": "Team", "description": "Our team", "participants": [.string(phone(2)), .string(phone(3))]])
        XCTAssertEqual(response.status, 201, response.text)
        let created = try XCTUnwrap(response.json)
        let id = try XCTUnwrap(created["id"]?.stringValue)
        XCTAssertTrue(id.hasSuffix("@g.us"), id)
        XCTAssertEqual(created["name"]?.stringValue, "Team")
        XCTAssertEqual(created["description"]?.stringValue, "Our team")
        XCTAssertEqual(created["owner"]?.stringValue, jid(1))
        XCTAssertEqual(created["participantCount"]?.intValue, 3)
        let participants = created["participants"]?.arrayValue ?? []
        XCTAssertEqual(participants.map { $0["id"]?.stringValue ?? "" }, [jid(1), jid(2), jid(3)])
        XCTAssertEqual(participants.map { $0["phone"]?.stringValue ?? "" }, [phone(1), phone(2), phone(3)])
        XCTAssertEqual(participants.map { $0["role"]?.stringValue ?? "" }, ["superadmin", "member", "member"])

        // Every member sees the same roles.
        XCTAssertEqual(try roles("alice", id), [jid(1): "superadmin", jid(2): "member", jid(3): "member"])
        XCTAssertEqual(try groupInfo("bob", id)["participantCount"]?.intValue, 3)

        // Lists carry the count but not the participants; ?name= matches case-insensitively.
        let list = try get("/v1/sessions/bob/groups?name=team").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(list.map { $0["id"]?.stringValue ?? "" }, [id])
        XCTAssertEqual(list.first?["participantCount"]?.intValue, 3)
        XCTAssertNil(list.first?["participants"])
        XCTAssertEqual(try get("/v1/sessions/bob/groups?name=Other").json?["data"]?.arrayValue?.count, 0)
    }

    func testCreatingWithNonNativeParticipantIsRefusedWithNotFoundList() throws {
        try session("owner", 1)
        try session("alice", 2)
        let response = try post("/v1/sessions/owner/groups", ["name": "Team", "participants": [.string(phone(2)), .string(phone(9))]])
        assertError(response, 400, "invalid_request")
        XCTAssertEqual(response.json?["error"]?["details"]?["notFound"], [.string(phone(9))])
        XCTAssertEqual(try get("/v1/sessions/owner/groups").json?["data"]?.arrayValue?.count, 0)
    }

    // MARK: - Locked groups and settings

    func testNonAdminCannotRenameOrDescribeLockedGroup() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)], settings: ["locked": true])
        assertError(try patch(groupPath("alice", group), ["name": "Alice's"]), 403, "not_group_admin")
        assertError(try patch(groupPath("alice", group), ["description": "by alice"]), 403, "not_group_admin")
        assertError(try patch(groupPath("alice", group), ["description": nil]), 403, "not_group_admin")
        let info = try groupInfo("owner", group)
        XCTAssertEqual(info["name"]?.stringValue, "Team")
        XCTAssertEqual(info["description"], .null)
    }

    func testAdminCanRenameLockedGroup() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)], settings: ["locked": true])
        let renamed = try patch(groupPath("owner", group), ["name": "Renamed", "description": "Set by owner"])
        XCTAssertEqual(renamed.status, 200, renamed.text)
        XCTAssertEqual(renamed.json?["name"]?.stringValue, "Renamed")
        // A promoted admin (not the creator) may edit too.
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(try patch(groupPath("alice", group), ["description": "Set by alice"]).status, 200)
        let info = try groupInfo("owner", group)
        XCTAssertEqual(info["name"]?.stringValue, "Renamed")
        XCTAssertEqual(info["description"]?.stringValue, "Set by alice")
        XCTAssertEqual(info["settings"]?["locked"]?.boolValue, true)
    }

    func testAnyMemberCanEditUnlockedGroup() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        let response = try patch(groupPath("alice", group), ["name": "Alice's", "description": "By alice"])
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(try groupInfo("owner", group)["name"]?.stringValue, "Alice's")
        XCTAssertEqual(try groupInfo("owner", group)["description"]?.stringValue, "By alice")
        // null clears the description.
        XCTAssertEqual(try patch(groupPath("alice", group), ["description": nil]).status, 200)
        XCTAssertEqual(try groupInfo("owner", group)["description"], .null)
    }

    func testSettingsChangesAreAdminOnly() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        let attempts: [JSON] = [["announce": true], ["locked": true], ["approvalRequired": true], ["memberAddMode": "admins"]]
        for settings in attempts {
            assertError(try patch(groupPath("alice", group), ["settings": settings]), 403, "not_group_admin")
        }
        // A rename bundled with a settings change is refused as a whole.
        assertError(try patch(groupPath("alice", group), ["name": "Sneaky", "settings": ["announce": true]]), 403, "not_group_admin")
        var info = try groupInfo("owner", group)
        XCTAssertEqual(info["name"]?.stringValue, "Team")
        XCTAssertEqual(info["settings"], ["announce": false, "locked": false, "approvalRequired": false, "memberAddMode": "all"])

        let response = try patch(groupPath("owner", group), ["settings": ["announce": true, "memberAddMode": "admins"]])
        XCTAssertEqual(response.status, 200, response.text)
        info = try groupInfo("alice", group)
        XCTAssertEqual(info["settings"], ["announce": true, "locked": false, "approvalRequired": false, "memberAddMode": "admins"])
    }

    // MARK: - Limits

    func testGroupNameMustBeOneToHundredCharacters() throws {
        try session("owner", 1)
        let long = String(repeating: "n", count: 100)
        assertError(try post("/v1/sessions/owner/groups", ["name": .string(long + "x"), "participants": []]), 400, "invalid_request")
        assertError(try post("/v1/sessions/owner/groups", ["name": "", "participants": []]), 400, "invalid_request")
        let created = try post("/v1/sessions/owner/groups", ["name": .string(long), "participants": []])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json?["name"]?.stringValue, long)
        let group = try XCTUnwrap(created.json?["id"]?.stringValue)

        assertError(try patch(groupPath("owner", group), ["name": .string(long + "y")]), 400, "invalid_request")
        assertError(try patch(groupPath("owner", group), ["name": ""]), 400, "invalid_request")
        let other = String(repeating: "m", count: 100)
        XCTAssertEqual(try patch(groupPath("owner", group), ["name": .string(other)]).status, 200)
        XCTAssertEqual(try groupInfo("owner", group)["name"]?.stringValue, other)
    }

    func testDescriptionIsAtMost2048Characters() throws {
        try session("owner", 1)
        let limit = String(repeating: "d", count: 2048)
        let tooLong: JSON = ["name": "Team", "description": .string(limit + "x"), "participants": []]
        assertError(try post("/v1/sessions/owner/groups", tooLong), 400, "invalid_request")
        let created = try post("/v1/sessions/owner/groups", ["name": "Team", "description": .string(limit), "participants": []])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json?["description"]?.stringValue, limit)
        let group = try XCTUnwrap(created.json?["id"]?.stringValue)

        assertError(try patch(groupPath("owner", group), ["description": .string(limit + "z")]), 400, "invalid_request")
        let other = String(repeating: "e", count: 2048)
        XCTAssertEqual(try patch(groupPath("owner", group), ["description": .string(other)]).status, 200)
        XCTAssertEqual(try groupInfo("owner", group)["description"]?.stringValue, other)
    }

    func testParticipantListsAreCappedAt1024Entries() throws {
        try session("owner", 1)
        let phones = (0..<1025).map { JSON.string(phone(1000 + $0)) }
        assertError(try post("/v1/sessions/owner/groups", ["name": "Big", "participants": .array(phones)]), 400, "invalid_request")
        let group = try self.group("owner", members: [])
        assertError(try post(groupPath("owner", group, "/participants/add"), ["participants": .array(phones)]), 400, "invalid_request")
        // 1024 entries is a valid request: every unknown phone gets its own result.
        let response = try post(groupPath("owner", group, "/participants/add"), ["participants": .array(Array(phones.prefix(1024)))])
        let statuses = results(response)
        XCTAssertEqual(statuses.count, 1024)
        XCTAssertEqual(Set(statuses.values), ["not_found"])
        XCTAssertEqual(try groupInfo("owner", group)["participantCount"]?.intValue, 1)
    }

    // MARK: - Deleting

    func testOnlySuperadminDeletesGroup() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        assertError(try delete(groupPath("alice", group)), 403, "not_group_admin")
        assertError(try delete(groupPath("bob", group)), 403, "not_group_admin")
        XCTAssertEqual(try groupInfo("bob", group)["participantCount"]?.intValue, 3)
        XCTAssertTrue(try groupEvents("alice", "group.left", group).isEmpty)
    }

    func testDeletedGroupIsGoneForEveryMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(try groupInfo("alice", group)["participantCount"]?.intValue, 3)  // warm any cache
        XCTAssertEqual(try delete(groupPath("owner", group)).status, 204)
        for member in ["owner", "alice", "bob"] {
            assertError(try get(groupPath(member, group)), 404, "group_not_found")
            XCTAssertEqual(try get("/v1/sessions/\(member)/groups").json?["data"]?.arrayValue?.count, 0, member)
        }
        for member in ["alice", "bob"] {
            let left = try groupEvents(member, "group.left", group)
            XCTAssertEqual(left.count, 1, member)
            XCTAssertEqual(left.first?["data"]?["reason"]?.stringValue, "deleted", member)
        }
        assertError(try sendText("alice", group), 404, "group_not_found")
    }
}
