import Foundation
import TestSupport
import XCTest

/// Real third-party clients against a real server: Python's http.client and curl.
final class ThirdPartyClientTests: XCTestCase {
    func testPythonHTTPClient() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let (status, output) = try Script.run("python3", [Script.path("http_client_check.py"), String(server.port), TestGateway.adminKey])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("python-http-client: 0 failed"), output)
    }

    func testCurl() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let (status, output) = try Script.run("bash", [Script.path("curl_check.sh"), String(server.port), TestGateway.adminKey])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("curl: all passed"), output)
    }
}
