import Foundation
import JSONCore
import TestSupport
import XCTest

/// Participant actions: per-participant results, who may add, admin-only actions, the superadmin and
/// last-admin protections, and succession when the last admin leaves.
final class NativeParticipantTests: NativeTestCase {
    func testAddReportsEveryParticipantInOneCall() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2)])
        let response = try act("owner", group, "add", [phone(3), phone(2), phone(9), "not-a-phone"])
        XCTAssertEqual(response.status, 200, response.text)
        let items = response.json?["results"]?.arrayValue ?? []
        XCTAssertEqual(items.map { $0["id"]?.stringValue ?? "" }, [jid(3), jid(2), jid(9), "not-a-phone"])
        XCTAssertEqual(items.map { $0["status"]?.stringValue ?? "" }, ["added", "already_member", "not_found", "invalid_id"])
        XCTAssertEqual(try roles("bob", group), [jid(1): "superadmin", jid(2): "member", jid(3): "member"])
        XCTAssertEqual(try groupInfo("owner", group)["participantCount"]?.intValue, 3)
    }

    func testActionsOnNonMembersReportNotMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2)])
        XCTAssertEqual(results(try act("owner", group, "remove", [phone(3)])), [jid(3): "not_member"])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(3)])), [jid(3): "not_member"])
        XCTAssertEqual(results(try act("owner", group, "demote", [phone(3)])), [jid(3): "not_member"])
        XCTAssertEqual(results(try act("owner", group, "remove", [phone(2), phone(3)])), [jid(2): "removed", jid(3): "not_member"])
        XCTAssertEqual(try roles("owner", group), [jid(1): "superadmin"])
    }

    // MARK: - Who may add

    func testNonAdminCannotAddWhenOnlyAdminsAdd() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2)], settings: ["memberAddMode": "admins"])
        assertError(try act("alice", group, "add", [phone(3)]), 403, "not_group_admin")
        XCTAssertNil(try roles("owner", group)[jid(3)])
        XCTAssertEqual(results(try act("owner", group, "add", [phone(3)])), [jid(3): "added"])
    }

    func testMembersCanAddWhenEveryoneAdds() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        try session("carol", 4)
        let group = try self.group("owner", members: [phone(2)], settings: ["memberAddMode": "all"])
        XCTAssertEqual(results(try act("alice", group, "add", [phone(3)])), [jid(3): "added"])
        // Switching to admins-only takes effect at once.
        XCTAssertEqual(try patch(groupPath("owner", group), ["settings": ["memberAddMode": "admins"]]).status, 200)
        assertError(try act("bob", group, "add", [phone(4)]), 403, "not_group_admin")
        XCTAssertEqual(try roles("alice", group), [jid(1): "superadmin", jid(2): "member", jid(3): "member"])
    }

    // MARK: - Admin-only actions

    func testMembersCannotPromoteDemoteOrRemove() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        assertError(try act("alice", group, "promote", [phone(3)]), 403, "not_group_admin")
        assertError(try act("alice", group, "promote", [phone(2)]), 403, "not_group_admin")
        assertError(try act("alice", group, "demote", [phone(1)]), 403, "not_group_admin")
        assertError(try act("alice", group, "remove", [phone(3)]), 403, "not_group_admin")
        XCTAssertEqual(try roles("owner", group), [jid(1): "superadmin", jid(2): "member", jid(3): "member"])
    }

    func testAdminPromotesAndDemotesMembers() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        // A promoted admin can use admin actions.
        XCTAssertEqual(results(try act("alice", group, "promote", [phone(3)])), [jid(3): "promoted"])
        XCTAssertEqual(try roles("bob", group), [jid(1): "superadmin", jid(2): "admin", jid(3): "admin"])
        XCTAssertEqual(results(try act("alice", group, "demote", [phone(3)])), [jid(3): "demoted"])
        XCTAssertEqual(try roles("bob", group)[jid(3)], "member")
    }

    // MARK: - Protections

    func testNobodyRemovesOrDemotesTheSuperadmin() throws {
        try session("owner", 1)
        try session("alice", 2)
        let group = try self.group("owner", members: [phone(2)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(results(try act("alice", group, "remove", [phone(1)])), [jid(1): "forbidden"])
        XCTAssertEqual(results(try act("alice", group, "demote", [phone(1)])), [jid(1): "forbidden"])
        XCTAssertEqual(results(try act("owner", group, "demote", [phone(1)])), [jid(1): "forbidden"])
        XCTAssertEqual(try roles("alice", group), [jid(1): "superadmin", jid(2): "admin"])
    }

    func testRemovingYourselfIsForbidden() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(results(try act("alice", group, "remove", [phone(2)])), [jid(2): "forbidden"])
        XCTAssertEqual(results(try act("owner", group, "remove", [phone(1)])), [jid(1): "forbidden"])
        // One call: yourself forbidden, another member removed.
        XCTAssertEqual(results(try act("alice", group, "remove", [phone(2), phone(3)])), [jid(2): "forbidden", jid(3): "removed"])
        XCTAssertEqual(try roles("owner", group), [jid(1): "superadmin", jid(2): "admin"])
    }

    func testDemotingTheLastAdminIsForbidden() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(try post(groupPath("owner", group, "/leave")).status, 204)
        // Alice is now the only admin.
        XCTAssertEqual(try roles("alice", group), [jid(2): "admin", jid(3): "member"])
        XCTAssertEqual(results(try act("alice", group, "demote", [phone(2)])), [jid(2): "forbidden"])
        XCTAssertEqual(try roles("bob", group), [jid(2): "admin", jid(3): "member"])
        // With a second admin, demoting is allowed again.
        XCTAssertEqual(results(try act("alice", group, "promote", [phone(3)])), [jid(3): "promoted"])
        XCTAssertEqual(results(try act("alice", group, "demote", [phone(2)])), [jid(2): "demoted"])
        XCTAssertEqual(try roles("bob", group), [jid(2): "member", jid(3): "admin"])
        // Bob is the last admin again.
        XCTAssertEqual(results(try act("bob", group, "demote", [phone(3)])), [jid(3): "forbidden"])
    }

    // MARK: - Leaving

    func testLastAdminLeavingPromotesLongestStandingMember() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(try post(groupPath("owner", group, "/leave")).status, 204)
        XCTAssertEqual(try roles("alice", group), [jid(2): "admin", jid(3): "member"])
        XCTAssertEqual(try groupInfo("bob", group)["participantCount"]?.intValue, 2)
        assertError(try get(groupPath("owner", group)), 404, "group_not_found")
        // The new admin can act as one.
        XCTAssertEqual(try get(groupPath("alice", group, "/invite")).status, 200)
        let promoted = try groupEvents("bob", "group.participants.promoted", group)
        XCTAssertEqual(promoted.map(participantIDs), [[jid(2)]])
    }

    func testSuccessionFollowsJoiningOrderNotPhoneOrder() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        try session("carol", 4)
        // Bob joins first (at creation), then Carol, then Alice (added later).
        let group = try self.group("owner", members: [phone(3), phone(4)])
        XCTAssertEqual(results(try act("owner", group, "add", [phone(2)])), [jid(2): "added"])
        XCTAssertEqual(try post(groupPath("owner", group, "/leave")).status, 204)
        XCTAssertEqual(try roles("alice", group), [jid(2): "member", jid(3): "admin", jid(4): "member"])
    }

    func testNonLastAdminLeavingPromotesNobody() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(3)])), [jid(3): "promoted"])
        XCTAssertEqual(try post(groupPath("owner", group, "/leave")).status, 204)
        // Bob was already an admin: Alice, although longest-standing, stays a member.
        XCTAssertEqual(try roles("alice", group), [jid(2): "member", jid(3): "admin"])
        XCTAssertEqual(try groupEvents("alice", "group.participants.promoted", group).map(participantIDs), [[jid(3)]])
    }

    func testAdminLeavingWhileSuperadminStaysPromotesNobody() throws {
        try session("owner", 1)
        try session("alice", 2)
        try session("bob", 3)
        let group = try self.group("owner", members: [phone(2), phone(3)])
        XCTAssertEqual(results(try act("owner", group, "promote", [phone(2)])), [jid(2): "promoted"])
        XCTAssertEqual(try post(groupPath("alice", group, "/leave")).status, 204)
        XCTAssertEqual(try roles("owner", group), [jid(1): "superadmin", jid(3): "member"])
        // Leaving a group you are not in is refused.
        assertError(try post(groupPath("alice", group, "/leave")), 404, "group_not_found")
    }
}
