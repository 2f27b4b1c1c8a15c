import Foundation
import TestSupport
import XCTest

/// The README tour of the native engine (`examples/native-tour.sh`, curl only) against a fresh default server,
/// and SIGKILL durability of everything the server acknowledged.
final class NativeTourTests: XCTestCase {
    func testNativeTourScriptPassesAndCanBeRepeated() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        for run in 1...2 {
            let (status, output) = try server.runExample("native-tour.sh")
            XCTAssertEqual(status, 0, "run \(run):\n\(output)")
            XCTAssertTrue(output.contains("Tour complete: 27 checks passed."), "run \(run):\n\(output)")
            XCTAssertFalse(output.contains("✗"), output)
        }
    }

    func testTourScriptFailsLoudlyOnAnUnexpectedAnswer() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let (status, output) = try server.runExample("native-tour.sh", key: "wrong-key-0123456789")
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("✗ 1. create session"), output)
        XCTAssertTrue(output.contains("expected HTTP 201, got 401"), output)
    }

    func testSIGKILLMidLoadLosesNothingAcknowledged() throws {
        let binary = Script.repositoryRoot + "/.build/debug/switchboard"
        let (status, output) = try Script.run("python3", [Script.path("kill_recovery.py"), binary, "3"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("nothing lost"), output)
        XCTAssertEqual(output.components(separatedBy: "\n").filter { $0.hasPrefix("round ") }.count, 3, output)
    }
}
