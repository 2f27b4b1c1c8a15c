import TestSupport
import XCTest

/// Provider credentials, webhook secrets, the JWT secret and API keys never appear in logs, error bodies,
/// `/metrics`, events or `GET` answers (Tests/Scripts/secrets_grep.py greps a whole run for every one of them).
final class SecretHygieneTests: XCTestCase {
    func testAFullRunLeaksNoConfiguredSecret() throws {
        let (status, output) = try Script.run("python3", [Script.path("secrets_grep.py"), Script.repositoryRoot + "/.build/debug/switchboard"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("secrets: clean"), output)
        XCTAssertFalse(output.contains("LEAK"), output)
    }
}
