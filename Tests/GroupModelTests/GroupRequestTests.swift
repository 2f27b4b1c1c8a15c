import GroupModel
import JSONCore
import XCTest

/// Decoding of group requests: create, patch, participants, join, and invite codes.
final class GroupRequestTests: XCTestCase {
    private func json(_ text: String) throws -> JSON { try JSONParser.parse(text) }

    /// The refusal of decoding `text` with `decode`, checked to be an `invalid_request`.
    private func refusal<T>(_ text: String, _ decode: (JSON) throws -> T, file: StaticString = #filePath, line: UInt = #line) -> GatewayError? {
        do {
            let value = try decode(try JSONParser.parse(text))
            XCTFail("expected a refusal, got \(value)", file: file, line: line)
        } catch let error as GatewayError {
            XCTAssertEqual(error.code, "invalid_request", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: - CreateGroupRequest

    func testCreateGroupDecodesAndNormalizesParticipants() throws {
        let request = try CreateGroupRequest(json: json(#"""
            {"name":"Ops","description":"On call","participants":["+1 (555) 000-0001","15550000002@c.us"],
             "settings":{"announce":true,"memberAddMode":"admins"}}
            """#))
        XCTAssertEqual(request.name, "Ops")
        XCTAssertEqual(request.description, "On call")
        XCTAssertEqual(request.participants.map(\.jid), ["15550000001@s.whatsapp.net", "15550000002@s.whatsapp.net"])
        XCTAssertEqual(request.settings, GroupSettings(announce: true, memberAddMode: .admins))
    }

    func testCreateGroupWithOnlyNameHasDefaults() throws {
        let request = try CreateGroupRequest(json: json(#"{"name":"Solo"}"#))
        XCTAssertEqual(request.participants, [])
        XCTAssertEqual(request.settings, GroupSettings())
        XCTAssertNil(request.description)
    }

    func testCreateGroupRefusals() {
        let cases: [(body: String, field: String)] = [
            (#"{}"#, "name"),
            (#"{"name":""}"#, "name"),
            (#"{"name":7}"#, "name"),
            ("{\"name\":\"\(String(repeating: "n", count: 101))\"}", "name"),
            (#"{"name":"x","nmae":"y"}"#, "nmae"),
            (#"{"name":"x","participants":"+15550000001"}"#, "participants"),
            (#"{"name":"x","participants":[15550000001]}"#, "participants[0]"),
            (#"{"name":"x","participants":["+15550000001","not-a-phone"]}"#, "participants[1]"),
            ("{\"name\":\"x\",\"description\":\"\(String(repeating: "d", count: 2049))\"}", "description"),
            (#"{"name":"x","settings":{"announce":"yes"}}"#, "settings.announce"),
            (#"{"name":"x","settings":{"pinned":true}}"#, "settings.pinned"),
            (#"{"name":"x","settings":{"memberAddMode":"everyone"}}"#, "settings.memberAddMode"),
            (#"{"name":"x","settings":[]}"#, "settings"),
        ]
        for (body, field) in cases {
            let error = refusal(body, CreateGroupRequest.init(json:))
            XCTAssertEqual(error?.details?["field"], .string(field), body)
        }
        XCTAssertNotNil(refusal("[]", CreateGroupRequest.init(json:)))
    }

    func testCreateGroupNameMayBeExactlyOneHundredCharacters() throws {
        let name = String(repeating: "👋", count: 100)
        XCTAssertEqual(try CreateGroupRequest(json: ["name": .string(name)]).name, name)
    }

    // MARK: - GroupPatch

    func testPatchNameOnly() throws {
        let patch = try GroupPatch(json: json(#"{"name":"Renamed"}"#))
        XCTAssertEqual(patch, GroupPatch(name: "Renamed"))
        XCTAssertEqual(patch.capabilities, [.groupsSubject])
    }

    func testPatchNullDescriptionClearsIt() throws {
        let patch = try GroupPatch(json: json(#"{"description":null}"#))
        XCTAssertEqual(patch.description, .some(nil))
        XCTAssertNil(patch.name)
        XCTAssertEqual(patch.capabilities, [.groupsDescription])
    }

    func testPatchDescriptionAndSettings() throws {
        let patch = try GroupPatch(json: json(#"{"description":"New","settings":{"locked":true}}"#))
        XCTAssertEqual(patch.description, .some("New"))
        XCTAssertEqual(patch.settings, GroupSettings(locked: true))
        XCTAssertEqual(patch.capabilities, [.groupsDescription, .groupsSettings])
    }

    func testPatchOmittedDescriptionIsNotAChange() throws {
        let patch = try GroupPatch(json: json(#"{"settings":{"approvalRequired":false}}"#))
        XCTAssertEqual(patch.description, String??.none, "an omitted description is not a change")
        XCTAssertEqual(patch.capabilities, [.groupsSettings])
    }

    func testPatchRefusesEmptyChanges() {
        XCTAssertEqual(refusal("{}", GroupPatch.init(json:))?.message, "Give at least one of 'name', 'description' or 'settings' to change.")
        XCTAssertNotNil(refusal(#"{"name":null}"#, GroupPatch.init(json:)))
        XCTAssertEqual(
            refusal(#"{"settings":{}}"#, GroupPatch.init(json:))?.message,
            "'settings' must set at least one of announce, locked, approvalRequired, memberAddMode.")
    }

    func testPatchRefusesInvalidFields() {
        XCTAssertEqual(refusal(#"{"name":""}"#, GroupPatch.init(json:))?.details?["field"], "name")
        XCTAssertEqual(refusal(#"{"participants":[]}"#, GroupPatch.init(json:))?.details?["field"], "participants")
        XCTAssertEqual(refusal(#"{"description":5}"#, GroupPatch.init(json:))?.details?["field"], "description")
    }

    // MARK: - ParticipantsRequest

    func testParticipantsRequestKeepsEntriesAsGiven() throws {
        let request = try ParticipantsRequest(json: json(#"{"participants":["+1 (555) 000-0001","bogus"]}"#))
        XCTAssertEqual(request.participants, ["+1 (555) 000-0001", "bogus"])
    }

    func testParticipantsRequestRefusals() {
        XCTAssertEqual(refusal("{}", ParticipantsRequest.init(json:))?.message, "'participants' is required.")
        XCTAssertEqual(refusal(#"{"participants":[]}"#, ParticipantsRequest.init(json:))?.message, "'participants' must not be empty.")
        XCTAssertEqual(refusal(#"{"participants":[1]}"#, ParticipantsRequest.init(json:))?.details?["field"], "participants[0]")
        XCTAssertEqual(refusal(#"{"participants":["a"],"role":"admin"}"#, ParticipantsRequest.init(json:))?.details?["field"], "role")
        let tooMany = JSON.object(["participants": .array((0...Limits.participants).map { _ in "+15550000001" })])
        XCTAssertThrowsError(try ParticipantsRequest(json: tooMany))
    }

    // MARK: - Join and invites

    func testJoinAcceptsBareCodeAndLinks() throws {
        let inputs = [
            "AbCdEf123_-x", "https://chat.whatsapp.com/AbCdEf123_-x", "http://chat.whatsapp.com/AbCdEf123_-x",
            "chat.whatsapp.com/AbCdEf123_-x", "https://chat.whatsapp.com/AbCdEf123_-x?utm=1", " https://chat.whatsapp.com/AbCdEf123_-x/ ",
            "https://chat.whatsapp.com/AbCdEf123_-x#frag",
        ]
        for input in inputs {
            XCTAssertEqual(try JoinRequestBody(json: ["code": .string(input)]).code, "AbCdEf123_-x", input)
        }
    }

    func testJoinRefusesInvalidCodes() {
        for code in ["", "has space", "https://chat.whatsapp.com/", "https://example.com/AbC", "code!", "ünïcode"] {
            let error = refusal(JSON.object(["code": .string(code)]).text, JoinRequestBody.init(json:))
            XCTAssertEqual(error?.details?["field"], "code", code)
        }
        XCTAssertEqual(refusal("{}", JoinRequestBody.init(json:))?.message, "'code' is required.")
        XCTAssertEqual(refusal(#"{"code":"abc","link":"x"}"#, JoinRequestBody.init(json:))?.details?["field"], "link")
    }

    func testInviteCodeFromLink() {
        XCTAssertEqual(Invite.code(from: "https://chat.whatsapp.com/Xyz987"), "Xyz987")
        XCTAssertEqual(Invite.code(from: "Xyz987"), "Xyz987")
        XCTAssertEqual(Invite.code(from: "chat.whatsapp.com/Xyz987/extra"), "Xyz987")
        XCTAssertEqual(Invite.code(from: "  Xyz987?x=1  "), "Xyz987")
        XCTAssertEqual(Invite.code(from: "https://chat.whatsapp.com/"), "")
    }

    func testInviteBuildsLinkAndJSON() {
        let invite = Invite(code: "Xyz987")
        XCTAssertEqual(invite.link, "https://chat.whatsapp.com/Xyz987")
        XCTAssertEqual(invite.json, ["code": "Xyz987", "link": "https://chat.whatsapp.com/Xyz987"])
        XCTAssertEqual(Invite.code(from: invite.link), invite.code)
    }
}
