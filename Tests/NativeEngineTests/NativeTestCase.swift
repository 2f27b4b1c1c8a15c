import Foundation
import JSONCore
import TestSupport
import XCTest

/// A gateway per test with native sessions created on demand, and helpers for the calls every rule test makes.
class NativeTestCase: XCTestCase {
    var server: TestGateway!
    var admin: TestClient!

    override func setUpWithError() throws {
        server = try TestGateway()
        admin = try server.client()
    }

    override func tearDown() { server?.cleanUp() }

    /// A fictional phone number for session `n` (distinct per test).
    func phone(_ n: Int) -> String { "+1555000\(String(format: "%04d", n))" }

    /// Creates native session `name` with `phone(n)`.
    @discardableResult
    func session(_ name: String, _ n: Int) throws -> RawResponse {
        let response = try admin.post("/v1/sessions", ["id": .string(name), "provider": "native", "phone": .string(phone(n))])
        XCTAssertEqual(response.status, 201, response.text)
        return response
    }

    /// Creates a group owned by `owner` with the given members (by phone) and returns its id.
    func group(_ owner: String, name: String = "Team", members: [String], settings: JSON? = nil) throws -> String {
        var body: JSONObject = ["name": .string(name), "participants": .array(members.map(JSON.string))]
        if let settings { body["settings"] = settings }
        let response = try admin.post("/v1/sessions/\(owner)/groups", .object(body))
        XCTAssertEqual(response.status, 201, response.text)
        return try XCTUnwrap(response.json?["id"]?.stringValue)
    }

    /// Percent-encodes a group id for a path (its `@` as `%40`).
    func path(_ group: String) -> String { group.replacingOccurrences(of: "@", with: "%40") }

    func get(_ path: String) throws -> RawResponse { try admin.get(path) }
    func post(_ path: String, _ body: JSON = [:]) throws -> RawResponse { try admin.post(path, body) }
    func patch(_ path: String, _ body: JSON) throws -> RawResponse { try admin.request("PATCH", path, json: body) }
    func delete(_ path: String) throws -> RawResponse { try admin.request("DELETE", path) }

    /// The `results` of a participant action as id → status.
    func results(_ response: RawResponse, file: StaticString = #filePath, line: UInt = #line) -> [String: String] {
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        var out: [String: String] = [:]
        for item in response.json?["results"]?.arrayValue ?? [] { out[item["id"]?.stringValue ?? ""] = item["status"]?.stringValue }
        return out
    }

    /// Events of `session`, optionally of one type.
    func events(_ session: String, type: String? = nil) throws -> [JSON] {
        var query = "/v1/events?session=\(session)&limit=1000"
        if let type { query += "&type=\(type)" }
        return try get(query).json?["data"]?.arrayValue ?? []
    }

    func assertError(_ response: RawResponse, _ status: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.errorCode, code, response.text, file: file, line: line)
    }
}
