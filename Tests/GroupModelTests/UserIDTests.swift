import GroupModel
import JSONCore
import XCTest

/// Normalization of user ids. Phone numbers are fictional (+1 555 01xx style).
final class UserIDTests: XCTestCase {
    private let phoneJID = "15550000001@s.whatsapp.net"

    func testAcceptedFormsNormalizeToCanonicalJID() {
        let cases: [(input: String, jid: String, phone: String?)] = [
            ("+15550000001", phoneJID, "+15550000001"),
            ("15550000001", phoneJID, "+15550000001"),
            ("15550000001@c.us", phoneJID, "+15550000001"),
            ("15550000001@s.whatsapp.net", phoneJID, "+15550000001"),
            ("15550000001:12@s.whatsapp.net", phoneJID, "+15550000001"),
            ("15550000001:3@c.us", phoneJID, "+15550000001"),
            ("+1 (555) 000-0001", phoneJID, "+15550000001"),
            ("+1.555.000.0001", phoneJID, "+15550000001"),
            ("+1-555-000-0001", phoneJID, "+15550000001"),
            ("  +15550000001\n", phoneJID, "+15550000001"),
            ("15550000001@S.WhatsApp.NET", phoneJID, "+15550000001"),
            ("123456789012345@lid", "123456789012345@lid", nil),
            ("123456789012345:7@lid", "123456789012345@lid", nil),
            ("1@lid", "1@lid", nil),
            ("1555000", "1555000@s.whatsapp.net", "+1555000"),  // 7 digits: the shortest accepted
            ("155500000000001", "155500000000001@s.whatsapp.net", "+155500000000001"),  // 15 digits: E.164's longest
        ]
        for (input, jid, phone) in cases {
            guard let user = UserID.parse(input) else {
                XCTFail("\(input.debugDescription) should be accepted")
                continue
            }
            XCTAssertEqual(user.jid, jid, input)
            XCTAssertEqual(user.phone, phone, input)
        }
    }

    func testRejectedForms() {
        let invalid = [
            "", "   ", "alice", "+1555abc0001", "+", "++15550000001", "+1555+0000001",
            "0123456", "+0123456789",  // no country code starts with 0
            "123456",  // too short
            "1555000000000001",  // 16 digits: too long
            "123@g.us", "120363000000000001@g.us", "15550000001@example.com", "15550000001@", "15550000001@whatsapp.net",
            "abc@lid", "@lid", "@s.whatsapp.net", "123456789012345678901@lid",  // LIDs are 1-20 digits
            "1@c.us", "1555000000000001@s.whatsapp.net",
            "1 555 000 0001", "1-555-000-0001", "(555) 000-0001",  // separators only after a leading +
            "+1555\u{0660}000001",  // Arabic-Indic digit
            "+1555_000_0001",
            "+" + String(repeating: "1", count: 70),
        ]
        for input in invalid {
            XCTAssertNil(UserID.parse(input), "\(input.debugDescription) should be refused")
        }
    }

    func testJIDWithLeadingZeroIsRejectedLikeBareDigits() {
        // A bare "0123456" is refused because no E.164 number starts with 0; the JID forms must not
        // produce a "+0…" phone either.
        XCTAssertNil(UserID.parse("0123456"))
        XCTAssertNil(UserID.parse("0123456@s.whatsapp.net"))
        XCTAssertNil(UserID.parse("0123456@c.us"))
    }

    func testAccessorsOfPhoneUser() throws {
        let user = try XCTUnwrap(UserID.parse("+15550000001"))
        XCTAssertEqual(user.user, "15550000001")
        XCTAssertEqual(user.cUs, "15550000001@c.us")
        XCTAssertEqual(user.phoneDigits, "15550000001")
        XCTAssertFalse(user.isLID)
        XCTAssertEqual(user.description, phoneJID)
    }

    func testLIDKeepsDomainAndHasNoPhone() throws {
        let user = try XCTUnwrap(UserID.parse("99887766554433@lid"))
        XCTAssertTrue(user.isLID)
        XCTAssertEqual(user.cUs, "99887766554433@lid")
        XCTAssertNil(user.phone)
        XCTAssertNil(user.phoneDigits)
    }

    func testAllInputFormsOfOneNumberAreEqual() {
        let forms = ["+15550000002", "15550000002", "15550000002@c.us", "15550000002:4@s.whatsapp.net", "+1 (555) 000-0002"]
        let users = Set(forms.compactMap(UserID.parse))
        XCTAssertEqual(users.count, 1)
        XCTAssertEqual(users.first?.jid, "15550000002@s.whatsapp.net")
    }

    func testWithPhoneAddsPhoneToLID() {
        let lid = UserID.lid("123456789")
        let enriched = lid.withPhone("+1 555 000 0003")
        XCTAssertEqual(enriched.jid, "123456789@lid")
        XCTAssertEqual(enriched.phone, "+15550000003")
    }

    func testWithPhoneIgnoresInvalidOrLIDOrExistingPhone() {
        let lid = UserID.lid("123456789")
        XCTAssertNil(lid.withPhone("not a phone").phone)
        XCTAssertNil(lid.withPhone("555@lid").phone)
        XCTAssertNil(lid.withPhone(nil).phone)
        let known = UserID.phone(digits: "15550000004")
        XCTAssertEqual(known.withPhone("+15550000005").phone, "+15550000004")
    }

    func testParseAllNormalizesEveryEntry() throws {
        let users = try UserID.parseAll(["+15550000001", "15550000006@c.us"], field: "participants")
        XCTAssertEqual(users.map(\.jid), [phoneJID, "15550000006@s.whatsapp.net"])
    }

    func testParseAllNamesFirstInvalidEntry() {
        XCTAssertThrowsError(try UserID.parseAll(["+15550000001", "bogus", "also bad"], field: "participants")) { error in
            let error = error as? GatewayError
            XCTAssertEqual(error?.code, "invalid_request")
            XCTAssertEqual(error?.details?["field"], .string("participants[1]"))
            XCTAssertTrue(error?.message.hasPrefix("'participants[1]' is not a user id") == true, error?.message ?? "")
        }
    }
}
