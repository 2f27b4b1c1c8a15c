import Foundation
import JSONCore
import Switchboard
import Webhooks
import TestSupport
import XCTest

/// The dashboard: driven end to end in headless Chromium, and its assets checked for weight, self-containment and
/// caching; plus the two API additions it relies on (a group's messages newest first, a stream that starts recent).
final class DashboardTests: XCTestCase {
    /// Sign in, open a native group, send, watch the status reach `read` after the recipient reads, see the events
    /// live, retry a failed webhook delivery; screenshots in Tests/Artifacts/dashboard.
    func testOperatorFlowInHeadlessChromium() throws {
        let server = try TestGateway {
            $0.webhooks.allowPrivateTargets = true
            $0.webhooks.firstRetryDelay = 0.05
            $0.webhooks.retryWindow = 0.5
        }
        defer { server.cleanUp() }
        let artifacts = Script.repositoryRoot + "/Tests/Artifacts/dashboard"
        let (status, output) = try Script.run(
            "python3", [Script.path("dashboard_browser.py"), String(server.port), TestGateway.adminKey, artifacts], timeout: 300)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains(" 0 failed"), output)
        XCTAssertFalse(output.contains("FAIL"), output)
        let screenshots = try FileManager.default.contentsOfDirectory(atPath: artifacts).filter { $0.hasSuffix(".png") }
        XCTAssertGreaterThanOrEqual(screenshots.count, 10, "\(screenshots)")
    }

    func testAssetsAreSmallSelfContainedAndRevalidated() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let anonymous = try server.client(key: nil)
        var total = 0
        for (path, type) in [("/", "text/html"), ("/dashboard/app.css", "text/css"), ("/dashboard/app.js", "text/javascript")] {
            let response = try anonymous.get(path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(response.header("Content-Type")?.hasPrefix(type), true, path)
            XCTAssertEqual(response.header("Content-Security-Policy")?.contains("script-src 'self'"), true, path)
            XCTAssertEqual(response.header("X-Content-Type-Options"), "nosniff", path)
            total += response.body.count
            // Nothing loaded from elsewhere: no absolute URLs in src/href/url()/@import, no inline script or style.
            for pattern in [#"(src|href)\s*=\s*["']?(https?:)?//"#, #"url\(\s*["']?(https?:)?//"#, "@import", "<script>", "<style", #"style\s*="#] {
                XCTAssertNil(response.text.range(of: pattern, options: .regularExpression), "\(path) contains \(pattern)")
            }
            let etag = try XCTUnwrap(response.header("ETag"))
            XCTAssertEqual(try anonymous.request("GET", path, headers: ["If-None-Match": etag]).status, 304, path)
            XCTAssertEqual(try anonymous.request("GET", path, headers: ["If-None-Match": "\"other\""]).status, 200, path)
        }
        XCTAssertLessThan(total, 100 * 1024, "page weight \(total) bytes")
        // The page calls only the public API: every path it names is in /openapi.json.
        let script = try anonymous.get("/dashboard/app.js").text
        let document = try XCTUnwrap(try server.client().get("/openapi.json").json?["paths"]?.objectValue)
        let called = Set(script.matches(of: /['`](\/v1\/[a-z\/-]+)/).map { String($0.output.1) })
        XCTAssertFalse(called.isEmpty)
        for path in called {
            XCTAssertTrue(document.keys.contains { $0.hasPrefix(path) || path.hasPrefix($0.components(separatedBy: "{").first ?? $0) }, "\(path) is not in the API")
        }
    }

    func testGroupMessagesNewestFirstAndStreamTail() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let api = try server.client()
        XCTAssertEqual(try api.post("/v1/sessions", ["id": "alice", "provider": "native", "phone": "+15550000001"]).status, 201)
        let team = try XCTUnwrap(try api.post("/v1/sessions/alice/groups", ["name": "Team"]).json?["id"]?.stringValue)
        let other = try XCTUnwrap(try api.post("/v1/sessions/alice/groups", ["name": "Other"]).json?["id"]?.stringValue)
        for index in 1...5 {
            XCTAssertEqual(try api.post("/v1/sessions/alice/messages", ["group": .string(index == 3 ? other : team), "text": .string("m\(index)")]).status, 201)
        }
        let encoded = team.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        func texts(_ query: String) throws -> ([String], String?) {
            let page = try XCTUnwrap(try api.get("/v1/sessions/alice/messages?\(query)").json)
            return ((page["data"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }, page["next"]?.stringValue)
        }
        let (first, next) = try texts("group=\(encoded)&order=desc&limit=2")
        XCTAssertEqual(first, ["m5", "m4"])
        XCTAssertEqual(try texts("group=\(encoded)&order=desc&limit=2&after=\(try XCTUnwrap(next))").0, ["m2", "m1"])
        XCTAssertEqual(try texts("group=\(encoded)").0, ["m1", "m2", "m4", "m5"])
        XCTAssertEqual(try texts("").0, ["m1", "m2", "m3", "m4", "m5"])
        XCTAssertEqual(try api.get("/v1/sessions/alice/messages?order=newest").errorCode, "invalid_request")

        // tail=2 starts the stream with the last two message.sent events only.
        let raw = try RawHTTPClient(port: server.port)
        try raw.send(Array("GET /v1/events/stream?type=message.sent&tail=2 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(TestGateway.adminKey)\r\n\r\n".utf8))
        var text = ""
        let deadline = Date().addingTimeInterval(5)
        while text.components(separatedBy: "event: message.sent").count < 3, Date() < deadline {
            text += String(decoding: try raw.readAvailable(), as: UTF8.self)
        }
        XCTAssertTrue(text.contains("\"m4\"") && text.contains("\"m5\""), text)
        XCTAssertFalse(text.contains("\"m3\""), text)
        XCTAssertEqual(try api.get("/v1/events/stream?tail=1001").errorCode, "invalid_request")
    }
}
