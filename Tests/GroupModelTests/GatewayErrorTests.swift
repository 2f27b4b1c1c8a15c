import GroupModel
import JSONCore
import XCTest

final class GatewayErrorTests: XCTestCase {
    func testFactoriesSetCodeStatusAndRetryable() {
        let cases: [(GatewayError, String, Int, Bool)] = [
            (.invalidRequest("m"), "invalid_request", 400, false),
            (.unauthenticated(), "unauthenticated", 401, false),
            (.forbidden("m"), "forbidden", 403, false),
            (.notFound("m"), "not_found", 404, false),
            (.methodNotAllowed("m"), "method_not_allowed", 405, false),
            (.sessionNotFound("alice"), "session_not_found", 404, false),
            (.groupNotFound("m"), "group_not_found", 404, false),
            (.messageNotFound("msg_1"), "message_not_found", 404, false),
            (.conflict("m"), "conflict", 409, false),
            (.groupAmbiguous("m", ids: ["a"]), "group_ambiguous", 409, false),
            (.sessionNotReady("m"), "session_not_ready", 409, true),
            (.idempotencyConflict("m", inProgress: true), "idempotency_conflict", 409, true),
            (.idempotencyConflict("m", inProgress: false), "idempotency_conflict", 422, false),
            (.notGroupAdmin("m"), "not_group_admin", 403, false),
            (.unsupportedOperation(provider: "mock", operation: "groups.leave"), "unsupported_operation", 501, false),
            (.requestTimeout("m"), "request_timeout", 408, false),
            (.payloadTooLarge("m"), "payload_too_large", 413, false),
            (.uriTooLong("m"), "uri_too_long", 414, false),
            (.headersTooLarge("m"), "headers_too_large", 431, false),
            (.rateLimited("m", retryAfter: 3), "rate_limited", 429, true),
            (.quotaExceeded("m"), "quota_exceeded", 429, false),
            (.providerRejected("m"), "provider_rejected", 502, false),
            (.providerUnavailable("m"), "provider_unavailable", 503, true),
            (.providerTimeout("m"), "provider_timeout", 504, true),
            (.unavailable("m"), "unavailable", 503, true),
            (.versionNotSupported("m"), "http_version_not_supported", 505, false),
            (.upgradeRequired("m"), "upgrade_required", 426, false),
            (.internal("m"), "internal", 500, true),
        ]
        for (error, code, status, retryable) in cases {
            XCTAssertEqual(error.code, code)
            XCTAssertEqual(error.status, status, code)
            XCTAssertEqual(error.retryable, retryable, code)
        }
    }

    func testMessagesNameTheMissingResource() {
        XCTAssertEqual(GatewayError.sessionNotFound("alice").message, "Session 'alice' does not exist.")
        XCTAssertEqual(GatewayError.messageNotFound("msg_1").message, "Message 'msg_1' does not exist.")
        XCTAssertEqual(GatewayError.sessionNotFound("alice").description, "session_not_found (404): Session 'alice' does not exist.")
    }

    func testJSONHasRequiredFieldsOnly() {
        let json = GatewayError.conflict("Taken.").json
        XCTAssertEqual(json, ["code": "conflict", "message": "Taken.", "status": 409, "retryable": false])
        XCTAssertNil(json["provider"])
        XCTAssertNil(json["details"])
        XCTAssertNil(json["retryAfter"])
    }

    func testJSONCarriesProviderDetailsAndRetryAfter() {
        let error = GatewayError.providerUnavailable("Down.", retryAfter: 30).from(provider: "waha").with(details: ["upstreamStatus": 503])
        XCTAssertEqual(
            error.json,
            [
                "code": "provider_unavailable", "message": "Down.", "status": 503, "retryable": true, "provider": "waha",
                "details": ["upstreamStatus": 503], "retryAfter": 30,
            ])
    }

    func testBodyWrapsErrorObject() {
        let error = GatewayError.forbidden("No.")
        XCTAssertEqual(error.body, ["error": error.json])
        XCTAssertEqual(error.body.objectValue?.keys, ["error"])
    }

    func testUnsupportedOperationNamesProviderAndOperation() {
        let error = GatewayError.unsupportedOperation(provider: "mock", operation: "groups.delete")
        XCTAssertEqual(error.provider, "mock")
        XCTAssertEqual(error.details, ["operation": "groups.delete"])
        XCTAssertEqual(error.message, "Provider 'mock' does not support 'groups.delete'.")
    }

    func testGroupAmbiguousListsCandidateIDs() {
        let error = GatewayError.groupAmbiguous("Two groups match.", ids: ["1@g.us", "2@g.us"])
        XCTAssertEqual(error.details, ["groups": ["1@g.us", "2@g.us"]])
    }

    func testWithDetailsMergesIntoExistingDetails() {
        let error = GatewayError.invalidRequest("Bad.", details: ["field": "name", "keep": 1]).with(details: ["field": "other", "extra": true])
        XCTAssertEqual(error.details, ["field": "other", "keep": 1, "extra": true])
    }

    func testRoundTripsThroughJSON() throws {
        let errors: [GatewayError] = [
            .invalidRequest("Bad.", details: ["field": "participants[0]"]),
            .rateLimited("Slow down.", retryAfter: 12),
            .unsupportedOperation(provider: "mock", operation: "groups.leave"),
            .idempotencyConflict("Busy.", inProgress: true),
            .providerRejected("No.").from(provider: "waha"),
            .internal("Oops."),
        ]
        for error in errors {
            XCTAssertEqual(GatewayError(json: error.json), error, error.code)
            XCTAssertEqual(GatewayError(json: error.body), error, "from the wrapped body: \(error.code)")
            let reparsed = try JSONParser.parse(error.body.text)
            XCTAssertEqual(GatewayError(json: reparsed), error, "after text round trip: \(error.code)")
        }
    }

    func testInitFromJSONRefusesUnknownOrIncompleteErrors() {
        XCTAssertNil(GatewayError(json: ["code": "no_such_code", "message": "m", "status": 400]))
        XCTAssertNil(GatewayError(json: ["code": "conflict", "status": 409]))
        XCTAssertNil(GatewayError(json: ["code": "conflict", "message": "m"]))
        XCTAssertNil(GatewayError(json: ["message": "m", "status": 409]))
        XCTAssertNil(GatewayError(json: .string("conflict")))
    }

    func testInitFromJSONDefaultsRetryableToFalseAndIgnoresNullDetails() throws {
        let error = try XCTUnwrap(GatewayError(json: ["code": "conflict", "message": "m", "status": 409, "details": nil]))
        XCTAssertFalse(error.retryable)
        XCTAssertNil(error.details)
    }

    func testEqualityComparesEveryField() {
        XCTAssertEqual(GatewayError.conflict("a"), GatewayError.conflict("a"))
        XCTAssertNotEqual(GatewayError.conflict("a"), GatewayError.conflict("b"))
        XCTAssertNotEqual(GatewayError.conflict("a"), GatewayError.conflict("a").from(provider: "x"))
        XCTAssertNotEqual(GatewayError.notFound("a"), GatewayError.groupNotFound("a"))
        XCTAssertNotEqual(GatewayError.rateLimited("a", retryAfter: 1), GatewayError.rateLimited("a", retryAfter: 2))
    }

    func testIsCodeComparesKindOnly() {
        XCTAssertTrue(GatewayError.conflict("a").isCode(.conflict("other message")))
        XCTAssertFalse(GatewayError.conflict("a").isCode(.notFound("a")))
    }
}
