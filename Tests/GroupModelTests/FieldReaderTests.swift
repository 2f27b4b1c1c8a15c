import GroupModel
import JSONCore
import XCTest

final class FieldReaderTests: XCTestCase {
    /// Runs `body` expecting a GatewayError and returns it.
    private func failure(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> GatewayError? {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch let error as GatewayError {
            XCTAssertEqual(error.code, "invalid_request", file: file, line: line)
            XCTAssertEqual(error.status, 400, file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    private func reader(_ text: String) throws -> FieldReader { try FieldReader(JSONParser.parse(text)) }

    // MARK: - Bodies

    func testEmptyBodyIsRefusedUnlessAllowed() throws {
        XCTAssertEqual(failure { _ = try FieldReader.body([]) }?.message, "A JSON request body is required.")
        XCTAssertTrue(try FieldReader.body([], emptyIsObject: true).object.isEmpty)
    }

    func testInvalidJSONBodyNamesParseError() {
        let error = failure { _ = try FieldReader.body(Array(#"{"a":1,}"#.utf8)) }
        XCTAssertEqual(error?.message, "The request body is not valid JSON: expected a string key at byte 7.")
    }

    func testNonObjectBodyIsRefused() {
        XCTAssertEqual(failure { _ = try FieldReader.body(Array("[1]".utf8)) }?.message, "The request body must be a JSON object.")
    }

    func testNestedNonObjectNamesItsPath() throws {
        let error = failure { _ = try self.reader(#"{"settings":5}"#).object("settings") }
        XCTAssertEqual(error?.message, "'settings' must be an object.")
        XCTAssertEqual(error?.details?["field"], "settings")
    }

    // MARK: - Fields

    func testAllowOnlyRefusesUnknownFieldAndListsExpected() throws {
        let body = try reader(#"{"name":"x","nmae":"y"}"#)
        let error = failure { try body.allowOnly(["name", "description"]) }
        XCTAssertEqual(error?.message, "Unknown field 'nmae'; expected one of: description, name.")
        XCTAssertEqual(error?.details?["field"], "nmae")
    }

    func testStringFieldErrors() throws {
        let body = try reader(#"{"n":5,"e":"","long":"abcdef","ok":"abc"}"#)
        XCTAssertEqual(failure { _ = try body.string("n") }?.message, "'n' must be a string.")
        XCTAssertEqual(failure { _ = try body.string("e", minLength: 1) }?.message, "'e' must not be empty.")
        XCTAssertEqual(failure { _ = try body.string("ok", minLength: 4) }?.message, "'ok' must be at least 4 characters.")
        XCTAssertEqual(failure { _ = try body.string("long", maxLength: 5) }?.message, "'long' must be at most 5 characters.")
        XCTAssertEqual(failure { _ = try body.string("missing", required: true) }?.message, "'missing' is required.")
        XCTAssertEqual(try body.string("ok", maxLength: 3, minLength: 3), "abc")
        XCTAssertNil(try body.string("missing"))
    }

    func testNullCountsAsAbsent() throws {
        let body = try reader(#"{"s":null,"b":null}"#)
        XCTAssertNil(try body.string("s"))
        XCTAssertNil(try body.bool("b"))
        XCTAssertTrue(body.has("s"))
        XCTAssertTrue(body.isNull("s"))
        XCTAssertFalse(body.isNull("absent"))
        XCTAssertEqual(failure { _ = try body.string("s", required: true) }?.details?["field"], "s")
    }

    func testStringLengthCountsCharactersNotBytes() throws {
        let body = try reader(#"{"s":"ééé👍🏽"}"#)
        XCTAssertEqual(try body.string("s", maxLength: 4), "ééé👍🏽")
    }

    func testBoolField() throws {
        let body = try reader(#"{"t":true,"n":1}"#)
        XCTAssertEqual(try body.bool("t"), true)
        XCTAssertEqual(failure { _ = try body.bool("n") }?.message, "'n' must be true or false.")
    }

    func testIntFieldAcceptsWholeNumbersInRange() throws {
        let body = try reader(#"{"a":3,"b":3.0,"c":3.5,"d":"3","e":11}"#)
        XCTAssertEqual(try body.int("a"), 3)
        XCTAssertEqual(try body.int("b"), 3)
        XCTAssertEqual(failure { _ = try body.int("c") }?.message, "'c' must be an integer.")
        XCTAssertEqual(failure { _ = try body.int("d") }?.message, "'d' must be an integer.")
        XCTAssertEqual(failure { _ = try body.int("e", range: 1...10) }?.message, "'e' must be between 1 and 10.")
    }

    func testStringArrayErrorsNameTheElement() throws {
        let body = try reader(#"{"list":["a",2],"long":["ok","toolong"],"none":[],"many":["a","b","c"],"str":"a"}"#)
        let element = failure { _ = try body.stringArray("list", maxCount: 10) }
        XCTAssertEqual(element?.message, "'list[1]' must be a string.")
        XCTAssertEqual(element?.details?["field"], "list[1]")
        XCTAssertEqual(failure { _ = try body.stringArray("long", maxCount: 10, maxLength: 3) }?.message, "'long[1]' must be at most 3 characters.")
        XCTAssertEqual(failure { _ = try body.stringArray("none", minCount: 1, maxCount: 10) }?.message, "'none' must not be empty.")
        XCTAssertEqual(failure { _ = try body.stringArray("many", minCount: 4, maxCount: 10) }?.message, "'many' must have at least 4 entries.")
        XCTAssertEqual(failure { _ = try body.stringArray("many", maxCount: 2) }?.message, "'many' must have at most 2 entries.")
        XCTAssertEqual(failure { _ = try body.stringArray("str", maxCount: 2) }?.message, "'str' must be an array of strings.")
    }

    func testNestedReaderPrefixesFieldNames() throws {
        let settings = try XCTUnwrap(try reader(#"{"settings":{"announce":"yes","x":1}}"#).object("settings"))
        XCTAssertEqual(settings.path, "settings")
        let typeError = failure { _ = try settings.bool("announce") }
        XCTAssertEqual(typeError?.message, "'settings.announce' must be true or false.")
        XCTAssertEqual(typeError?.details?["field"], "settings.announce")
        XCTAssertEqual(failure { try settings.allowOnly(["announce"]) }?.details?["field"], "settings.x")
    }

    func testEnumerationListsAllowedValues() throws {
        let body = try reader(#"{"mode":"everyone","ok":"admins"}"#)
        XCTAssertEqual(try body.enumeration("ok", MemberAddMode.self), .admins)
        XCTAssertEqual(failure { _ = try body.enumeration("mode", MemberAddMode.self) }?.message, "'mode' must be one of: admins, all.")
    }

    // MARK: - Identifiers

    func testSessionNames() {
        for valid in ["a", "alice", "0day", "team-1_b", String(repeating: "a", count: 64)] {
            XCTAssertTrue(Identifiers.isValidSessionName(valid), valid)
            XCTAssertNoThrow(try Identifiers.validateSessionName(valid))
        }
        for invalid in ["", "Alice", "-lead", "_lead", "has space", "dot.name", "é", String(repeating: "a", count: 65)] {
            XCTAssertFalse(Identifiers.isValidSessionName(invalid), invalid)
            XCTAssertThrowsError(try Identifiers.validateSessionName(invalid))
        }
    }

    func testGroupIDValidation() {
        XCTAssertNoThrow(try Identifiers.validateGroupID("120363000000000001@g.us"))
        XCTAssertNoThrow(try Identifiers.validateGroupID(String(repeating: "x", count: 256)))
        for invalid in ["", String(repeating: "x", count: 257), "a\nb", "tab\there", "del\u{7F}"] {
            XCTAssertThrowsError(try Identifiers.validateGroupID(invalid), invalid.debugDescription)
        }
    }

    func testGroupJIDRecognition() {
        XCTAssertTrue(Identifiers.isGroupJID("120363000000000001@g.us"))
        XCTAssertTrue(Identifiers.isGroupJID("15550000001-1700000000@g.us"))
        XCTAssertFalse(Identifiers.isGroupJID("@g.us"))
        XCTAssertFalse(Identifiers.isGroupJID("abc@g.us"))
        XCTAssertFalse(Identifiers.isGroupJID("15550000001@s.whatsapp.net"))
        XCTAssertFalse(Identifiers.isGroupJID("thread_123"))
    }
}
