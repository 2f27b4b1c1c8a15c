import Foundation
import JSONCore
import TestSupport
import XCTest

/// What the schemathesis run (Tests/Scripts/schemathesis_run.sh) found, pinned: query parameters are checked
/// against their documented schemas, the document lists the errors and headers each operation can answer, optional
/// request fields may be null, and a path belongs to its most specific route.
final class OpenAPIConformanceTests: XCTestCase {
    private var server: TestGateway!
    private var client: TestClient!
    private var document: JSON!

    override func setUpWithError() throws {
        server = try TestGateway()
        client = try server.client()
        document = try XCTUnwrap(client.get("/openapi.json").json)
    }

    override func tearDown() { server.cleanUp() }

    private func operation(_ path: String, _ method: String) throws -> JSON {
        try XCTUnwrap(document["paths"]?[path]?[method], "\(method) \(path)")
    }

    func testQueryParametersOutsideTheirSchemaAreInvalidRequests() throws {
        let long = String(repeating: "x", count: 101)
        for path in [
            "/v1/sessions/default/groups?name=\(long)", "/v1/sessions/default/groups?name=", "/v1/events?type=",
            "/v1/events?type=message.sent,", "/v1/events?type=message.sent,nope", "/v1/events?after=%2B5", "/v1/events?limit=0",
            "/v1/sessions/default/messages?after=\(String(repeating: "m", count: 65))", "/v1/events?session=Not_A_Session",
        ] {
            let response = try client.get(path)
            XCTAssertEqual(response.status, 400, path)
            XCTAssertEqual(response.errorCode, "invalid_request", path)
        }
        let named = try client.get("/v1/sessions/default/groups?name=\(long)")
        XCTAssertEqual(named.json?["error"]?["details"]?["parameter"], "name")
        XCTAssertEqual(try client.get("/v1/events?type=message.sent,group.left&limit=5").status, 200)
        XCTAssertEqual(try client.request("GET", "/v1/events/stream", headers: ["Last-Event-ID": "+5"]).status, 400)
    }

    func testPathBelongsToItsMostSpecificRoute() throws {
        let response = try client.get("/v1/sessions/default/groups/join")
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "POST")
    }

    func testOperationsListTheErrorsTheyCanAnswer() throws {
        func statuses(_ path: String, _ method: String) throws -> Set<String> {
            Set(try operation(path, method)["responses"]?.objectValue?.keys ?? [])
        }
        XCTAssertEqual(try statuses("/healthz", "get"), ["200", "default"])
        XCTAssertTrue(try statuses("/v1/sessions", "get").isSuperset(of: ["200", "401"]))
        XCTAssertTrue(try statuses("/v1/keys", "post").isSuperset(of: ["201", "400", "401", "403", "413"]))
        XCTAssertTrue(try statuses("/v1/messages/{message}", "get").isSuperset(of: ["200", "400", "401", "404"]))
        let send = try statuses("/v1/sessions/{session}/messages", "post")
        XCTAssertTrue(send.isSuperset(of: ["200", "201", "202", "400", "401", "403", "404", "409", "413", "422", "429", "501", "502", "503", "504"]), "\(send)")
        let unauthenticated = try XCTUnwrap(document["components"]?["responses"]?["Unauthenticated"])
        XCTAssertEqual(unauthenticated["headers"]?["WWW-Authenticate"]?["required"], true)
        let created = try operation("/v1/sessions/{session}/groups", "post")["responses"]?["201"]
        XCTAssertNotNil(created?["headers"]?["Idempotent-Replayed"])
        XCTAssertEqual(created?["links"]?["GetGroup"]?["parameters"]?["group"], "$response.body#/id")

        // A 401 answer carries the documented header.
        let anonymous = try server.client(key: nil).get("/v1/sessions")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.header("WWW-Authenticate"), "Bearer")
    }

    func testParametersAndBodiesSayWhatTheServerChecks() throws {
        let parameters = try XCTUnwrap(operation("/v1/sessions/{session}/groups/{group}/leave", "post")["parameters"]?.arrayValue)
        XCTAssertEqual(parameters.first { $0["name"] == "group" }?["schema"]?["maxLength"], 256)
        let send = try XCTUnwrap(operation("/v1/sessions/{session}/messages", "post")["parameters"]?.arrayValue)
        XCTAssertEqual(send.first { $0["name"] == "Idempotency-Key" }?["schema"]?["pattern"], "^[!-~]+$")
        let type = try XCTUnwrap(operation("/v1/events", "get")["parameters"]?.arrayValue?.first { $0["name"] == "type" })
        XCTAssertEqual(type["explode"], false)

        // Optional request fields may be null (read as absent), required ones may not.
        let key = try XCTUnwrap(document["components"]?["schemas"]?["CreateApiKey"]?["properties"])
        XCTAssertEqual(key["expiresInSeconds"]?["type"], ["integer", "null"])
        XCTAssertEqual(key["name"]?["type"], "string")
        let created = try client.post("/v1/keys", ["name": "nulls", "sessions": ["default"], "expiresInSeconds": .null, "admin": .null])
        XCTAssertEqual(created.status, 201, created.text)
    }

    func testUnicodeMarksDoNotHideSeparators() throws {
        // U+11D46 (Masaram Gondi repha) joins the next character into one Character: checks go by Unicode scalars.
        let hidden = "image\u{11D46}/png"
        let body: JSON = ["groupName": "Nobody", "type": "image", "media": ["url": "https://example.com/a.png", "mimeType": .string(hidden)]]
        XCTAssertNotEqual(try client.post("/v1/sessions/default/messages", body).errorCode, "invalid_request")
        let slash: JSON = ["groupName": "Nobody", "type": "image", "media": ["url": "https://example.com/a.png", "filename": "a\u{11D46}/b"]]
        let refused = try client.post("/v1/sessions/default/messages", slash)
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused.json?["error"]?["details"]?["field"], "media.filename")
    }
}
