import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// Reading the log. A position (`seq`, the cursor) is one session's event: a plain row has one position, a fan-out
/// row listing n recipients has the n consecutive positions ending at its `seq`, so rows ordered by `seq` give
/// positions in order. A session's events are its own rows (`events_by_session`) and the fan-out rows of the groups
/// it has had events in (`event_session_groups`, then `events_fanout_by_group`) that list it.
extension EventLog {
    /// Which sessions a read covers.
    enum Scope {
        case all
        case sessions([Int64])
    }

    /// A page of events after `after` (exclusive), oldest first.
    /// - Parameters:
    ///   - sessions: only these sessions (nil: every session).
    ///   - types: only these types (nil: every type).
    ///   - withData: false leaves every event's `data` null, unread and unparsed (for readers that route events).
    public func page(after: Int64?, sessions: [String]?, types: [String]?, limit: Int, withData: Bool = true) throws -> [Entry] {
        guard let scope = scope(sessions) else { return [] }
        return try database.read { db in
            try read(after: after ?? 0, scope: scope, types: types, limit: limit, newestFirst: false, withData: withData, in: db)
        }
    }

    /// The cursor that leaves the last `count` matching entries after it (0 when there are fewer): where a reader
    /// that wants only recent history starts.
    public func cursor(beforeLast count: Int, sessions: [String]?, types: [String]?) throws -> Int64 {
        guard let scope = scope(sessions) else { return 0 }
        let newest = try database.read { db in try read(after: 0, scope: scope, types: types, limit: count + 1, newestFirst: true, in: db) }
        return newest.count > count ? newest[count].seq : 0
    }

    /// The entries at these positions (ones not in the log are absent).
    public func entries(seqs: [Int64]) throws -> [Int64: Entry] {
        guard !seqs.isEmpty else { return [:] }
        let wanted = Set(seqs)
        return try database.read { db in
            var found: [Int64: Entry] = [:]
            func keep(_ row: Row) throws {
                for entry in try expand(row, after: 0, only: nil, in: db) where wanted.contains(entry.seq) { found[entry.seq] = entry }
            }
            // Plain rows and the last position of fan-out rows are rowids; other fan-out positions end further on.
            let exact = EventLog.select + " WHERE e.seq IN (" + EventLog.placeholders(wanted.count) + ")"
            for row in try db.query(exact, wanted.map(SQLValue.integer)) { try keep(row) }
            for seq in wanted.sorted() where found[seq] == nil {
                if let row = try db.queryOne(EventLog.select + " WHERE e.seq >= ? ORDER BY e.seq LIMIT 1", [.integer(seq)]) { try keep(row) }
            }
            return found
        }
    }

    /// The ids of the messages `session` received after `after` up to `through` (log positions), oldest first:
    /// what a device acknowledges with one `ack`.
    public func receivedMessages(session: String, after: Int64, through: Int64, limit: Int, in db: SQLiteConnection) throws -> [(seq: Int64, id: String)] {
        let scope = Scope.sessions([try key(session, in: db)])
        return try read(after: after, scope: scope, types: [EventType.messageReceived.rawValue], limit: limit, newestFirst: false, in: db)
            .filter { $0.seq <= through }
            .compactMap { entry in entry.event.data["id"]?.stringValue.map { (entry.seq, $0) } }
    }

    /// The newest position (0 for an empty log).
    public func lastSeq() throws -> Int64 {
        try database.read { db in try db.queryOne("SELECT COALESCE(MAX(seq), 0) FROM events")?.int(0) ?? 0 }
    }

    // MARK: - The query

    /// nil when no listed session has ever had an entry (nothing can match).
    func scope(_ sessions: [String]?) -> Scope? {
        guard let sessions else { return .all }
        let known = keys.withLock { cache in sessions.compactMap { cache[$0] } }.filter { $0 != EventLog.fanOutSession }
        return known.isEmpty ? nil : .sessions(known)
    }

    /// Up to `limit` entries after `after`, oldest first (or the newest ones, newest first).
    func read(after: Int64, scope: Scope, types: [String]?, limit: Int, newestFirst: Bool, withData: Bool = true, in db: SQLiteConnection) throws -> [Entry] {
        let select = withData ? EventLog.select : EventLog.selectWithoutData
        var typeSQL = ""
        var typeArguments: [SQLValue] = []
        if let types, !types.isEmpty {
            typeSQL = " AND COALESCE(e.type, p.type) IN (" + EventLog.placeholders(types.count) + ")"
            typeArguments = types.map(SQLValue.text)
        }
        let order = newestFirst ? " ORDER BY e.seq DESC LIMIT ?" : " ORDER BY e.seq LIMIT ?"
        var found: [Entry] = []
        switch scope {
        case .all:
            let rows = try db.query(select + " WHERE e.seq > ?" + typeSQL + order, [.integer(after)] + typeArguments + [.integer(Int64(limit))])
            for row in rows {
                found += try expand(row, after: after, only: nil, in: db)
                if !newestFirst && found.count >= limit { break }
            }
        case .sessions(let keys):
            let sessionArguments = keys.map(SQLValue.integer)
            let own = select + " WHERE e.session IN (" + EventLog.placeholders(keys.count) + ") AND e.seq > ?" + typeSQL + order
            for row in try db.query(own, sessionArguments + [.integer(after)] + typeArguments + [.integer(Int64(limit))]) {
                found += try expand(row, after: after, only: nil, in: db)
            }
            // One index range per group, so each stops at its limit. The first row may list the session only at
            // positions up to `after`: one row more keeps the page full.
            let groups = try db.query(
                "SELECT DISTINCT group_id FROM event_session_groups WHERE session IN (" + EventLog.placeholders(keys.count) + ")", sessionArguments)
            let listed = " AND (" + Array(repeating: "instr(e.recipients, ?) > 0", count: keys.count).joined(separator: " OR ") + ")"
            let fanOut = select + " WHERE e.group_id = ? AND e.recipients IS NOT NULL AND e.seq > ?" + listed + typeSQL + order
            let only = Set(keys)
            for group in groups {
                let arguments = [group[0], .integer(after)] + keys.map { .text(FanOut.item($0)) } + typeArguments + [.integer(Int64(limit + 1))]
                for row in try db.query(fanOut, arguments) { found += try expand(row, after: after, only: only, in: db) }
            }
        }
        found.sort { newestFirst ? $0.seq > $1.seq : $0.seq < $1.seq }
        return Array(found.prefix(limit))
    }

    /// A row's entries after `after`: its one event, or a fan-out's event for each recipient (in `only`, when given).
    private func expand(_ row: Row, after: Int64, only: Set<Int64>?, in db: SQLiteConnection) throws -> [Entry] {
        guard let entry = EventLog.entry(row) else { return [] }
        guard let list = row.string(10) else { return entry.seq > after ? [entry] : [] }
        let recipients = FanOut.keys(list)
        let first = entry.seq - Int64(recipients.count) + 1
        var entries: [Entry] = []
        for (index, key) in recipients.enumerated() where first + Int64(index) > after && only?.contains(key) ?? true {
            guard let session = try name(of: key, in: db) else { continue }
            var event = entry.event
            event.session = session
            event.id = EventID.sortable(identity: row.string(9) ?? "", session: session, type: event.type)
            entries.append(Entry(seq: first + Int64(index), event: event))
        }
        return entries
    }

    private func name(of key: Int64, in db: SQLiteConnection) throws -> String? {
        if let name = names.withLock({ $0[key] }) { return name }
        return try db.queryOne("SELECT name FROM event_sessions WHERE key = ?", [.integer(key)])?.string(0)
    }

    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ",") }

    private static let select = """
        SELECT e.seq, e.id, COALESCE(e.type, p.type), s.name, COALESCE(e.provider, p.provider), COALESCE(e.group_id, p.group_id),
               COALESCE(e.occurred_at, p.occurred_at), COALESCE(e.received_at, p.received_at), COALESCE(e.data, p.data), p.identity,
               e.recipients
        FROM events e JOIN event_sessions s ON s.key = e.session LEFT JOIN event_payloads p ON p.id = e.payload
        """
    private static let selectWithoutData = select.replacingOccurrences(of: "COALESCE(e.data, p.data)", with: "NULL")

    private static func entry(_ row: Row) -> Entry? {
        guard let type = EventType(rawValue: row.string(2) ?? "") else { return nil }
        // Kept as the stored text (written from a JSON value at append): a delivery, a page of the API or the stream
        // writes it out as it is, and reading a field parses it then (`JSON.raw`).
        let data = row.string(8).map { JSON.raw(Array($0.utf8)) } ?? .null
        let session = row.string(3) ?? ""
        // A fan-out row's ids are per recipient (`expand`): none is derived for its placeholder session.
        let id = row.string(1) ?? (row[10].isNull ? EventID.sortable(identity: row.string(9) ?? "", session: session, type: type) : "")
        let event = GatewayEvent(
            id: id, type: type, occurredAt: Date(timeIntervalSince1970: row[6].double ?? 0),
            receivedAt: Date(timeIntervalSince1970: row[7].double ?? 0), session: session, provider: row.string(4) ?? "",
            group: row.string(5), data: data)
        return Entry(seq: row.int(0), event: event)
    }
}

/// A fan-out row's recipients: session keys as text, `,3,8,13,`, so `instr` finds one exactly (`,3,`).
enum FanOut {
    static func list(_ keys: [Int64]) -> String { "," + keys.map(String.init).joined(separator: ",") + "," }
    static func item(_ key: Int64) -> String { ",\(key)," }
    static func keys(_ list: String) -> [Int64] { list.split(separator: ",").compactMap { Int64($0) } }
}
