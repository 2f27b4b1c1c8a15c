import Foundation
import GroupModel
import JSONCore
import XCTest

/// The canonical JSON shapes: every documented key is present, with `null` for what is not known.
final class ResourceJSONTests: XCTestCase {
    private let asOf = Date(timeIntervalSince1970: 1_795_255_200)  // 2026-11-21T10:00:00Z

    func testGroupWithUnknownValuesRendersNulls() throws {
        let json = Group(id: "120363000000000001@g.us", provider: "mock", asOf: asOf).json
        let object = try XCTUnwrap(json.objectValue)
        XCTAssertEqual(
            Set(object.keys),
            ["id", "name", "description", "owner", "createdAt", "participantCount", "settings", "inviteLink", "provider", "asOf"])
        for key in ["name", "description", "owner", "createdAt", "participantCount", "inviteLink"] {
            XCTAssertEqual(object[key], .null, key)
        }
        XCTAssertEqual(object["settings"], ["announce": nil, "locked": nil, "approvalRequired": nil, "memberAddMode": nil])
        XCTAssertEqual(object["asOf"], "2026-11-21T10:00:00.000Z")
        XCTAssertEqual(object["provider"], "mock")
        XCTAssertNil(object["participants"], "lists omit participants rather than claiming none")
    }

    func testGroupWithParticipantsCountsThem() throws {
        let members = [
            Participant(user: UserID.phone(digits: "15550000001"), role: .superadmin),
            Participant(user: UserID.lid("4455667788"), role: .member),
        ]
        let group = Group(
            id: "g1", name: "Ops", createdAt: asOf, participants: members,
            settings: GroupSettings(announce: false, locked: true, approvalRequired: false, memberAddMode: .all),
            inviteLink: "https://chat.whatsapp.com/Xyz987", provider: "mock", asOf: asOf)
        XCTAssertEqual(group.participantCount, 2)
        let json = group.json
        XCTAssertEqual(json["participantCount"], 2)
        XCTAssertEqual(json["createdAt"], "2026-11-21T10:00:00.000Z")
        XCTAssertEqual(
            json["participants"],
            [
                ["id": "15550000001@s.whatsapp.net", "phone": "+15550000001", "role": "superadmin"],
                ["id": "4455667788@lid", "phone": nil, "role": "member"],
            ])
        XCTAssertEqual(json["settings"], ["announce": false, "locked": true, "approvalRequired": false, "memberAddMode": "all"])
    }

    func testExplicitParticipantCountWinsWithoutMembers() {
        XCTAssertEqual(Group(id: "g", participantCount: 40, provider: "p", asOf: asOf).json["participantCount"], 40)
    }

    func testMessageWithUnknownValuesRendersNulls() throws {
        let message = Message(
            id: "msg_1", session: "alice", group: "g1", type: .text, text: "hi", status: .queued, createdAt: asOf,
            updatedAt: asOf.addingTimeInterval(1.5))
        let object = try XCTUnwrap(message.json.objectValue)
        XCTAssertEqual(
            Set(object.keys),
            [
                "id", "session", "group", "type", "text", "media", "caption", "mentions", "status", "providerMessageId", "error",
                "receipts", "createdAt", "updatedAt",
            ])
        for key in ["media", "caption", "providerMessageId", "error", "receipts"] {
            XCTAssertEqual(object[key], .null, key)
        }
        XCTAssertEqual(object["mentions"], [])
        XCTAssertEqual(object["status"], "queued")
        XCTAssertEqual(object["type"], "text")
        XCTAssertEqual(object["updatedAt"], "2026-11-21T10:00:01.500Z")
    }

    func testFailedMessageRendersErrorMediaAndReceipts() {
        let message = Message(
            id: "msg_2", session: "alice", group: "g1", type: .image, media: MediaRef(url: "https://example.com/a.jpg"),
            caption: "c", mentions: ["15550000001@s.whatsapp.net"], status: .failed, providerMessageId: "ABC",
            error: .providerRejected("Rejected."), receipts: Receipts(recipients: 3, delivered: 2, read: 1), createdAt: asOf,
            updatedAt: asOf)
        let json = message.json
        XCTAssertEqual(json["media"], ["url": "https://example.com/a.jpg", "mimeType": nil, "filename": nil])
        XCTAssertEqual(json["error"], GatewayError.providerRejected("Rejected.").json)
        XCTAssertEqual(json["error"]?["code"], "provider_rejected")
        XCTAssertEqual(json["receipts"], ["recipients": 3, "delivered": 2, "read": 1])
        XCTAssertEqual(json["mentions"], ["15550000001@s.whatsapp.net"])
        XCTAssertEqual(json["providerMessageId"], "ABC")
    }

    func testJoinRequestAndParticipantResultShapes() {
        XCTAssertEqual(
            JoinRequest(requester: "4455667788@lid", phone: nil, requestedAt: nil).json,
            ["requester": "4455667788@lid", "phone": nil, "requestedAt": nil])
        XCTAssertEqual(
            ParticipantResult.json([ParticipantResult(id: "a", status: .alreadyMember), ParticipantResult(id: "b", status: .invalidId)]),
            ["results": [["id": "a", "status": "already_member"], ["id": "b", "status": "invalid_id"]]])
    }

    func testEventJSONRendersMissingGroupAsNull() throws {
        let event = GatewayEvent(
            id: "evt_1", type: .sessionStatus, occurredAt: asOf, receivedAt: asOf.addingTimeInterval(0.25), session: "alice",
            provider: "mock", group: nil, data: ["status": "ready"])
        let json = event.json
        XCTAssertEqual(json["group"], .null)
        XCTAssertEqual(json["type"], "session.status")
        XCTAssertEqual(json["receivedAt"], "2026-11-21T10:00:00.250Z")
        XCTAssertEqual(json["data"], ["status": "ready"])
    }

    func testResourcesSurviveTextRoundTrip() throws {
        let group = Group(id: "g1", name: "Ops \"quoted\"\n", provider: "mock", asOf: asOf).json
        XCTAssertEqual(try JSONParser.parse(group.text), group)
    }

    func testParticipantRoleAdminFlag() {
        XCTAssertEqual(ParticipantRole.allCases.filter(\.isAdmin), [.superadmin, .admin])
    }
}
