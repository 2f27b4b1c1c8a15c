import Foundation
import JSONCore
import TestSupport
import XCTest

/// Shorthands shared by the native rule tests: paths, participant actions, sends, and reading events back.
extension NativeTestCase {
    /// The canonical JID of `phone(n)`.
    func jid(_ n: Int) -> String { String(phone(n).dropFirst()) + "@s.whatsapp.net" }

    /// `/v1/sessions/{session}/groups/{group}{suffix}` with the group id percent-encoded.
    func groupPath(_ session: String, _ group: String, _ suffix: String = "") -> String {
        "/v1/sessions/\(session)/groups/\(path(group))\(suffix)"
    }

    /// `POST …/participants/{action}` (also used for `join-requests/{approve|reject}` via `decide`).
    func act(_ session: String, _ group: String, _ action: String, _ participants: [String]) throws -> RawResponse {
        try post(groupPath(session, group, "/participants/\(action)"), ["participants": .array(participants.map { JSON.string($0) })])
    }

    func decide(_ session: String, _ group: String, _ decision: String, _ participants: [String]) throws -> RawResponse {
        try post(groupPath(session, group, "/join-requests/\(decision)"), ["participants": .array(participants.map { JSON.string($0) })])
    }

    /// The group as `session` sees it (asserting 200).
    func groupInfo(_ session: String, _ group: String, file: StaticString = #filePath, line: UInt = #line) throws -> JSON {
        let response = try get(groupPath(session, group))
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        return try XCTUnwrap(response.json, file: file, line: line)
    }

    /// Participant JID → role, as `session` sees the group.
    func roles(_ session: String, _ group: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in try groupInfo(session, group, file: file, line: line)["participants"]?.arrayValue ?? [] {
            out[item["id"]?.stringValue ?? ""] = item["role"]?.stringValue
        }
        return out
    }

    /// The invite code (asserting 200).
    func inviteCode(_ session: String, _ group: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let response = try get(groupPath(session, group, "/invite"))
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        return try XCTUnwrap(response.json?["code"]?.stringValue, file: file, line: line)
    }

    func join(_ session: String, _ code: String) throws -> RawResponse {
        try post("/v1/sessions/\(session)/groups/join", ["code": .string(code)])
    }

    @discardableResult
    func send(_ session: String, _ body: JSONObject) throws -> RawResponse { try post("/v1/sessions/\(session)/messages", .object(body)) }

    @discardableResult
    func sendText(_ session: String, _ group: String, _ text: String = "hello") throws -> RawResponse {
        try send(session, ["group": .string(group), "text": .string(text)])
    }

    /// Sends text and returns the new message's id (asserting 201).
    func sentID(_ session: String, _ group: String, _ text: String = "hello", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let response = try sendText(session, group, text)
        XCTAssertEqual(response.status, 201, response.text, file: file, line: line)
        return try XCTUnwrap(response.json?["id"]?.stringValue, file: file, line: line)
    }

    func message(_ id: String, file: StaticString = #filePath, line: UInt = #line) throws -> JSON {
        let response = try get("/v1/messages/\(id)")
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        return try XCTUnwrap(response.json, file: file, line: line)
    }

    func markRead(_ session: String, _ id: String) throws -> RawResponse { try post("/v1/sessions/\(session)/messages/\(id)/read") }

    /// Events of `session` of `type` about `group`.
    func groupEvents(_ session: String, _ type: String, _ group: String) throws -> [JSON] {
        try events(session, type: type).filter { $0["group"]?.stringValue == group }
    }

    /// The participant ids in an event's `data.participants`.
    func participantIDs(_ event: JSON) -> [String] {
        event["data"]?["participants"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    /// Every event in the log (admin view), oldest first.
    func allEvents(_ query: String = "") throws -> [JSON] {
        let response = try get("/v1/events?limit=1000\(query)")
        XCTAssertEqual(response.status, 200, response.text)
        return response.json?["data"]?.arrayValue ?? []
    }
}
