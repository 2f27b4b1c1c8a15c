import CurlTransport
import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// `switchboard doctor` against good and broken configs, a provider that accepts the key, one that rejects it,
/// one that is not there, and webhook targets the SSRF rules refuse.
final class DoctorTests: XCTestCase {
    private var directory: TemporaryDirectory!
    /// A WAHA-like provider on loopback: `X-Api-Key: good-key` lists no groups; any other key is 401.
    private var provider: HTTPServer!
    private let seen = LockedValue<[String]>([])

    override func setUpWithError() throws {
        directory = TemporaryDirectory()
        var router = Router()
        let seen = self.seen
        router.fallback = Route("*", "*", .inline { context in
            seen.withLock { $0.append("\(context.request.method) \(context.request.target)") }
            guard context.request.headers["x-api-key"] == "good-key" else { return .json(["message": "Unauthorized"], status: 401) }
            return .json([], status: 200)
        })
        provider = HTTPServer(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 1), router: router, logger: .discard, metrics: MetricsRegistry(),
            accessLog: false, renderError: { _, _ in .json(["message": "bad request"], status: 400) })
        try provider.start()
    }

    override func tearDown() {
        provider.stop()
        directory.remove()
    }

    private func config(_ text: String) throws -> String {
        let path = directory.file("config-\(UUID().uuidString).json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func waha(baseURL: String? = nil, extra: String = "") -> String {
        """
        {"providers": {"waha": {"kind": "waha", "baseUrl": "\(baseURL ?? "http://127.0.0.1:\(provider.port!)")", "credentials": {"apiKey": "${DOCTOR_WAHA_KEY}"}}},
         "sessions": {"team": {"provider": "waha", "account": {"session": "default"}}}\(extra)}
        """
    }

    private func run(_ path: String?, environment: [String: String] = [:], resolver: @escaping @Sendable (String) -> [String] = { _ in ["93.184.215.14"] })
        throws -> [Doctor.Check]
    {
        let doctor = Doctor(
            configPath: path, dataOverride: directory.file("data"), environment: environment, transport: CurlTransport(), resolver: resolver,
            providerTimeout: 3)
        return try runBlocking { await doctor.run() }
    }

    private func failures(_ checks: [Doctor.Check]) -> [String] { checks.filter { $0.outcome == .fail }.map(\.line) }

    func testGoodConfigPassesWithAReadOnlyCallAccepted() throws {
        let path = try config(waha(extra: #", "webhooks": {"subscribers": {"crm": {"url": "https://hooks.example.com/in", "secret": "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}"#))
        let checks = try run(path, environment: ["DOCTOR_WAHA_KEY": "good-key"])
        XCTAssertEqual(failures(checks), [])
        XCTAssertEqual(Doctor.exitStatus(checks), 0)
        let lines = checks.map(\.line).joined(separator: "\n")
        XCTAssertTrue(lines.contains("sessions.team → waha: http://127.0.0.1:\(provider.port!) answered; credentials accepted (0 groups)"), lines)
        XCTAssertTrue(lines.contains("webhooks.subscribers.crm: https://hooks.example.com/in is an allowed target"), lines)
        XCTAssertEqual(seen.get().map { $0.split(separator: " ")[0] }, ["GET"], "one read-only call: \(seen.get())")
    }

    func testRejectedKeyFailsWithTheCredentialsToCheck() throws {
        let checks = try run(try config(waha()), environment: ["DOCTOR_WAHA_KEY": "wrong-key"])
        let failed = failures(checks)
        XCTAssertEqual(failed.count, 1, "\(failed)")
        XCTAssertTrue(failed[0].contains("credentials refused") && failed[0].contains("fix: check providers.waha.credentials"), failed[0])
        XCTAssertEqual(Doctor.exitStatus(checks), 1)
    }

    func testUnreachableProviderSaysSo() throws {
        // A port that was just closed: nothing listens there.
        let gone = HTTPServer(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 1), router: Router(), logger: .discard, metrics: MetricsRegistry(),
            accessLog: false, renderError: { _, _ in .json([:], status: 400) })
        try gone.start()
        let port = gone.port!
        gone.stop()
        let failed = failures(try run(try config(waha(baseURL: "http://127.0.0.1:\(port)")), environment: ["DOCTOR_WAHA_KEY": "good-key"]))
        XCTAssertEqual(failed.count, 1, "\(failed)")
        XCTAssertTrue(failed[0].contains("cannot reach http://127.0.0.1:\(port)") && failed[0].contains("fix: check providers.waha.baseUrl"), failed[0])
    }

    func testBrokenConfigsEachNameTheirProblemAndFix() throws {
        let cases: [(String, [String: String], [String])] = [
            (#"{"sever": {"port": 8080}}"#, [:], ["FAIL  sever: unknown key", "fix: remove the key or correct its spelling"]),
            (#"{"server": {"port": 8080,}}"#, [:], ["FAIL  config: ", "is not valid JSON", "fix: correct the JSON syntax"]),
            (waha(), [:], ["FAIL  providers.waha.credentials.apiKey: refers to ${DOCTOR_WAHA_KEY}, which is not set", "fix: export DOCTOR_WAHA_KEY=…"]),
            (#"{"providers": {"w": {"kind": "waha", "baseUrl": "${A_URL}", "credentials": {"apiKey": "${A_KEY}"}}}}"#, [:],
             ["providers.w.baseUrl: refers to ${A_URL}", "providers.w.credentials.apiKey: refers to ${A_KEY}"]),
            (#"{"providers": {"w": {"kind": "waha", "baseUrl": "${bad-name}"}}}"#, [:],
             ["FAIL  providers.w.baseUrl: '${bad-name}' is not a valid environment variable reference", "fix: write references as ${NAME}"]),
            (waha(baseURL: "ftp://provider.example.com"), ["DOCTOR_WAHA_KEY": "k"], ["FAIL  providers.waha.baseUrl: must be an absolute http(s) URL", "fix: use an absolute http(s) URL"]),
            (#"{"providers": {"x": {"kind": "wahaa", "baseUrl": "http://127.0.0.1:1"}}}"#, [:], ["FAIL  providers.x.kind: unknown provider kind 'wahaa'", "fix: use one of: native, waha"]),
            (#"{"providers": {"x": {"kind": "waxum", "baseUrl": "http://127.0.0.1:1"}}}"#, [:], ["FAIL  providers.x.credentials: waxum needs credentials.token"]),
            (#"{"sessions": {"team": {"provider": "nope"}}}"#, [:], ["FAIL  sessions.team.provider: names provider 'nope'"]),
        ]
        for (text, environment, expected) in cases {
            let checks = try run(try config(text), environment: environment)
            let output = checks.map(\.line).joined(separator: "\n")
            XCTAssertEqual(Doctor.exitStatus(checks), 1, output)
            for fragment in expected { XCTAssertTrue(output.contains(fragment), "expected '\(fragment)' in:\n\(output)") }
            XCTAssertTrue(seen.get().isEmpty, "a broken config calls no provider: \(seen.get())")
        }
    }

    func testWebhookTargetsAreCheckedAgainstTheSSRFRules() throws {
        let secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let subscribers = #"{"webhooks": {"subscribers": {"lan": {"url": "http://10.0.0.5/hook", "secret": "\#(secret)"}, "typo": {"url": "https://no-such-host.invalid/x", "secret": "\#(secret)"}}}}"#
        let resolver: @Sendable (String) -> [String] = { $0 == "no-such-host.invalid" ? [] : ["93.184.215.14"] }
        let failed = failures(try run(try config(subscribers), resolver: resolver))
        XCTAssertEqual(failed.count, 2, "\(failed)")
        XCTAssertTrue(failed.contains { $0.contains("webhooks.subscribers.lan") && $0.contains("10.0.0.5, a private") && $0.contains("allowPrivateTargets") }, "\(failed)")
        XCTAssertTrue(failed.contains { $0.contains("webhooks.subscribers.typo") && $0.contains("does not resolve") }, "\(failed)")
        let allowed = try run(try config(subscribers.replacingOccurrences(of: #"{"webhooks": {"#, with: #"{"webhooks": {"allowPrivateTargets": true, "#)), resolver: resolver)
        XCTAssertEqual(failures(allowed), [], "private targets allowed by the config")
    }

    func testSubscriptionsStoredByTheAPIAreCheckedToo() throws {
        let server = try TestGateway(directory: TemporaryDirectory()) { $0.webhooks.allowPrivateTargets = true }
        XCTAssertEqual(try server.client().post("/v1/webhooks", ["url": "http://127.0.0.1:9/hook"]).status, 201)
        server.stop()
        defer { server.cleanUp() }
        let doctor = Doctor(configPath: nil, dataOverride: server.directory.path, environment: [:], transport: CurlTransport())
        let checks = try runBlocking { await doctor.run() }
        let failed = failures(checks)
        XCTAssertTrue(checks.contains { $0.subject == "data" && $0.detail.contains("1 active subscriptions") }, "\(checks.map(\.line))")
        XCTAssertEqual(failed.count, 1, "\(failed)")
        XCTAssertTrue(failed[0].contains("127.0.0.1, a loopback address"), failed[0])
    }

    func testCommandPrintsOneLinePerCheckAndExitsWithTheVerdict() throws {
        let binary = Script.repositoryRoot + "/.build/debug/switchboard"
        let good = try Script.run(binary, ["doctor", "--data", directory.file("fresh")])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains("ok    config: none given") && good.output.contains("doctor: 4 checks, 0 failed"), good.output)
        let bad = try Script.run(binary, ["doctor", "--config", try config(#"{"log": {"level": "loud"}}"#), "--data", directory.file("fresh")])
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.output.contains("FAIL  log.level: must be one of"), bad.output)
        XCTAssertTrue(bad.output.contains("doctor: 1 checks, 1 failed"), bad.output)
    }
}
