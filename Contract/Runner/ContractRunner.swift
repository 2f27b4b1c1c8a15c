import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// Replays fixtures through the real adapters and webhook normalizers, and reports one line per case.
public struct ContractRunner: Sendable {
    /// The outcome of one case.
    public struct CaseResult: Sendable {
        public let label: String
        public let name: String
        public let provider: String
        public let fixture: Fixture?
        /// nil when the case passed.
        public let failure: String?

        public var passed: Bool { failure == nil }
    }

    /// A native-engine world for native fixtures: a fresh engine per case (the composition root provides it).
    public typealias NativeWorld = @Sendable () async throws -> any NativeContractWorld

    private let catalog: [String: ProviderKindEntry]
    private let nativeWorld: NativeWorld?
    private let clock: any WallClock

    public init(catalog: [ProviderKindEntry], nativeWorld: NativeWorld? = nil, clock: any WallClock = SystemClock()) {
        self.catalog = Dictionary(uniqueKeysWithValues: catalog.map { ($0.kind, $0) })
        self.nativeWorld = nativeWorld
        self.clock = clock
    }

    // MARK: - Folders

    /// Every `*.json` under `directory`, labelled by its path there, sorted; unreadable ones fail with a message.
    /// With `maxAge`, a case recorded longer ago than that (or without `recordedAt`) fails as stale.
    public func run(directory: String, provider: String? = nil, maxAge: TimeInterval? = nil) async -> [CaseResult] {
        var results: [CaseResult] = []
        for (file, label) in ContractRunner.files(in: directory) {
            let fixture: Fixture
            do {
                fixture = try Fixture.load(file: file, label: label)
            } catch {
                let guessed = label.split(separator: "/").first.map(String.init) ?? "?"
                if provider == nil || provider == guessed {
                    results.append(CaseResult(label: label, name: "(unreadable fixture)", provider: guessed, fixture: nil, failure: error.description))
                }
                continue
            }
            if let provider, fixture.provider != provider { continue }
            let result = await run(fixture)
            if result.passed, let maxAge, let stale = ContractRunner.staleness(fixture, maxAge: maxAge, now: clock.now()) {
                results.append(CaseResult(label: label, name: fixture.name, provider: fixture.provider, fixture: fixture, failure: stale))
            } else {
                results.append(result)
            }
        }
        return results
    }

    /// Why `fixture` is too old to trust, or nil.
    static func staleness(_ fixture: Fixture, maxAge: TimeInterval, now: Date) -> String? {
        guard let recorded = fixture.recordedAt else { return "stale: no recordedAt (re-record it: switchboard contract record)" }
        let age = now.timeIntervalSince(recorded)
        guard age > maxAge else { return nil }
        return "stale: recorded \(Int(age / 86400)) days ago, more than the allowed \(Int(maxAge / 86400)) (re-record it: switchboard contract record)"
    }

    /// Every `*.json` file under `directory` and its label (the path there, without `.json`), sorted.
    public static func files(in directory: String) -> [(String, String)] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "json" {
            let full = url.standardizedFileURL.path
            var label = String(full.dropFirst(root.path.count))
            if label.hasPrefix("/") { label.removeFirst() }
            found.append((full, String(label.dropLast(5))))
        }
        return found.sorted { $0.1 < $1.1 }
    }

    // MARK: - One case

    public func run(_ fixture: Fixture) async -> CaseResult {
        let failure: String?
        if fixture.provider == "native" {
            failure = await runNative(fixture)
        } else if let entry = catalog[fixture.provider] {
            switch fixture.kind {
            case .operation(let operation): failure = await run(operation, of: fixture, entry: entry)
            case .webhook(let webhook): failure = run(webhook, of: fixture, entry: entry)
            }
        } else {
            failure = "unknown provider '\(fixture.provider)'; known: \(catalog.keys.sorted().joined(separator: ", "))"
        }
        return CaseResult(label: fixture.label, name: fixture.name, provider: fixture.provider, fixture: fixture, failure: failure)
    }

    private func run(_ operation: Fixture.Operation, of fixture: Fixture, entry: ProviderKindEntry) async -> String? {
        let replay = ReplayTransport(operation.exchanges)
        let adapter: any ProviderAdapter
        do {
            adapter = try entry.makeAdapter(
                AdapterSetup(
                    name: entry.kind, baseURL: ReplayTransport.baseURL, credentials: ContractRunner.secrets(fixture.credentials), timeout: 5,
                    transport: replay, clock: clock))
        } catch {
            return "the adapter could not be built from the fixture's credentials: \(error.message)"
        }
        let binding = SessionBinding(session: "contract", provider: entry.kind, kind: entry.kind, account: fixture.account)
        let (status, body) = await execute(operation, adapter: adapter, binding: binding)
        if let mismatch = replay.mismatch { return mismatch }
        return check(operation, status: status, body: body, calls: replay.callCount, missing: replay.missingCalls)
    }

    /// Decodes, checks capabilities (before any I/O), performs, renders — as the API would.
    public func execute(_ operation: Fixture.Operation, adapter: any ProviderAdapter, binding: SessionBinding) async -> (Int, JSON) {
        let now = clock.now()
        do {
            let decoded = try CanonicalOperation.decode(
                name: operation.name, path: operation.path, body: operation.body, query: operation.query, messageID: "msg_contract", now: now)
            let result = try await ProviderCall.perform(decoded, on: binding, with: adapter)
            return CanonicalOperation.render(result, for: decoded, session: binding.session, nameFilter: operation.query["name"]?.stringValue, now: clock.now())
        } catch {
            return (error.status, error.body)
        }
    }

    public func check(_ operation: Fixture.Operation, status: Int, body: JSON, calls: Int, missing: [Fixture.Exchange]) -> String? {
        if let httpStatus = operation.httpStatus, httpStatus != status {
            return "httpStatus: expected \(httpStatus) but got \(status): \(body.text)"
        }
        switch operation.expect {
        case .unsupported:
            if calls > 0 { return "expected unsupported_operation before any provider call, but \(calls) call(s) were made" }
            guard body["error"]?["code"]?.stringValue == "unsupported_operation" else {
                return "expected unsupported_operation but got \(status): \(body.text)"
            }
        case .error(let code, let expectedStatus):
            guard let actual = body["error"]?["code"]?.stringValue else { return "expected error \(code) but got \(status): \(body.text)" }
            if actual != code { return "error.code: expected \(code) but got \(actual): \(body.text)" }
            if let expectedStatus, expectedStatus != status { return "error status: expected \(expectedStatus) but got \(status)" }
        case .result(let expected):
            if body["error"]?.objectValue != nil { return "expected a result but got \(status): \(body.text)" }
            if let difference = Matcher.difference(expected: expected, actual: body, path: "result") { return difference }
        }
        if let next = missing.first { return "expected call \(operation.exchanges.count - missing.count + 1) was not made: \(next.method) \(next.path)" }
        return nil
    }

    private func run(_ webhook: Fixture.Webhook, of fixture: Fixture, entry: ProviderKindEntry) -> String? {
        guard let normalizer = entry.webhook else { return "provider '\(entry.kind)' has no webhooks" }
        let secret = entry.webhookSecretKey.flatMap { fixture.credentials[$0]?.stringValue }.map(Secret.init)
        let (_, actual) = ContractRunner.deliver(webhook, to: normalizer, secret: secret, session: "contract", now: webhook.now ?? clock.now())
        switch webhook.expect {
        case .error(let code):
            guard let got = actual["error"]?["code"]?.stringValue else { return "expected error \(code) but got events \(actual.text)" }
            return got == code ? nil : "error.code: expected \(code) but got \(got)"
        case .events(let events):
            if actual["error"]?.objectValue != nil { return "expected events but got \(actual.text)" }
            return Matcher.difference(expected: .array(events), actual: actual["events"], path: "events")
        }
    }

    /// Signs (for `"$sign"` headers), verifies and normalizes a fixture webhook; the answer is
    /// `{"events": [...]}` or `{"error": {...}}`, plus the rejection when verification failed.
    public static func deliver(_ webhook: Fixture.Webhook, to normalizer: any WebhookNormalizer, secret: Secret?, session: String, now: Date)
        -> (WebhookRejection?, JSON)
    {
        var headers = HTTPHeaders()
        var toSign: [String] = []
        for member in webhook.headers {
            let value = member.value.stringValue ?? member.value.text
            if value == "$sign" { toSign.append(member.key) } else { headers.add(member.key, value) }
        }
        for name in toSign {
            let signed = secret.flatMap { normalizer.signature(for: webhook.body, headers: headers, secret: $0) }
            headers.add(name, signed?.value ?? "")
        }
        let query = webhook.query.members.map { (name: $0.key, value: $0.value.stringValue ?? $0.value.text) }
        let inbound = InboundWebhook(headers: headers, body: webhook.body, query: query)
        do {
            try normalizer.verify(inbound, secret: secret, now: now)
        } catch {
            return (error, error.canonical.body)
        }
        do {
            let events = try normalizer.normalize(inbound, context: NormalizeContext(session: session, receivedAt: now))
            return (nil, ["events": .array(events.map(\.json))])
        } catch {
            return (nil, error.body)
        }
    }

    static func secrets(_ credentials: JSONObject) -> [String: Secret] {
        var secrets: [String: Secret] = [:]
        for member in credentials { if let value = member.value.stringValue { secrets[member.key] = Secret(value) } }
        return secrets
    }

    // MARK: - Native

    private func runNative(_ fixture: Fixture) async -> String? {
        guard let nativeWorld else { return "native fixtures need the native engine (run them through `switchboard contract verify`)" }
        guard case .operation(let operation) = fixture.kind else { return "the native engine has no webhooks" }
        do {
            let world = try await nativeWorld()
            defer { world.close() }
            return await world.run(operation, fixture: fixture, runner: self)
        } catch {
            return "the native engine could not start: \(error)"
        }
    }

    // MARK: - Reports

    /// `PASS|FAIL provider/area/case — name` lines, then each failure's first difference, then the summary.
    public static func report(_ results: [CaseResult]) -> String {
        var lines = results.map { "\($0.passed ? "PASS" : "FAIL") \($0.label) — \($0.name)" }
        let failures = results.filter { !$0.passed }
        if !failures.isEmpty {
            lines.append("")
            for failure in failures { lines.append("FAIL \(failure.label): \(failure.failure!)") }
        }
        lines.append("contract: \(results.count - failures.count) passed, \(failures.count) failed")
        return lines.joined(separator: "\n")
    }
}

/// The native engine in a temporary database, for native fixtures: accounts are created for every phone the
/// fixture mentions, `setup` steps run first, then the operation.
public protocol NativeContractWorld: Sendable {
    func run(_ operation: Fixture.Operation, fixture: Fixture, runner: ContractRunner) async -> String?
    func close()
}
