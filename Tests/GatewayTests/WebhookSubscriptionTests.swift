import Foundation
import JSONCore
import Support
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// Outbound webhooks over the API: the address policy, dead letters and manual retry, automatic disabling,
/// filters, secrets shown once, and scoped keys. The subscriber-side behaviour (signatures checked by a
/// third-party verifier, faults, SIGKILL, order, rotation) is `webhook_faults.py`.
final class WebhookSubscriptionTests: XCTestCase {
    /// A port with nothing listening on it.
    private func closedPort() throws -> Int {
        let listener = try TestGateway()
        let port = listener.port
        listener.cleanUp()
        return port
    }

    private func waitUntil(_ what: String, timeout: Double = 10, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting until \(what)")
    }

    func testPrivateLoopbackAndLinkLocalTargetsAreRefusedByDefault() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try server.client()
        for (url, range) in [("http://127.0.0.1:9/hook", "loopback"), ("http://localhost:9/hook", "loopback"), ("http://169.254.169.254/", "link-local"),
                             ("http://10.0.0.8/", "private")] {
            let response = try client.post("/v1/webhooks", ["url": .string(url)])
            XCTAssertEqual(response.status, 400, url)
            XCTAssertEqual(response.errorCode, "invalid_request", url)
            XCTAssertEqual(response.json?["error"]?["details"]?["range"]?.stringValue, range, response.text)
            XCTAssertTrue(response.text.contains("allowPrivateTargets"), response.text)
        }
        XCTAssertEqual(try client.request("GET", "/v1/webhooks").json?["data"]?.arrayValue?.count, 0, "nothing was stored")
    }

    func testMetricsCountWaitingDeliveriesAndTheOldestOnesAge() throws {
        let server = try TestGateway { $0.webhooks.allowPrivateTargets = true }
        defer { server.cleanUp() }
        let client = try server.client()
        func metric(_ name: String) throws -> Double? {
            MetricsText.value(name, in: try server.client(key: nil).get("/metrics").text)
        }
        // A paused subscriber for group events gets delivery rows that wait; one for an event that never happens gets none.
        let paused = try XCTUnwrap(try client.post("/v1/webhooks", ["url": "http://127.0.0.1:9/paused", "events": ["group.*"]]).json?["id"]?.stringValue)
        XCTAssertEqual(try client.request("PATCH", "/v1/webhooks/\(paused)", json: ["status": "disabled"]).status, 200)
        XCTAssertEqual(try client.post("/v1/webhooks", ["url": "http://127.0.0.1:9/idle", "events": ["presence.typing"]]).status, 201)
        XCTAssertEqual(try metric("switchboard_webhook_pending"), 0)
        XCTAssertEqual(try client.post("/v1/sessions", ["id": "bob", "provider": "native", "phone": "+15550009002"]).status, 201)
        XCTAssertEqual(try client.post("/v1/sessions/default/groups", ["name": "Metrics", "participants": ["+15550009002"]]).status, 201)
        let events = try XCTUnwrap(client.request("GET", "/v1/events?limit=1000").json?["data"]?.arrayValue)
        let groupEvents = events.filter { $0["type"]?.stringValue?.hasPrefix("group.") == true }.count
        XCTAssertGreaterThan(groupEvents, 0)
        try waitUntil("every group event waits for the paused subscriber") { try metric("switchboard_webhook_pending") == Double(groupEvents) }
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(try metric("switchboard_webhook_lag_seconds")), 0.2, "the oldest waiting delivery's age")
    }

    func testFailingDeliveriesAreDeadLetteredRetriedByHandAndTheEndpointIsDisabled() throws {
        let server = try TestGateway { config in
            config.webhooks.allowPrivateTargets = true
            config.webhooks.firstRetryDelay = 0.02
            config.webhooks.maxRetryDelay = 0.05
            config.webhooks.retryWindow = 0.3
            config.webhooks.disableAfter = 0.8
        }
        defer { server.cleanUp() }
        let client = try server.client()
        let created = try client.post("/v1/webhooks", ["url": .string("http://127.0.0.1:\(try closedPort())/hook"), "events": ["group.*"]])
        XCTAssertEqual(created.status, 201, created.text)
        let id = try XCTUnwrap(created.json?["id"]?.stringValue)
        XCTAssertTrue(created.json?["secret"]?.stringValue?.hasPrefix("whsec_") == true)
        XCTAssertNil(try client.request("GET", "/v1/webhooks/\(id)").json?["secret"], "the secret is shown once")

        // A group: group.joined for its creator, plus message events that the filter leaves out.
        XCTAssertEqual(try client.post("/v1/sessions/default/groups", ["name": "Dead letters"]).status, 201)
        XCTAssertEqual(try client.post("/v1/sessions/default/groups", ["name": "Second"]).status, 201)
        var failed: [JSON] = []
        try waitUntil("both deliveries are dead-lettered") {
            failed = try client.request("GET", "/v1/webhooks/\(id)/deliveries?status=failed").json?["data"]?.arrayValue ?? []
            return failed.count == 2
        }
        XCTAssertEqual(Set(failed.compactMap { $0["eventType"]?.stringValue }), ["group.joined"])
        let first = try XCTUnwrap(failed.last?["id"]?.stringValue)
        let detail = try client.request("GET", "/v1/webhooks/\(id)/deliveries/\(first)")
        let attempts = try XCTUnwrap(detail.json?["attemptLog"]?.arrayValue)
        XCTAssertGreaterThan(attempts.count, 1, detail.text)
        XCTAssertTrue(attempts.allSatisfy { $0["error"]?.stringValue?.hasPrefix("connection_refused") == true }, detail.text)

        // Manual retry puts it back in the queue with a fresh window.
        let retried = try client.post("/v1/webhooks/\(id)/deliveries/\(first)/retry", [:])
        XCTAssertEqual(retried.status, 202, retried.text)
        XCTAssertEqual(retried.json?["status"]?.stringValue, "pending")
        XCTAssertEqual(try client.post("/v1/webhooks/\(id)/deliveries/\(first)/retry", [:]).errorCode, "conflict", "only failed ones are retried")

        // Failing past `disableAfter`: the endpoint is disabled and says why.
        Thread.sleep(forTimeInterval: 0.8)
        XCTAssertEqual(try client.post("/v1/sessions/default/groups", ["name": "Third"]).status, 201)
        var subscription: JSON?
        try waitUntil("the endpoint is disabled") {
            subscription = try client.request("GET", "/v1/webhooks/\(id)").json
            return subscription?["status"]?.stringValue == "disabled"
        }
        XCTAssertTrue(subscription?["disabledReason"]?.stringValue?.contains("connection_refused") == true, "\(String(describing: subscription))")
        XCTAssertEqual(try client.post("/v1/webhooks/\(id)/retry", [:]).json?["retried"]?.intValue.map { $0 >= 1 }, true)

        let enabled = try client.request("PATCH", "/v1/webhooks/\(id)", json: ["status": "active"])
        XCTAssertEqual(enabled.json?["status"]?.stringValue, "active", enabled.text)
        XCTAssertEqual(enabled.json?["disabledReason"], .null)
        XCTAssertEqual(try client.request("DELETE", "/v1/webhooks/\(id)").status, 204)
        XCTAssertEqual(try client.request("GET", "/v1/webhooks/\(id)/deliveries").errorCode, "subscription_not_found")
    }

    func testScopedKeysManageOnlyTheirOwnSubscriptionsForTheirOwnSessions() throws {
        let server = try TestGateway { $0.webhooks.allowPrivateTargets = true }
        defer { server.cleanUp() }
        let admin = try server.client()
        XCTAssertEqual(try admin.post("/v1/sessions", ["id": "other", "provider": "native", "phone": "+15550009001"]).status, 201)
        let key = try XCTUnwrap(try admin.post("/v1/keys", ["name": "tenant", "sessions": ["default"]]).json?["key"]?.stringValue)
        let tenant = try server.client(key: key)
        let adminSubscription = try XCTUnwrap(try admin.post("/v1/webhooks", ["url": "http://127.0.0.1:9/a"]).json?["id"]?.stringValue)

        let own = try tenant.post("/v1/webhooks", ["url": "http://127.0.0.1:9/b"])
        XCTAssertEqual(own.status, 201, own.text)
        XCTAssertEqual(own.json?["sessions"], ["default"], "a scoped key's subscription covers its own sessions")
        XCTAssertEqual(try tenant.post("/v1/webhooks", ["url": "http://127.0.0.1:9/c", "sessions": ["other"]]).errorCode, "session_not_found")
        XCTAssertEqual(try tenant.request("GET", "/v1/webhooks").json?["data"]?.arrayValue?.count, 1)
        for (method, path) in [("GET", ""), ("DELETE", ""), ("POST", "/rotate"), ("GET", "/deliveries")] {
            let response = try tenant.request(method, "/v1/webhooks/\(adminSubscription)\(path)", json: method == "POST" ? [:] : nil)
            XCTAssertEqual(response.errorCode, "subscription_not_found", "\(method) \(path): \(response.text)")
        }
        XCTAssertEqual(try admin.request("GET", "/v1/webhooks").json?["data"]?.arrayValue?.count, 2, "admins see every subscription")
    }

    func testBadSubscriptionsAreRefusedWithTheFieldNamed() throws {
        let server = try TestGateway { $0.webhooks.allowPrivateTargets = true }
        defer { server.cleanUp() }
        let client = try server.client()
        let cases: [(JSON, String)] = [
            (["url": "ftp://example.com/x"], "url"), (["url": "http://127.0.0.1:9/x", "events": ["message.unknown"]], "events"),
            (["url": "http://127.0.0.1:9/x", "events": []], "events"), (["url": "http://127.0.0.1:9/x", "colour": "red"], "colour"),
            (["events": ["*"]], "url"),
        ]
        for (body, field) in cases {
            let response = try client.post("/v1/webhooks", body)
            XCTAssertEqual(response.status, 400, response.text)
            XCTAssertEqual(response.errorCode, "invalid_request")
            XCTAssertTrue(response.text.contains(field), "\(field): \(response.text)")
        }
    }

    func testConfiguredSubscribersKeepTheirIdAndSecretAndBadOnesNameTheirPath() throws {
        let secret = WebhookSecret.generate().text
        let text = """
            {"webhooks": {"allowPrivateTargets": true, "retry": {"firstDelaySeconds": 1, "factor": 2},
              "subscribers": {"crm": {"url": "http://127.0.0.1:9/hooks", "events": ["message.*"], "secret": "${CRM_SECRET}"}}}}
            """
        let config = try GatewayConfig.parse(try JSONParser.parse(text), environment: ["CRM_SECRET": secret])
        XCTAssertEqual(config.webhooks.firstRetryDelay, 1)
        XCTAssertEqual(config.webhooks.retryFactor, 2)
        XCTAssertEqual(config.subscribers.map(\.id), ["crm"])
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        for _ in 0..<2 {  // a restart finds it and keeps it (no duplicate)
            let server = try TestGateway(config: config, directory: directory)
            let listed = try server.client().get("/v1/webhooks").json?["data"]?.arrayValue ?? []
            XCTAssertEqual(listed.compactMap { $0["id"]?.stringValue }, ["crm"])
            XCTAssertEqual(listed.first?["events"], ["message.*"])
            server.stop()
        }
        for (bad, fragment) in [
            (#"{"webhooks": {"subscribers": {"crm": {"url": "http://x/h", "secret": "nope"}}}}"#, "webhooks.subscribers.crm.secret"),
            (#"{"webhooks": {"subscribers": {"crm": {"url": "gopher://x/h", "secret": "\#(secret)"}}}}"#, "webhooks.subscribers.crm.url"),
            (#"{"webhooks": {"retry": {"factor": 50}}}"#, "webhooks.retry.factor"),
            (#"{"webhooks": {"allowPrivate": true}}"#, "webhooks.allowPrivate"),
        ] {
            XCTAssertThrowsError(try GatewayConfig.parse(try JSONParser.parse(bad), environment: [:]), bad) { error in
                XCTAssertTrue(String(describing: error).contains(fragment), "\(error)")
            }
        }
    }

    func testFaultsSIGKILLAndRotationAgainstAThirdPartyVerifier() throws {
        let binary = Script.repositoryRoot + "/.build/debug/switchboard"
        let (status, output) = try Script.run("python3", [Script.path("webhook_faults.py"), binary])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("delivered exactly once, in order"), output)
        XCTAssertTrue(output.contains("webhook faults: ok"), output)
    }
}
