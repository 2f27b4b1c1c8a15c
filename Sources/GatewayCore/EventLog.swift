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
public final class EventLog: Sendable {
    /// One stored event with its position in the log.
    public struct Entry: Sendable {
        public let seq: Int64
        public let event: GatewayEvent
    }

    private let database: Database
    private let keys = LockedValue<[String: Int64]>([:])
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

    /// Appends the same event to many sessions, storing it once (a group message fanned out to members): each
    /// recipient's row is only `(session key, payload)`. Such events are ones the gateway originates; their ids
    /// are `EventID.sortable(identity:session:type:)`, derived when read.
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
        try MultiRowInsert.run("INSERT INTO events (session, payload) VALUES", columns: 2, rows: sessionKeys, in: db) { [.integer($0), payload] }
    }

    // MARK: - Reading

    /// A page of events after `after` (exclusive), oldest first.
    /// - Parameters:
    ///   - sessions: only these sessions (nil: every session).
    ///   - types: only these types (nil: every type).
    public func page(after: Int64?, sessions: [String]?, types: [String]?, limit: Int) throws -> [Entry] {
        guard let (filter, arguments) = filter(sessions: sessions, types: types) else { return [] }
        let sql = EventLog.select + " WHERE e.seq > ?" + filter + " ORDER BY e.seq LIMIT ?"
        return try database.read { db in
            try db.query(sql, [.integer(after ?? 0)] + arguments + [.integer(Int64(limit))]).compactMap(EventLog.entry)
        }
    }

    /// The cursor that leaves the last `count` matching entries after it (0 when there are fewer): where a reader
    /// that wants only recent history starts.
    public func cursor(beforeLast count: Int, sessions: [String]?, types: [String]?) throws -> Int64 {
        guard let (filter, arguments) = filter(sessions: sessions, types: types) else { return 0 }
        let sql = "SELECT e.seq FROM events e LEFT JOIN event_payloads p ON p.id = e.payload WHERE 1" + filter + " ORDER BY e.seq DESC LIMIT 1 OFFSET ?"
        return try database.read { db in try db.queryOne(sql, arguments + [.integer(Int64(count))])?.int(0) } ?? 0
    }

    /// The SQL (starting with " AND") and arguments of the session and type filters; nil when no listed session
    /// has ever had an entry (nothing can match).
    private func filter(sessions: [String]?, types: [String]?) -> (String, [SQLValue])? {
        var sql = ""
        var arguments: [SQLValue] = []
        if let sessions {
            let known = keys.withLock { cache in sessions.compactMap { cache[$0] } }
            if known.isEmpty { return nil }
            sql += " AND e.session IN (" + Array(repeating: "?", count: known.count).joined(separator: ",") + ")"
            arguments += known.map(SQLValue.integer)
        }
        if let types, !types.isEmpty {
            sql += " AND COALESCE(e.type, p.type) IN (" + Array(repeating: "?", count: types.count).joined(separator: ",") + ")"
            arguments += types.map(SQLValue.text)
        }
        return (sql, arguments)
    }

    /// The entries with these sequence numbers (ones not in the log are absent).
    public func entries(seqs: [Int64]) throws -> [Int64: Entry] {
        guard !seqs.isEmpty else { return [:] }
        let sql = EventLog.select + " WHERE e.seq IN (" + Array(repeating: "?", count: seqs.count).joined(separator: ",") + ")"
        let rows = try database.read { db in try db.query(sql, seqs.map(SQLValue.integer)).compactMap(EventLog.entry) }
        return Dictionary(rows.map { ($0.seq, $0) }) { first, _ in first }
    }

    private static let select = """
        SELECT e.seq, e.id, COALESCE(e.type, p.type), s.name, COALESCE(e.provider, p.provider), COALESCE(e.group_id, p.group_id),
               COALESCE(e.occurred_at, p.occurred_at), COALESCE(e.received_at, p.received_at), COALESCE(e.data, p.data), p.identity
        FROM events e JOIN event_sessions s ON s.key = e.session LEFT JOIN event_payloads p ON p.id = e.payload
        """

    /// The ids of the messages `session` received after `after` up to `through` (log positions), oldest first:
    /// what a device acknowledges with one `ack`.
    public func receivedMessages(session: String, after: Int64, through: Int64, limit: Int, in db: SQLiteConnection) throws -> [(seq: Int64, id: String)] {
        try db.query(
            """
            SELECT e.seq, json_extract(COALESCE(e.data, p.data), '$.id') FROM events e LEFT JOIN event_payloads p ON p.id = e.payload
            WHERE e.session = ? AND e.seq > ? AND e.seq <= ? AND COALESCE(e.type, p.type) = 'message.received' ORDER BY e.seq LIMIT ?
            """, [.integer(try key(session, in: db)), .integer(after), .integer(through), .integer(Int64(limit))]
        ).compactMap { row in row.string(1).map { (row.int(0), $0) } }
    }

    /// The newest sequence number (0 for an empty log).
    public func lastSeq() throws -> Int64 {
        try database.read { db in try db.queryOne("SELECT COALESCE(MAX(seq), 0) FROM events")?.int(0) ?? 0 }
    }

    static func entry(_ row: Row) -> Entry? {
        guard let type = EventType(rawValue: row.string(2) ?? "") else { return nil }
        let data = (row.string(8).flatMap { try? JSONParser.parse($0) }) ?? .null
        let session = row.string(3) ?? ""
        let id = row.string(1) ?? EventID.sortable(identity: row.string(9) ?? "", session: session, type: type)
        let event = GatewayEvent(
            id: id, type: type, occurredAt: Date(timeIntervalSince1970: row[6].double ?? 0),
            receivedAt: Date(timeIntervalSince1970: row[7].double ?? 0), session: session, provider: row.string(4) ?? "",
            group: row.string(5), data: data)
        return Entry(seq: row.int(0), event: event)
    }

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

