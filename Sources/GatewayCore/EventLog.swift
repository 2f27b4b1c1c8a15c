import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// The canonical event log: append-only, deduplicated atomically on the deterministic event id, read oldest
/// first by cursor. Writers append inside their own write transaction, so a state change and its events commit
/// together; listeners are woken after the commit.
///
/// Sessions are stored by integer key (`event_sessions`). Keys of known sessions are registered in committed
/// transactions and cached; a key created inside a transaction that might still roll back is never cached.
/// Reading is in `EventLog+Reading.swift`.
public final class EventLog: Sendable {
    /// One stored event with its position in the log.
    public struct Entry: Sendable {
        public let seq: Int64
        public let event: GatewayEvent
    }

    let database: Database
    let keys = LockedValue<[String: Int64]>([:])
    /// The same, by key (names of fan-out recipients).
    let names = LockedValue<[Int64: String]>([:])
    private let listeners = LockedValue<[UInt64: @Sendable () -> Void]>([:])
    private let nextListener = LockedValue<UInt64>(0)

    public init(database: Database) { self.database = database }

    // MARK: - Session keys

    /// Gives every named session a key (committed), and caches them all.
    public func register(sessions: [String]) throws {
        try database.writeSync { db in
            for name in sessions { try db.run("INSERT OR IGNORE INTO event_sessions (name) VALUES (?)", [.text(name)]) }
        }
        try loadKeys()
    }

    /// `register(sessions:)` from async code.
    public func register(session: String) async throws {
        try await database.write { db in try db.run("INSERT OR IGNORE INTO event_sessions (name) VALUES (?)", [.text(session)]) }
        try loadKeys()
    }

    private func loadKeys() throws {
        let rows = try database.read { db in try db.query("SELECT key, name FROM event_sessions") }
        keys.withLock { cache in for row in rows { cache[row.string(1) ?? ""] = row.int(0) } }
        names.withLock { cache in for row in rows { cache[row.int(0)] = row.string(1) ?? "" } }
    }

    /// The key of `session`, creating it inside the caller's transaction if needed (then not cached).
    func key(_ session: String, in db: SQLiteConnection) throws -> Int64 {
        if let key = keys.withLock({ $0[session] }) { return key }
        try db.run("INSERT OR IGNORE INTO event_sessions (name) VALUES (?)", [.text(session)])
        return try db.queryOne("SELECT key FROM event_sessions WHERE name = ?", [.text(session)])?.int(0) ?? 0
    }

    // MARK: - Appending (inside a write job)

    /// Appends events, skipping any whose id is already stored. Returns the ones actually appended.
    @discardableResult
    public func append(_ events: [GatewayEvent], in db: SQLiteConnection) throws -> [GatewayEvent] {
        var appended: [GatewayEvent] = []
        for event in events {
            let changed = try db.run(
                "INSERT OR IGNORE INTO events (id, type, session, provider, group_id, occurred_at, received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.text(event.id), .text(event.type.rawValue), .integer(try key(event.session, in: db)), .text(event.provider), SQLValue(event.group),
                 .real(event.occurredAt.timeIntervalSince1970), .real(event.receivedAt.timeIntervalSince1970), .text(event.data.text)])
            if changed > 0 { appended.append(event) }
        }
        return appended
    }

    /// Appends the same event to many sessions, storing it once (a group message fanned out to members). Such
    /// events are ones the gateway originates; their ids are `EventID.sortable(identity:session:type:)`, derived
    /// when read. An event of a group is one `events` row listing its recipients (positions `seq - n + 1 … seq`,
    /// see the schema), found by a session's reads through the groups it has had events in; without a group each
    /// recipient gets its own `(session, payload)` row.
    public func appendFanOut(_ template: GatewayEvent, identity: String, to sessions: [String], in db: SQLiteConnection) throws {
        guard !sessions.isEmpty else { return }
        try db.run(
            "INSERT INTO event_payloads (identity, type, provider, group_id, occurred_at, received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(identity), .text(template.type.rawValue), .text(template.provider), SQLValue(template.group),
             .real(template.occurredAt.timeIntervalSince1970), .real(template.receivedAt.timeIntervalSince1970), .text(template.data.text)])
        let payload = SQLValue.integer(db.lastInsertRowID)
        // One lock for the cached keys of every recipient; sessions not cached yet get theirs one by one.
        let cached = keys.withLock { cache in sessions.map { cache[$0] } }
        var sessionKeys: [Int64] = []
        sessionKeys.reserveCapacity(sessions.count)
        for (session, key) in zip(sessions, cached) { sessionKeys.append(try key ?? self.key(session, in: db)) }
        guard let group = template.group else {
            try MultiRowInsert.run("INSERT INTO events (session, payload) VALUES", columns: 2, rows: sessionKeys, in: db) { [.integer($0), payload] }
            return
        }
        try db.run(
            "INSERT INTO events (seq, session, group_id, payload, recipients) VALUES ((SELECT COALESCE(MAX(seq), 0) FROM events) + ?, ?, ?, ?, ?)",
            [.integer(Int64(sessionKeys.count)), .integer(EventLog.fanOutSession), .text(group), payload, .text(FanOut.list(sessionKeys))])
        try MultiRowInsert.run("INSERT OR IGNORE INTO event_session_groups (session, group_id) VALUES", columns: 2, rows: sessionKeys, in: db) {
            [.integer($0), .text(group)]
        }
    }

    /// The `session` of fan-out rows (their `recipients` name the sessions): a key no session name has.
    static let fanOutSession: Int64 = 0

    // MARK: - Listening

    /// Registers a closure called (on the committing thread) after events are appended. Returns a token for
    /// `removeListener`. Listeners must be quick: they only wake their owner.
    public func addListener(_ listener: @escaping @Sendable () -> Void) -> UInt64 {
        let id = nextListener.withLock { value -> UInt64 in
            value += 1
            return value
        }
        listeners.withLock { $0[id] = listener }
        return id
    }

    public func removeListener(_ id: UInt64) { listeners.withLock { $0[id] = nil } }

    /// Call after a commit that appended events.
    public func didAppend() {
        for listener in listeners.withLock({ Array($0.values) }) { listener() }
    }
}

