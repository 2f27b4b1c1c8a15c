import Foundation
import JSONCore
import TestSupport
import XCTest

/// Invite codes and links, joining, and join requests in approval-required groups.
final class NativeInviteTests: NativeTestCase {
    func testAdminGetsInviteCodeAndLink() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        let response = try get(groupPath("owner", group, "/invite"))
        XCTAssertEqual(response.status, 200, response.text)
        let code = try XCTUnwrap(response.json?["code"]?.stringValue)
        XCTAssertFalse(code.isEmpty)
        XCTAssertEqual(response.json?["link"]?.stringValue, "https://chat.whatsapp.com/" + code)
        XCTAssertEqual(try inviteCode("owner", group), code, "asking again gives the same code")
        XCTAssertEqual(try groupInfo("owner", group)["inviteLink"]?.stringValue, "https://chat.whatsapp.com/" + code)
        XCTAssertEqual(try groupInfo("alice", group)["inviteLink"], .null, "members do not see the link")
    }

    func testMembersCannotSeeOrRevokeInvite() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        let code = try inviteCode("owner", group)
        assertError(try get(groupPath("alice", group, "/invite")), 403, "not_group_admin")
        assertError(try post(groupPath("alice", group, "/invite/revoke")), 403, "not_group_admin")
        XCTAssertEqual(try inviteCode("owner", group), code)
    }

    func testRevokedInviteCodeStopsWorking() throws {
        try session("owner", 1)
        try session("bob", 2)
        let group = try self.group("owner", members: [])
        let old = try inviteCode("owner", group)
        let revoked = try post(groupPath("owner", group, "/invite/revoke"))
        XCTAssertEqual(revoked.status, 200, revoked.text)
        let new = try XCTUnwrap(revoked.json?["code"]?.stringValue)
        XCTAssertNotEqual(new, old)
        XCTAssertEqual(revoked.json?["link"]?.stringValue, "https://chat.whatsapp.com/" + new)
        XCTAssertEqual(try inviteCode("owner", group), new)
        XCTAssertEqual(try groupInfo("owner", group)["inviteLink"]?.stringValue, "https://chat.whatsapp.com/" + new)

        assertError(try join("bob", old), 404, "group_not_found")
        assertError(try join("bob", "https://chat.whatsapp.com/" + old), 404, "group_not_found")
        XCTAssertEqual(try get("/v1/sessions/bob/groups").json?["data"]?.arrayValue?.count, 0)
        let joined = try join("bob", new)
        XCTAssertEqual(joined.status, 200, joined.text)
        XCTAssertEqual(joined.json?["status"]?.stringValue, "added")
    }

    func testJoiningByFullLinkAddsMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("carol", 3)
        let group = try self.group("owner", members: [phone(2)])
        let link = try XCTUnwrap(try get(groupPath("owner", group, "/invite")).json?["link"]?.stringValue)
        let response = try join("carol", link)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.json?["group"]?.stringValue, group)
        XCTAssertEqual(response.json?["status"]?.stringValue, "added")
        XCTAssertEqual(try roles("carol", group), [jid(1): "superadmin", jid(2): "member", jid(3): "member"])
        XCTAssertEqual(try groupEvents("carol", "group.joined", group).count, 1)
        XCTAssertEqual(try groupEvents("alice", "group.participants.joined", group).map(participantIDs), [[jid(3)]])
    }

    func testJoiningWhenAlreadyMemberReportsAlreadyMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        let code = try inviteCode("owner", group)
        for member in ["alice", "owner"] {
            let response = try join(member, code)
            XCTAssertEqual(response.status, 200, response.text)
            XCTAssertEqual(response.json?["status"]?.stringValue, "already_member", member)
            XCTAssertEqual(response.json?["group"]?.stringValue, group)
        }
        XCTAssertEqual(try groupInfo("owner", group)["participantCount"]?.intValue, 2)
        XCTAssertEqual(try roles("owner", group)[jid(1)], "superadmin")
    }

    func testUnknownOrMalformedInviteCodeIsRefused() throws {
        try session("bob", 1)
        assertError(try join("bob", "AbCdEfGhIjKlMnOpQrStUv"), 404, "group_not_found")
        assertError(try join("bob", "not a code!"), 400, "invalid_request")
    }

    // MARK: - Join requests

    /// Owner with Alice (member) and an approval-required group; Carol (and Dave) ask to join.
    private func approvalGroup() throws -> String {
        try session("owner", 1)
        try session("alice", 2)
        try session("carol", 3)
        try session("dave", 4)
        return try self.group("owner", members: [phone(2)], settings: ["approvalRequired": true])
    }

    func testJoiningApprovalGroupMakesPendingRequest() throws {
        let group = try approvalGroup()
        let code = try inviteCode("owner", group)
        let response = try join("carol", code)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(response.json?["group"]?.stringValue, group)
        assertError(try get(groupPath("carol", group)), 404, "group_not_found")
        assertError(try sendText("carol", group), 404, "group_not_found")

        let requests = try get(groupPath("owner", group, "/join-requests"))
        XCTAssertEqual(requests.status, 200, requests.text)
        let data = requests.json?["data"]?.arrayValue ?? []
        XCTAssertEqual(data.map { $0["requester"]?.stringValue ?? "" }, [jid(3)])
        XCTAssertEqual(data.first?["phone"]?.stringValue, phone(3))
        XCTAssertNotNil(data.first?["requestedAt"]?.stringValue)

        let created = try groupEvents("owner", "group.join_request.created", group)
        XCTAssertEqual(created.map { $0["data"]?["requester"]?.stringValue ?? "" }, [jid(3)])
        XCTAssertTrue(try groupEvents("alice", "group.join_request.created", group).isEmpty, "plain members are not told")
        // Every admin is told, the promoted one included.
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(try join("dave", code).json?["status"]?.stringValue, "pending_approval")
        for admin in ["owner", "alice"] {
            let requesters = try groupEvents(admin, "group.join_request.created", group).map { $0["data"]?["requester"]?.stringValue ?? "" }
            XCTAssertEqual(requesters.last, jid(4), admin)
        }

        // Asking again keeps one request each.
        XCTAssertEqual(try join("carol", code).json?["status"]?.stringValue, "pending_approval")
        let pending = try get(groupPath("alice", group, "/join-requests")).json?["data"]?.arrayValue ?? []
        XCTAssertEqual(pending.map { $0["requester"]?.stringValue ?? "" }, [jid(3), jid(4)])
        XCTAssertEqual(try groupInfo("owner", group)["participantCount"]?.intValue, 2)
    }

    func testApprovingJoinRequestAddsMember() throws {
        let group = try approvalGroup()
        XCTAssertEqual(try join("carol", try inviteCode("owner", group)).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(results(try decide("owner", group, "approve", [phone(3)])), [jid(3): "added"])
        XCTAssertEqual(try roles("carol", group), [jid(1): "superadmin", jid(2): "member", jid(3): "member"])
        let joined = try groupEvents("carol", "group.joined", group)
        XCTAssertEqual(joined.count, 1)
        XCTAssertEqual(joined.first?["data"]?["group"]?["id"]?.stringValue, group)
        XCTAssertEqual(try groupEvents("alice", "group.participants.joined", group).map(participantIDs), [[jid(3)]])
        XCTAssertEqual(try get(groupPath("owner", group, "/join-requests")).json?["data"]?.arrayValue?.count, 0)
        XCTAssertEqual(results(try decide("owner", group, "approve", [phone(3)])), [jid(3): "not_found"])
        XCTAssertEqual(try sendText("carol", group).status, 201)
    }

    func testRejectingJoinRequestRemovesIt() throws {
        let group = try approvalGroup()
        XCTAssertEqual(try join("carol", try inviteCode("owner", group)).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(results(try decide("owner", group, "reject", [phone(3)])), [jid(3): "removed"])
        XCTAssertEqual(try get(groupPath("owner", group, "/join-requests")).json?["data"]?.arrayValue?.count, 0)
        assertError(try get(groupPath("carol", group)), 404, "group_not_found")
        XCTAssertEqual(try get("/v1/sessions/carol/groups").json?["data"]?.arrayValue?.count, 0)
        XCTAssertEqual(results(try decide("owner", group, "approve", [phone(3)])), [jid(3): "not_found"])
        XCTAssertNil(try roles("owner", group)[jid(3)])
        XCTAssertTrue(try groupEvents("carol", "group.joined", group).isEmpty)
    }

    func testJoinRequestsAreAdminOnly() throws {
        let group = try approvalGroup()
        XCTAssertEqual(try join("carol", try inviteCode("owner", group)).json?["status"]?.stringValue, "pending_approval")
        assertError(try get(groupPath("alice", group, "/join-requests")), 403, "not_group_admin")
        assertError(try decide("alice", group, "approve", [phone(3)]), 403, "not_group_admin")
        assertError(try decide("alice", group, "reject", [phone(3)]), 403, "not_group_admin")
        XCTAssertEqual(try get(groupPath("owner", group, "/join-requests")).json?["data"]?.arrayValue?.count, 1)
        XCTAssertNil(try roles("owner", group)[jid(3)])
    }

    func testApprovingSeveralRequestsInOneCall() throws {
        let group = try approvalGroup()
        let code = try inviteCode("owner", group)
        XCTAssertEqual(try join("carol", code).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(try join("dave", code).json?["status"]?.stringValue, "pending_approval")
        let response = try decide("owner", group, "approve", [phone(3), phone(4), phone(9), "not-a-phone"])
        XCTAssertEqual(response.status, 200, response.text)
        let items = response.json?["results"]?.arrayValue ?? []
        XCTAssertEqual(items.map { $0["status"]?.stringValue ?? "" }, ["added", "added", "not_found", "invalid_id"])
        XCTAssertEqual(try groupInfo("dave", group)["participantCount"]?.intValue, 4)

        // The owner is told of each new member by a distinct event.
        let joined = try groupEvents("owner", "group.participants.joined", group)
        XCTAssertEqual(joined.map(participantIDs), [[jid(3)], [jid(4)]])
        let ids = joined.compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(Set(ids).count, 2, "event ids must be unique: \(ids)")
        let approved = try groupEvents("owner", "group.join_request.approved", group)
        XCTAssertEqual(approved.map { $0["data"]?["requester"]?.stringValue ?? "" }, [jid(3), jid(4)])
        let approvedIDs = approved.compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(Set(approvedIDs).count, 2, "event ids must be unique: \(approvedIDs)")
    }

    func testRejectingSeveralRequestsInOneCall() throws {
        let group = try approvalGroup()
        let code = try inviteCode("owner", group)
        XCTAssertEqual(try join("carol", code).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(try join("dave", code).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(results(try decide("owner", group, "reject", [phone(3), phone(4)])), [jid(3): "removed", jid(4): "removed"])
        XCTAssertEqual(try get(groupPath("owner", group, "/join-requests")).json?["data"]?.arrayValue?.count, 0)
        let rejected = try groupEvents("owner", "group.join_request.rejected", group)
        XCTAssertEqual(rejected.map { $0["data"]?["requester"]?.stringValue ?? "" }, [jid(3), jid(4)])
        let ids = rejected.compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(Set(ids).count, 2, "event ids must be unique: \(ids)")
    }

    func testRejectingRequestsOfRemovedSessionsTellsAdminOfEach() throws {
        let group = try approvalGroup()
        let code = try inviteCode("owner", group)
        XCTAssertEqual(try join("carol", code).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(try join("dave", code).json?["status"]?.stringValue, "pending_approval")
        XCTAssertEqual(try delete("/v1/sessions/carol").status, 204)
        XCTAssertEqual(try delete("/v1/sessions/dave").status, 204)
        XCTAssertEqual(results(try decide("owner", group, "reject", [phone(3), phone(4)])), [jid(3): "removed", jid(4): "removed"])
        let rejected = try groupEvents("owner", "group.join_request.rejected", group)
        XCTAssertEqual(rejected.map { $0["data"]?["requester"]?.stringValue ?? "" }, [jid(3), jid(4)])
    }
}
