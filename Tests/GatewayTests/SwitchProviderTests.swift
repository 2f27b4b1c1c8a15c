import Foundation
import JSONCore
import Support
import Switchboard
import TestSupport
import XCTest

/// `examples/switch-provider.sh`, unchanged, against session `team` on each of the six providers: the native
/// engine, and the five remote ones through fake providers on loopback that answer from the contract fixtures
/// over real HTTP. Switching is the config (`examples/config/<provider>.json`).
final class SwitchProviderTests: XCTestCase {
    private func runScript(config name: String, environment: [String: String]) throws -> String {
        let config = try GatewayConfig.load(file: Script.repositoryRoot + "/examples/config/\(name).json", environment: environment)
        let server = try TestGateway(config: config)
        defer { server.cleanUp() }
        let (status, output) = try server.runExample("switch-provider.sh", ["team"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("✓ session 'team' on provider — HTTP 200 \(name)"), output)
        XCTAssertTrue(output.contains("switch-provider: 0 unexpected answer(s)"), output)
        return output
    }

    /// Runs the script against a fake `provider`; `environment` gets `urlVariable` pointing at it. Only the session
    /// status call (`statusCall`, not a capability, so not in the fixtures) may be unknown to the fake.
    private func throughFake(_ provider: String, urlVariable: String, statusCall: String, environment: [String: String]) throws -> String {
        let fake = try FakeProvider(provider: provider, fixtures: Script.repositoryRoot + "/Contract/Fixtures")
        let port = try fake.start()
        defer { fake.stop() }
        let output = try runScript(config: provider, environment: environment.merging([urlVariable: "http://127.0.0.1:\(port)"]) { $1 })
        XCTAssertEqual(Set(fake.unknownRequests.get()).subtracting([statusCall]), [], "every other provider call was one the fixtures know\n\(output)")
        XCTAssertGreaterThan(fake.counts.get().answered, 0)
        return output
    }

    func testNative() throws {
        let output = try runScript(config: "native", environment: [:])
        XCTAssertTrue(output.contains("✓ send text — HTTP 201 sent"), output)
        XCTAssertTrue(output.contains("✓ list join requests"), output)
    }

    func testWAHA() throws {
        let output = try throughFake(
            "waha", urlVariable: "WAHA_URL", statusCall: "GET /api/sessions/default", environment: ["WAHA_API_KEY": "test-key", "WAHA_WEBHOOK_SECRET": "test-secret", "WAHA_SESSION": "default"])
        XCTAssertTrue(output.contains("✓ send text — HTTP 201 sent"), output)
        XCTAssertTrue(output.contains("– require approval to join — unsupported_operation"), output)
        XCTAssertTrue(output.contains("– list join requests — unsupported_operation"), output)
    }

    func testWaxum() throws {
        let output = try throughFake(
            "waxum", urlVariable: "WAXUM_URL", statusCall: "GET /api/v1/sessions/my-session/status",
            environment: ["WAXUM_TOKEN": "test-token", "WAXUM_WEBHOOK_SECRET": "test-secret", "WAXUM_SESSION": "my-session"])
        XCTAssertTrue(output.contains("✓ send text — HTTP 201 sent"), output)
        XCTAssertTrue(output.contains("– delete the group — unsupported_operation"), output)
    }

    func testWalytic() throws {
        let output = try throughFake(
            "walytic", urlVariable: "WALYTIC_URL", statusCall: "GET /api/whatsapp/session-15550000001/status",
            environment: ["WALYTIC_API_KEY": "test-key", "WALYTIC_WEBHOOK_TOKEN": "test-token", "WALYTIC_SESSION": "session-15550000001"])
        XCTAssertTrue(output.contains("✓ list groups"), output)
        XCTAssertTrue(output.contains("✓ send text — HTTP 201 sent"), output)
        XCTAssertTrue(output.contains("– create group 'Team' — unsupported_operation"), output)
    }

    func testTalkNTalk() throws {
        let output = try throughFake(
            "talkntalk", urlVariable: "TALKNTALK_URL", statusCall: "GET /v1/whatsapp/phones/",
            environment: [
                "TALKNTALK_API_KEY": "tk_live_test0000000000000000000000000000", "TALKNTALK_WEBHOOK_SECRET": "test-secret",
                "TALKNTALK_PHONE_CHAT_ID": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            ])
        XCTAssertTrue(output.contains("✓ list groups — HTTP 200 3"), output)  // both pages of the fixture
        XCTAssertTrue(output.contains("✓ send text — HTTP 201 sent"), output)
        XCTAssertTrue(output.contains("– get the group — unsupported_operation"), output)
    }

    func testA1Base() throws {
        let output = try throughFake(
            "a1base", urlVariable: "A1BASE_URL", statusCall: "-",
            environment: ["A1BASE_API_KEY": "test-key", "A1BASE_API_SECRET": "test-secret", "A1BASE_ACCOUNT_ID": "acc_123", "A1BASE_FROM": "+15550000001"])
        XCTAssertTrue(output.contains("✓ create group 'Team' — HTTP 201 chat_123456789"), output)
        XCTAssertTrue(output.contains("✓ send text — HTTP 202 queued"), output)
        XCTAssertTrue(output.contains("– list groups — unsupported_operation"), output)
    }
}
