import Foundation
import JSONCore
import Support
import Switchboard
import TestSupport
import XCTest

/// Health, readiness, metrics, the access log and the admin key.
final class OperationsTests: XCTestCase {
    func testReadinessChecksTheDatabase() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let ready = try server.client(key: nil).get("/readyz")
        XCTAssertEqual(ready.status, 200)
        XCTAssertEqual(ready.json?["checks"]?["database"], "ok")
    }

    func testMetricsCountRequestsByRouteAndStatus() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try server.client(key: nil)
        for _ in 0..<3 { try client.get("/healthz") }
        try client.get("/v1/sessions")
        let text = try client.get("/metrics").text
        XCTAssertTrue(text.contains(#"switchboard_http_requests_total{method="GET",route="/healthz",status="200"} 3"#), text)
        XCTAssertTrue(text.contains(#"switchboard_http_requests_total{method="GET",route="/v1/sessions",status="401"} 1"#), text)
        XCTAssertTrue(text.contains(#"switchboard_http_request_duration_seconds_count{route="/healthz"} 3"#), text)
        XCTAssertTrue(text.contains("switchboard_http_open_connections 1"), text)
    }

    func testMetricsShowTheDatabaseCommitsAndWriteAheadLog() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let created = try server.client().post("/v1/keys", ["name": "metrics-write", "sessions": ["s1"]])
        XCTAssertEqual(created.status, 201)
        let text = try server.client(key: nil).get("/metrics").text
        func value(_ name: String) -> Double? { MetricsText.value(name, in: text) }
        XCTAssertGreaterThan(try XCTUnwrap(value("switchboard_db_commits_total"), text), 0)
        XCTAssertGreaterThan(try XCTUnwrap(value("switchboard_db_wal_frames"), text), 0, "the key's commit left frames in the log")
        for name in [
            "switchboard_db_wal_restarts_total", "switchboard_db_writer_checkpoints_total", "switchboard_db_writer_checkpoint_seconds_total",
            "switchboard_db_checkpoint_syncs_total",
        ] {
            XCTAssertNotNil(value(name), "\(name) is missing:\n\(text)")
        }
    }

    /// Where a send's time goes: each durable write (queued to committed), each batch's COMMIT, and the provider call.
    func testMetricsTimeDurableWritesCommitsAndProviderSends() throws {
        let fake = try FakeProvider(provider: "waha", fixtures: Script.repositoryRoot + "/Contract/Fixtures")
        let port = try fake.start()
        defer { fake.stop() }
        let server = try TestGateway(config: try .wahaExample(url: "http://127.0.0.1:\(port)"))
        defer { server.cleanUp() }
        let metrics = try server.client(key: nil)
        func value(_ name: String) throws -> Double {
            let text = try metrics.get("/metrics").text
            return try XCTUnwrap(MetricsText.value(name, in: text), "\(name) is missing:\n\(text)")
        }
        let writesBefore = try value("switchboard_db_write_seconds_count")
        // One send (the session is paced: a second one this second would be queued, not sent).
        let client = try TestClient(port: server.port, key: TestGateway.adminKey)
        let sent = try client.post("/v1/sessions/team/messages", ["group": "120363022345678901@g.us", "text": "timed"])
        XCTAssertEqual(sent.status, 201, sent.text)
        XCTAssertEqual(try value(#"switchboard_provider_send_seconds_count{provider="waha"}"#), 1)
        XCTAssertGreaterThan(try value(#"switchboard_provider_send_seconds_sum{provider="waha"}"#), 0)
        XCTAssertEqual(try value(#"switchboard_provider_send_seconds_bucket{provider="waha",le="+Inf"}"#), 1)
        // The message with its outbox row before the call, its outcome after it.
        XCTAssertGreaterThanOrEqual(try value("switchboard_db_write_seconds_count") - writesBefore, 2)
        XCTAssertGreaterThan(try value("switchboard_db_write_seconds_sum"), 0)
        let commits = try value("switchboard_db_commit_seconds_count")
        XCTAssertGreaterThanOrEqual(commits, 2)
        XCTAssertLessThanOrEqual(commits, try value("switchboard_db_write_seconds_count"), "a commit carries one write or more")
        // A commit is part of each of its writes: the writes' total time is at least the commits'.
        XCTAssertGreaterThanOrEqual(try value("switchboard_db_write_seconds_sum"), try value("switchboard_db_commit_seconds_sum"))
    }

    func testOneStructuredLogLinePerRequestWithoutSecretsOrBodies() throws {
        let server = try TestGateway()
        let client = try server.client()
        let response = try client.post("/v1/keys", ["name": "log-check", "sessions": ["s1"]], headers: ["X-Request-Id": "log-req-1"])
        XCTAssertEqual(response.status, 201)
        let secret = try XCTUnwrap(response.json?["key"]?.stringValue)
        server.stop()
        let lines = server.logs.all.filter { $0.message == "request" && $0.metadata["requestId"] == "log-req-1" }
        XCTAssertEqual(lines.count, 1)
        let line = try XCTUnwrap(lines.first)
        XCTAssertEqual(line.metadata["method"], "POST")
        XCTAssertEqual(line.metadata["route"], "/v1/keys")
        XCTAssertEqual(line.metadata["status"], 201)
        XCTAssertNotNil(line.metadata["durationMs"]?.doubleValue)
        let everything = server.logs.text
        XCTAssertFalse(everything.contains(secret), "a created key never reaches the log")
        XCTAssertFalse(everything.contains(TestGateway.adminKey), "the admin key never reaches the log")
        XCTAssertFalse(everything.contains("log-check"), "request bodies are not logged")
        server.cleanUp()
    }

    func testGeneratedAdminKeyIsCreatedOnceAndWorks() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try TestGateway(directory: directory, environment: ["SWITCHBOARD_ADMIN_KEY": ""])
        let key = try XCTUnwrap(first.gateway.createdAdminKey?.value)
        XCTAssertTrue(key.hasPrefix("sb_"))
        XCTAssertEqual(try first.client(key: key).get("/v1/keys").status, 200)
        first.stop()
        let second = try TestGateway(directory: directory, environment: ["SWITCHBOARD_ADMIN_KEY": ""])
        defer { second.stop() }
        XCTAssertNil(second.gateway.createdAdminKey, "printed on first start only")
        XCTAssertEqual(try second.client(key: key).get("/v1/keys").status, 200, "the stored hash still verifies after a restart")
    }

    func testScopedKeyCannotUseAdminRoutes() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let created = try server.client().post("/v1/keys", ["name": "scoped", "sessions": ["s1"]])
        let scoped = try XCTUnwrap(created.json?["key"]?.stringValue)
        let response = try server.client(key: scoped).get("/v1/keys")
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(response.errorCode, "forbidden")
    }

    func testKeyCreationRefusesBadInputClearly() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try server.client()
        let cases: [(JSON, String)] = [
            (["name": "x"], "sessions"),
            (["name": "x", "admin": true, "sessions": ["a"]], "sessions"),
            (["name": "x", "sessions": ["Bad Name"]], "Session names"),
            (["name": "", "admin": true], "name"),
            (["name": "x", "admin": true, "colour": "red"], "Unknown field 'colour'"),
            (["name": "x", "admin": true, "expiresInSeconds": 5], "expiresInSeconds"),
        ]
        for (body, fragment) in cases {
            let response = try client.post("/v1/keys", body)
            XCTAssertEqual(response.status, 400, body.text)
            XCTAssertEqual(response.errorCode, "invalid_request")
            XCTAssertTrue(response.json?["error"]?["message"]?.stringValue?.contains(fragment) == true, "\(body.text) → \(response.text)")
        }
    }
}
