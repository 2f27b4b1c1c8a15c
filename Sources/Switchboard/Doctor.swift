import Foundation
import GroupModel
import HTTPCore
import JSONCore
import NativeEngine
import ProviderKit
import Storage
import Support
import Webhooks

/// `switchboard doctor`: checks a configuration before it is served — the file, its `${ENV}` references, each
/// provider binding (reached with a read-only call, credentials accepted), the data folder, and every webhook target
/// against the SSRF rules — and prints one line per check with the fix. Nothing is written anywhere.
public struct Doctor: Sendable {
    public enum Outcome: String, Sendable {
        case ok = "ok  "
        case warn = "warn"
        case fail = "FAIL"
    }

    public struct Check: Sendable {
        public let outcome: Outcome
        public let subject: String
        public let detail: String
        public let fix: String?

        public var line: String { "\(outcome.rawValue)  \(subject): \(detail)" + (fix.map { "\n      fix: \($0)" } ?? "") }
    }

    let configPath: String?
    let dataOverride: String?
    let environment: [String: String]
    let transport: any HTTPTransport
    let resolver: @Sendable (String) -> [String]
    /// The longest a provider check may take, whatever the config's request timeout.
    let providerTimeout: Double

    public init(
        configPath: String?, dataOverride: String? = nil, environment: [String: String], transport: any HTTPTransport,
        resolver: @escaping @Sendable (String) -> [String] = TargetPolicy.systemResolve, providerTimeout: Double = 10
    ) {
        self.configPath = configPath
        self.dataOverride = dataOverride
        self.environment = environment
        self.transport = transport
        self.resolver = resolver
        self.providerTimeout = providerTimeout
    }

    /// Every check, in order; `report` gets each as it completes (a slow provider shows where it is).
    public func run(report: (Check) -> Void = { _ in }) async -> [Check] {
        var checks: [Check] = []
        func add(_ check: Check) {
            checks.append(check)
            report(check)
        }
        guard let (loaded, adapters) = loadConfig(add) else { return checks }
        var config = loaded
        if let dataOverride { config.dataDirectory = dataOverride }
        let stored = storedState(config.dataDirectory, add)
        await checkProviders(config, adapters: adapters, storedSessions: stored.sessions, add)
        checkWebhookTargets(config, stored: stored.subscriptions, add)
        return checks
    }

    /// The process exit status for these checks: 1 when any failed.
    public static func exitStatus(_ checks: [Check]) -> Int32 { checks.contains { $0.outcome == .fail } ? 1 : 0 }

    public static func summary(_ checks: [Check]) -> String {
        let failed = checks.filter { $0.outcome == .fail }.count, warned = checks.filter { $0.outcome == .warn }.count
        return "doctor: \(checks.count) checks, \(failed) failed, \(warned) warnings"
    }

    // MARK: - The file

    /// The parsed config with an adapter for each remote provider (built as the start builds them), or nil after
    /// reporting why it cannot be used. Every missing `${ENV}` is reported, not just the first; the file is then
    /// validated with placeholders so its other problems show in the same run.
    private func loadConfig(_ add: (Check) -> Void) -> (GatewayConfig, [String: any ProviderAdapter])? {
        guard let configPath else {
            add(Check(outcome: .ok, subject: "config", detail: "none given: the embedded default (native engine, local SQLite)", fix: nil))
            return (.embeddedDefault, [:])
        }
        guard let data = FileManager.default.contents(atPath: configPath) else {
            add(Check(outcome: .fail, subject: "config", detail: "cannot read '\(configPath)'", fix: "check the path and that this user may read the file"))
            return nil
        }
        let json: JSON
        do {
            json = try JSONParser.parse(Array(data))
        } catch {
            add(Check(outcome: .fail, subject: "config", detail: "'\(configPath)' is not valid JSON: \(error.description)",
                      fix: "correct the JSON syntax (JSON has no comments and no trailing commas)"))
            return nil
        }
        var missing: [(path: String, name: String)] = []
        do {
            _ = try ConfigReader.interpolateAll(json, path: "", environment: environment) { path, name in
                missing.append((path, name))
                return ""
            }
        } catch {
            add(Check(outcome: .fail, subject: error.path, detail: error.problem, fix: Doctor.fix(for: error)))
            return nil
        }
        for (path, name) in missing {
            add(Check(outcome: .fail, subject: path, detail: "refers to ${\(name)}, which is not set in the environment",
                      fix: "export \(name)=… in the environment the gateway starts with"))
        }
        var placeholders = environment
        for (_, name) in missing { placeholders[name] = "doctor-placeholder" }
        let config: GatewayConfig
        do {
            config = try GatewayConfig.parse(json, environment: placeholders)
        } catch {
            // A value that is only wrong because its variable is missing has been reported already.
            let causedByMissing = missing.contains { $0.path == error.path || $0.path.hasPrefix(error.path + ".") || error.path.hasPrefix($0.path + ".") }
            if !causedByMissing {
                add(Check(outcome: .fail, subject: error.path.isEmpty ? "config" : error.path, detail: error.problem, fix: Doctor.fix(for: error)))
            }
            return nil
        }
        var adapters: [String: any ProviderAdapter] = [:]
        var problems = !missing.isEmpty
        for var provider in config.providers where provider.kind != NativeEngine.kind {
            provider.requestTimeout = min(provider.requestTimeout, providerTimeout)
            do {
                adapters[provider.name] = try ProviderFactory.makeRemote(provider, transport: transport, clock: SystemClock())
            } catch {
                add(Check(outcome: .fail, subject: error.path, detail: error.problem, fix: Doctor.fix(for: error)))
                problems = true
            }
        }
        if problems { return nil }
        add(Check(outcome: .ok, subject: "config", detail: "'\(configPath)' is valid (\(config.providers.count) providers, \(config.sessions.count) sessions)", fix: nil))
        return (config, adapters)
    }

    static func fix(for error: ConfigError) -> String {
        if error.problem.hasPrefix("unknown key") { return "remove the key or correct its spelling" }
        if error.problem.contains("${") { return "write references as ${NAME} with letters, digits and '_' only" }
        if error.path.hasSuffix(".kind") { return "use one of: \(ProviderCatalog.descriptors.map(\.kind).joined(separator: ", "))" }
        if error.path.hasSuffix(".baseUrl"), error.problem.hasPrefix("is required") { return "set the provider's API address, e.g. \"https://provider.example.com\"" }
        if error.path.hasSuffix(".credentials") { return "add the credential named above (as \"${ENV}\", never inline)" }
        if error.path.hasSuffix("baseUrl") { return "use an absolute http(s) URL, e.g. \"https://provider.example.com\"" }
        if error.path.hasSuffix(".url") { return "use an absolute https URL of the receiver" }
        return "correct the value at \(error.path.isEmpty ? "the top level" : error.path)"
    }

    // MARK: - Providers

    /// One read-only call (list the session's groups) per session bound to a remote provider.
    private func checkProviders(
        _ config: GatewayConfig, adapters: [String: any ProviderAdapter], storedSessions: [GatewayConfig.SessionConfig], _ add: (Check) -> Void
    ) async {
        let sessions = config.sessions + storedSessions.filter { stored in !config.sessions.contains { $0.name == stored.name } }
        for provider in config.providers {
            let bound = sessions.filter { $0.provider == provider.name }
            let subject = "providers.\(provider.name)"
            if provider.kind == NativeEngine.kind {
                add(Check(outcome: .ok, subject: subject, detail: "the built-in native engine (\(bound.count) sessions); nothing to reach", fix: nil))
                continue
            }
            guard let adapter = adapters[provider.name], let baseURL = provider.baseURL else { continue }
            if bound.isEmpty {
                add(Check(outcome: .warn, subject: subject, detail: "no session uses it, so it was not called",
                          fix: "bind a session to it in \"sessions\" (or remove the provider)"))
                continue
            }
            for session in bound {
                let binding = SessionBinding(session: session.name, provider: provider.name, kind: provider.kind, account: session.account)
                add(await check(adapter, binding: binding, provider: provider, baseURL: baseURL))
            }
        }
    }

    private func check(_ adapter: any ProviderAdapter, binding: SessionBinding, provider: GatewayConfig.ProviderConfig, baseURL: String) async -> Check {
        let subject = "sessions.\(binding.session) → \(provider.name)"
        let credentials = "providers.\(provider.name).credentials"
        do {
            let result = try await adapter.perform(.listGroups, on: binding)
            let count = if case .groups(let groups) = result { " (\(groups.count) groups)" } else { "" }
            return Check(outcome: .ok, subject: subject, detail: "\(baseURL) answered; credentials accepted\(count)", fix: nil)
        } catch {
            switch error.code {
            case "unauthenticated", "forbidden":
                return Check(outcome: .fail, subject: subject, detail: "credentials refused: \(error.message)", fix: "check \(credentials) and the ${ENV} values they use")
            case "provider_unavailable", "provider_timeout":
                return Check(outcome: .fail, subject: subject, detail: "cannot reach \(baseURL): \(error.message)",
                             fix: "check providers.\(provider.name).baseUrl and that the provider is running and reachable from here")
            case "session_not_found", "session_not_ready":
                return Check(outcome: .fail, subject: subject, detail: "reached, credentials accepted, but: \(error.message)",
                             fix: "check sessions.\(binding.session).account against the provider's session/phone, and that it is connected")
            case "unsupported_operation":
                let status = await adapter.status(of: binding)
                let outcome: Outcome = status == .ready ? .ok : .warn
                return Check(outcome: outcome, subject: subject, detail: "cannot list groups read-only; the provider reports the session \(status.rawValue)",
                             fix: outcome == .ok ? nil : "connect the session in the provider's dashboard")
            default:
                return Check(outcome: .warn, subject: subject, detail: "\(error.code): \(error.message)", fix: "see the provider's own logs; the gateway would answer this error")
            }
        }
    }

    // MARK: - Data and webhook targets

    /// Sessions and webhook subscriptions stored in the data folder (read-only; nothing when there is no database yet).
    private func storedState(_ directory: String, _ add: (Check) -> Void) -> (sessions: [GatewayConfig.SessionConfig], subscriptions: [(id: String, url: String)]) {
        let path = (directory as NSString).appendingPathComponent("switchboard.db")
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            add(Check(outcome: .ok, subject: "data", detail: "'\(directory)' does not exist yet; the first start creates it", fix: nil))
            return ([], [])
        }
        guard isDirectory.boolValue, FileManager.default.isWritableFile(atPath: directory) else {
            add(Check(outcome: .fail, subject: "data", detail: "'\(directory)' is not a writable folder", fix: "point \"data\" (or --data) at a folder this user can write"))
            return ([], [])
        }
        guard FileManager.default.fileExists(atPath: path) else {
            add(Check(outcome: .ok, subject: "data", detail: "'\(directory)' is writable; no database yet", fix: nil))
            return ([], [])
        }
        do {
            let db = try SQLiteConnection(path: path, readOnly: true, create: false)
            let sessions = try db.query("SELECT name, provider, account FROM sessions").map { row in
                GatewayConfig.SessionConfig(
                    name: row.string(0) ?? "", provider: row.string(1) ?? "",
                    account: row.string(2).flatMap { try? JSONParser.parse($0) }?.objectValue ?? JSONObject())
            }
            let subscriptions = try db.query("SELECT id, url FROM webhook_subscriptions WHERE status = 'active'").map { ($0.string(0) ?? "", $0.string(1) ?? "") }
            add(Check(outcome: .ok, subject: "data", detail: "'\(path)' opens (\(sessions.count) stored sessions, \(subscriptions.count) active subscriptions)", fix: nil))
            return (sessions, subscriptions)
        } catch {
            add(Check(outcome: .fail, subject: "data", detail: "'\(path)' cannot be read: \(error)", fix: "check the file's permissions; restore it from a backup if it is damaged"))
            return ([], [])
        }
    }

    private func checkWebhookTargets(_ config: GatewayConfig, stored: [(id: String, url: String)], _ add: (Check) -> Void) {
        let policy = TargetPolicy(allowPrivate: config.webhooks.allowPrivateTargets, resolver: resolver)
        let targets = config.subscribers.map { ("webhooks.subscribers.\($0.id)", $0.url) } + stored.map { ("subscription \($0.id)", $0.url) }
        if targets.isEmpty {
            add(Check(outcome: .ok, subject: "webhooks", detail: "no subscribers configured or stored", fix: nil))
        }
        for (subject, url) in targets {
            do {
                _ = try policy.check(url)
                let note = config.webhooks.allowPrivateTargets ? " (private targets are allowed by webhooks.allowPrivateTargets)" : ""
                add(Check(outcome: .ok, subject: subject, detail: "\(url) is an allowed target\(note)", fix: nil))
            } catch {
                let fix = error.details?["reason"]?.stringValue == "private_address"
                    ? "use the receiver's public URL; only for local testing set \"webhooks\": {\"allowPrivateTargets\": true}"
                    : "correct the URL (an absolute http(s) URL whose host resolves)"
                // The policy's own hint is the fix line here.
                let detail = error.message.components(separatedBy: " Set \"webhooks\"").first ?? error.message
                add(Check(outcome: .fail, subject: subject, detail: detail, fix: fix))
            }
        }
    }
}
