import ContractKit
import CurlTransport
import Foundation
import Switchboard
import TestSupport
import XCTest

/// `switchboard contract record` against a fake WAHA on loopback: reads only unless writes are allowed, every
/// written fixture replays green, and no configured secret or real-looking phone number survives in the output.
final class ContractRecorderTests: XCTestCase {
    private let apiKey = "live-key-7f3a9c1e5b"
    private let webhookSecret = "live-hmac-2d4f6a8c0e"
    private let participant = "+447700900123"  // Ofcom's range reserved for drama: never a real subscriber

    private func record(allowWrites: Bool) async throws -> (directory: TemporaryDirectory, written: [String], skipped: [String], fake: FakeProvider) {
        let fake = try FakeProvider(provider: "waha", fixtures: Script.repositoryRoot + "/Contract/Fixtures")
        let port = try fake.start()
        let config = try GatewayConfig.wahaExample(url: "http://127.0.0.1:\(port)", apiKey: apiKey, webhookSecret: webhookSecret)
        let recorder = try ContractRecorder(config: config, session: "team", allowWrites: allowWrites, participant: participant)
        let directory = TemporaryDirectory()
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let (written, skipped) = try await recorder.record(into: directory.path, transport: transport)
        return (directory, written, skipped, fake)
    }

    func testReadOnlyByDefault() async throws {
        let (directory, written, skipped, fake) = try await record(allowWrites: false)
        defer { fake.stop(); directory.remove() }
        let names = Set(written.map { URL(fileURLWithPath: $0).lastPathComponent })
        XCTAssertTrue(names.contains("groups-list.json"), "\(names)")
        for write in ["groups-create.json", "messages-text.json", "groups-delete.json", "participants-add.json"] {
            XCTAssertFalse(names.contains(write), "\(write) must not run without --allow-writes")
        }
        XCTAssertTrue(skipped.contains { $0.hasPrefix("groups.create (changes the account") }, "\(skipped)")
        let recorded = try written.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        XCTAssertFalse(recorded.contains("\"POST\"") || recorded.contains("\"PUT\"") || recorded.contains("\"DELETE\""), "a read-only run made a write call")
    }

    func testWritesRecordedRedactedAndReplayGreen() async throws {
        let (directory, written, _, fake) = try await record(allowWrites: true)
        defer { fake.stop(); directory.remove() }
        let names = Set(written.map { URL(fileURLWithPath: $0).lastPathComponent })
        for expected in ["groups-create.json", "messages-text.json", "participants-add.json", "groups-delete.json", "messages-audio.json"] {
            XCTAssertTrue(names.contains(expected), "\(expected) missing from \(names.sorted())")
        }
        let recorded = try written.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        for secret in [apiKey, webhookSecret, "447700900123"] {
            XCTAssertFalse(recorded.contains(secret), "'\(secret)' survived redaction")
        }
        XCTAssertTrue(recorded.contains("redacted-apiKey"))

        let results = await ContractSuite.runner().run(directory: directory.path)
        XCTAssertEqual(results.count, written.count)
        XCTAssertTrue(results.allSatisfy(\.passed), ContractRunner.report(results))
        // The undeclared capability is recorded as unsupported, with no call.
        let audio = try String(contentsOfFile: directory.path + "/waha/recorded/messages-audio.json", encoding: .utf8)
        XCTAssertTrue(audio.contains("\"unsupported\": true") && audio.contains("\"exchanges\": []"), audio)
    }

    func testRedactorKeepsIdsTimestampsAndGroupIds() {
        let redactor = Redactor(secrets: ["apiKey": "sekret-value"])
        XCTAssertEqual(redactor.redact("Bearer sekret-value"), "Bearer redacted-apiKey")
        XCTAssertEqual(redactor.redact("120363022345678901@g.us"), "120363022345678901@g.us", "18-digit group ids are not phones")
        XCTAssertEqual(redactor.redact("3EB0123456789012ABCD"), "3EB0123456789012ABCD", "digits inside a word are not phones")
        XCTAssertEqual(redactor.redact("1795255200"), "1795255200", "epoch seconds are kept")
        let first = redactor.redact("+447700900123")
        XCTAssertNotEqual(first, "+447700900123")
        XCTAssertEqual(redactor.redact("447700900123@c.us"), String(first.dropFirst()) + "@c.us", "the same number maps to the same placeholder")
    }
}
