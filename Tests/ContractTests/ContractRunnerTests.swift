import ContractKit
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support
import Switchboard
import TestSupport
import XCTest

/// The runner itself: a broken adapter, a broken normalizer, a wrong call order and a malformed fixture each turn
/// the suite red with a message that says where.
final class ContractRunnerTests: XCTestCase {
    private let directory = ContractSuiteTests.fixtures

    /// The WAHA entry with its results tampered by `tamper`: any mapping mistake must fail some fixture.
    private func tampered(_ tamper: @escaping @Sendable (OperationResult) -> OperationResult) -> ProviderKindEntry {
        let real = ProviderCatalog.entry("waha")!
        return ProviderKindEntry(descriptor: real.descriptor, webhook: real.webhook, webhookSecretKey: real.webhookSecretKey) { setup throws(GatewayError) in
            TamperedAdapter(inner: try real.makeAdapter(setup), tamper: tamper)
        }
    }

    private func failures(_ entry: ProviderKindEntry) async -> [ContractRunner.CaseResult] {
        await ContractRunner(catalog: [entry]).run(directory: directory, provider: "waha").filter { !$0.passed }
    }

    func testBrokenParticipantMappingTurnsTheSuiteRed() async {
        let broken = tampered { result in
            guard case .participants(let results) = result else { return result }
            return .participants(results.map { ParticipantResult(id: $0.id, status: $0.status == .added ? .alreadyMember : $0.status) })
        }
        let failed = await failures(broken)
        XCTAssertFalse(failed.isEmpty)
        XCTAssertTrue(failed.contains { $0.failure?.contains("status") == true }, ContractRunner.report(failed))
    }

    func testBrokenGroupMappingTurnsTheSuiteRed() async {
        let broken = tampered { result in
            guard case .group(var group) = result else { return result }
            group.name = group.name.map { $0 + " " }
            return .group(group)
        }
        let failed = await failures(broken)
        XCTAssertFalse(failed.isEmpty)
    }

    func testBrokenSendMappingTurnsTheSuiteRed() async {
        let broken = tampered { result in
            guard case .sent(var outcome) = result else { return result }
            outcome.status = .queued
            return .sent(outcome)
        }
        let failed = await failures(broken)
        XCTAssertFalse(failed.isEmpty)
    }

    func testBrokenWebhookNormalizerTurnsTheSuiteRed() async {
        let real = ProviderCatalog.entry("waha")!
        let broken = ProviderKindEntry(descriptor: real.descriptor, webhook: SwappingNormalizer(inner: real.webhook!), webhookSecretKey: "webhookSecret", makeAdapter: real.makeAdapter)
        let failed = await failures(broken)
        XCTAssertTrue(failed.contains { $0.label.contains("webhooks/") }, ContractRunner.report(failed))
    }

    func testOutOfOrderCallFailsWithADiff() async throws {
        let file = try fixtureFile(#"""
            {"format": 1, "provider": "waha", "kind": "operation", "name": "wrong path", "source": "test", "recordedAt": "2026-11-21",
             "account": {"session": "default"}, "credentials": {"apiKey": "k"},
             "operation": {"name": "groups.leave", "path": {"group": "1@g.us"}},
             "exchanges": [{"request": {"method": "POST", "path": "/api/default/groups/2@g.us/leave"}, "response": {"status": 200, "body": true}}],
             "expect": {"result": {}}}
            """#)
        let result = await ContractRunner(catalog: ProviderCatalog.remote).run(try Fixture.load(file: file.path, label: "waha/test/wrong-path"))
        XCTAssertFalse(result.passed)
        XCTAssertTrue(result.failure?.contains("path: expected /api/default/groups/2@g.us/leave but got /api/default/groups/1@g.us/leave") == true, result.failure ?? "")
    }

    func testMissingCallFails() async throws {
        let file = try fixtureFile(#"""
            {"format": 1, "provider": "waha", "kind": "operation", "name": "one call too few", "source": "test", "recordedAt": "2026-11-21",
             "account": {"session": "default"}, "credentials": {"apiKey": "k"},
             "operation": {"name": "groups.leave", "path": {"group": "1@g.us"}},
             "exchanges": [{"request": {"method": "POST", "path": "/api/default/groups/1@g.us/leave"}, "response": {"status": 200, "body": true}},
                           {"request": {"method": "GET", "path": "/api/default/groups"}, "response": {"status": 200, "body": []}}],
             "expect": {"result": {}}}
            """#)
        let result = await ContractRunner(catalog: ProviderCatalog.remote).run(try Fixture.load(file: file.path, label: "waha/test/missing"))
        XCTAssertEqual(result.failure, "expected call 2 was not made: GET /api/default/groups")
    }

    func testMalformedAndUnknownFixturesFailClearly() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path + "/waha/x", withIntermediateDirectories: true)
        try "{not json".write(toFile: folder.path + "/waha/x/broken.json", atomically: true, encoding: .utf8)
        try #"{"format": 1, "provider": "nosuch", "kind": "operation", "name": "n", "operation": {"name": "groups.list"}, "expect": {"result": {}}}"#
            .write(toFile: folder.path + "/waha/x/unknown-provider.json", atomically: true, encoding: .utf8)
        try #"{"format": 1, "provider": "waha", "kind": "operation", "name": "n", "account": {"session": "s"}, "operation": {"name": "groups.fly"}, "expect": {"result": {}}}"#
            .write(toFile: folder.path + "/waha/x/unknown-operation.json", atomically: true, encoding: .utf8)
        let results = await ContractRunner(catalog: ProviderCatalog.remote).run(directory: folder.path)
        XCTAssertEqual(results.count, 3)
        XCTAssertTrue(results.allSatisfy { !$0.passed })
        let report = ContractRunner.report(results)
        XCTAssertTrue(report.contains("waha/x/broken: not valid JSON"), report)
        XCTAssertTrue(report.contains("unknown provider 'nosuch'"), report)
        XCTAssertTrue(report.contains("'groups.fly' is not a capability name"), report)
        XCTAssertTrue(report.hasSuffix("contract: 0 passed, 3 failed"), report)
    }

    func testVerifyCommandPrintsLinesAndExitsNonZeroOnFailure() throws {
        let binary = Script.repositoryRoot + "/.build/debug/switchboard"
        let good = try Script.run(binary, ["contract", "verify", "--fixtures", directory, "--provider", "waha"])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains("PASS waha/"), good.output)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path + "/waha/x", withIntermediateDirectories: true)
        try "{}".write(toFile: folder.path + "/waha/x/empty.json", atomically: true, encoding: .utf8)
        let bad = try Script.run(binary, ["contract", "verify", "--fixtures", folder.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.output.contains("FAIL waha/x/empty"), bad.output)
        XCTAssertTrue(bad.output.contains("contract: 0 passed, 1 failed"), bad.output)
    }

    /// `--max-age`: a fixture recorded longer ago fails as stale; a fresh one passes.
    func testMaxAgeFlagsStaleFixtures() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path + "/waha/x", withIntermediateDirectories: true)
        let source = try String(contentsOfFile: directory + "/waha/messages/send-text.json", encoding: .utf8)
        try source.replacingOccurrences(of: "\"recordedAt\": \"2026-11-21\"", with: "\"recordedAt\": \"2020-01-01\"")
            .write(toFile: folder.path + "/waha/x/old.json", atomically: true, encoding: .utf8)
        try source.write(toFile: folder.path + "/waha/x/fresh.json", atomically: true, encoding: .utf8)
        let binary = Script.repositoryRoot + "/.build/debug/switchboard"
        let strict = try Script.run(binary, ["contract", "verify", "--fixtures", folder.path, "--max-age", "90d"])
        XCTAssertEqual(strict.status, 1, strict.output)
        XCTAssertTrue(strict.output.contains("FAIL waha/x/old"), strict.output)
        XCTAssertTrue(strict.output.contains("stale: recorded"), strict.output)
        XCTAssertTrue(strict.output.contains("PASS waha/x/fresh"), strict.output)
        let lenient = try Script.run(binary, ["contract", "verify", "--fixtures", folder.path])
        XCTAssertEqual(lenient.status, 0, lenient.output)
    }

    private func fixtureFile(_ text: String) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "fixture-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// An adapter whose results pass through `tamper`.
private struct TamperedAdapter: ProviderAdapter {
    let inner: any ProviderAdapter
    let tamper: @Sendable (OperationResult) -> OperationResult
    var descriptor: ProviderDescriptor { inner.descriptor }
    func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        tamper(try await inner.perform(operation, on: binding))
    }
    func status(of binding: SessionBinding) async -> SessionStatus { await inner.status(of: binding) }
}

/// A normalizer that reports joins as leaves: a mapping mistake the webhook fixtures must catch.
private struct SwappingNormalizer: WebhookNormalizer {
    let inner: any WebhookNormalizer
    var scheme: String { inner.scheme }
    func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection) { try inner.verify(webhook, secret: secret, now: now) }
    func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent] {
        try inner.normalize(webhook, context: context).map { event in
            var swapped = event
            if event.type == .participantsPromoted { swapped.type = .participantsDemoted }
            if event.type == .messageReceived { swapped.type = .messageSent }
            return swapped
        }
    }
    func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)? {
        inner.signature(for: body, headers: headers, secret: secret)
    }
}
