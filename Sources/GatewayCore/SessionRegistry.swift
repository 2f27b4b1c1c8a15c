import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// A configured provider: its name in configuration, and the adapter instance built for it.
public struct ProviderEntry: Sendable {
    public let name: String
    public let adapter: any ProviderAdapter
    /// The adapter as a provider inside the gateway (the native engine), cast once rather than per request.
    public let local: (any LocalProvider)?

    public init(name: String, adapter: any ProviderAdapter) {
        self.name = name
        self.adapter = adapter
        local = adapter as? any LocalProvider
    }

    public var kind: String { adapter.descriptor.kind }
}

/// A session: a gateway name bound to a provider account.
public struct SessionRecord: Sendable {
    public enum Source: String, Sendable {
        /// From the configuration file: changed by editing it.
        case config
        /// Created through `POST /v1/sessions`: stored in the database.
        case api
    }

    public let name: String
    public let provider: String
    public let account: JSONObject
    public let source: Source
    public let createdAt: Date?
    /// The key that created it (API sessions); it may use the session.
    public let ownerKey: String?

    public init(name: String, provider: String, account: JSONObject, source: Source, createdAt: Date?, ownerKey: String?) {
        self.name = name
        self.provider = provider
        self.account = account
        self.source = source
        self.createdAt = createdAt
        self.ownerKey = ownerKey
    }
}

/// Sessions and the providers they are bound to. Configured sessions come from the config file; API sessions
/// live in the database and survive restarts. Lookups check the caller's scope: a session the caller may not
/// use is `session_not_found`, exactly like one that does not exist.
public final class SessionRegistry: Sendable {
    private let providers: [String: ProviderEntry]
    private let configured: [String: SessionRecord]
    private let stored: LockedValue<[String: SessionRecord]>
    private let database: Database
    private let events: EventLog
    private let clock: any WallClock

    public init(providers: [ProviderEntry], sessions: [SessionRecord], database: Database, events: EventLog, clock: any WallClock) throws {
        self.events = events
        self.providers = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        self.configured = Dictionary(uniqueKeysWithValues: sessions.map { ($0.name, $0) })
        self.database = database
        self.clock = clock
        let rows = try database.read { db in try db.query("SELECT name, provider, account, created_at, owner_key FROM sessions") }
        var loaded: [String: SessionRecord] = [:]
        for row in rows {
            let name = row.string(0) ?? ""
            guard configured[name] == nil else { continue }  // the config file wins
            let account = (row.string(2).flatMap { try? JSONParser.parse($0) })?.objectValue ?? JSONObject()
            loaded[name] = SessionRecord(
                name: name, provider: row.string(1) ?? "", account: account, source: .api,
                createdAt: row[3].double.map(Date.init(timeIntervalSince1970:)), ownerKey: row.string(4))
        }
        stored = LockedValue(loaded)
        try events.register(sessions: sessions.map(\.name) + loaded.keys)
    }

    // MARK: - Providers

    /// Configured providers, by name.
    public var providerEntries: [ProviderEntry] { providers.values.sorted { $0.name < $1.name } }

    public func provider(named name: String) -> ProviderEntry? { providers[name] }

    // MARK: - Sessions

    /// Every session the principal may use, sorted by name.
    public func sessions(for principal: Principal) -> [SessionRecord] {
        let all = Array(configured.values) + stored.get().values
        return all.filter { visible($0, to: principal) }.sorted { $0.name < $1.name }
    }

    /// Every session, for internal use (workers, webhooks).
    public var allSessions: [SessionRecord] { (Array(configured.values) + stored.get().values).sorted { $0.name < $1.name } }

    /// The session, if it exists and the principal may use it.
    public func session(_ name: String, for principal: Principal) throws(GatewayError) -> SessionRecord {
        guard let record = record(name), visible(record, to: principal) else { throw GatewayError.sessionNotFound(name) }
        return record
    }

    /// The session regardless of scope (inbound webhooks, workers).
    public func record(_ name: String) -> SessionRecord? { configured[name] ?? stored.get()[name] }

    /// The binding and adapter for a session the principal may use.
    public func resolve(_ name: String, for principal: Principal) throws(GatewayError) -> (SessionBinding, ProviderEntry) {
        try resolve(try session(name, for: principal))
    }

    public func resolve(_ record: SessionRecord) throws(GatewayError) -> (SessionBinding, ProviderEntry) {
        guard let entry = providers[record.provider] else {
            throw GatewayError.sessionNotReady("Session '\(record.name)' is bound to provider '\(record.provider)', which is not configured.")
        }
        return (SessionBinding(session: record.name, provider: entry.name, kind: entry.kind, account: record.account), entry)
    }

    /// Whether `session` exists and the principal may use it.
    public func isVisible(_ session: String, to principal: Principal) -> Bool {
        guard let record = record(session) else { return false }
        return visible(record, to: principal)
    }

    private func visible(_ record: SessionRecord, to principal: Principal) -> Bool {
        principal.canUse(session: record.name) || (record.ownerKey != nil && record.ownerKey == principal.keyID)
    }

    // MARK: - Creating and removing

    /// Creates an API session: the provider checks (native: creates) the account first, then the session is stored.
    public func provisionAndCreate(name: String, provider: String, account: JSONObject, owner: Principal) async throws -> SessionRecord {
        try Identifiers.validateSessionName(name)
        guard let entry = providers[provider] else {
            throw GatewayError.invalidRequest(
                "Unknown provider '\(provider)'; configured: \(providers.keys.sorted().joined(separator: ", ")).", details: ["field": "provider"])
        }
        guard record(name) == nil else { throw GatewayError.conflict("Session '\(name)' already exists.") }
        let binding = SessionBinding(session: name, provider: provider, kind: entry.kind, account: account)
        let provisioned = try await entry.adapter.provision(binding)
        do {
            return try await create(name: name, provider: provider, account: provisioned, owner: owner)
        } catch {
            try? await entry.adapter.deprovision(SessionBinding(session: name, provider: provider, kind: entry.kind, account: provisioned))
            throw error
        }
    }

    /// Stores a new API session. The caller has validated the account with the provider.
    public func create(name: String, provider: String, account: JSONObject, owner: Principal) async throws -> SessionRecord {
        try Identifiers.validateSessionName(name)
        guard providers[provider] != nil else {
            throw GatewayError.invalidRequest(
                "Unknown provider '\(provider)'; configured: \(providers.keys.sorted().joined(separator: ", ")).", details: ["field": "provider"])
        }
        guard record(name) == nil else { throw GatewayError.conflict("Session '\(name)' already exists.") }
        let now = clock.now()
        let owner = owner.isAdmin ? nil : owner.keyID
        let accountText = JSON.object(account).text
        do {
            try await database.write { db in
                try db.run(
                    "INSERT INTO sessions (name, provider, account, created_at, owner_key) VALUES (?, ?, ?, ?, ?)",
                    [.text(name), .text(provider), .text(accountText), .real(now.timeIntervalSince1970), SQLValue(owner)])
            }
        } catch let error as SQLiteError where error.isUniqueViolation {
            throw GatewayError.conflict("Session '\(name)' already exists.")
        }
        let created = SessionRecord(name: name, provider: provider, account: account, source: .api, createdAt: now, ownerKey: owner)
        try await events.register(session: name)
        stored.withLock { $0[name] = created }
        return created
    }

    /// Removes an API session. Configured sessions are changed in the config file.
    public func delete(_ name: String, for principal: Principal) async throws {
        let record = try session(name, for: principal)
        guard record.source == .api else {
            throw GatewayError.conflict("Session '\(name)' comes from the configuration file; remove it there.")
        }
        try await database.write { db in try db.run("DELETE FROM sessions WHERE name = ?", [.text(name)]) }
        stored.withLock { $0[name] = nil }
        if let (binding, entry) = try? resolve(record) { try await entry.adapter.deprovision(binding) }
    }
}
