import Foundation
import GroupModel
import JSONCore
import Storage
import Support

/// The `outbox` table: sends still owed to a provider (DESIGN §5). Rows are written in the caller's transaction.
final class OutboxStore: Sendable {
    /// One owed send.
    struct Entry: Sendable {
        let message: String
        let session: String
        let state: State
        /// Provider calls made so far.
        let attempts: Int
        let nextAt: Double
        /// `nextAt` is a pacing slot already reserved for the next call.
        let paced: Bool
        let createdAt: Double
    }

    enum State: String, Sendable, CaseIterable {
        case pending, sending, unknown
    }

    private let database: Database
    /// This process: `sending` rows of another boot were interrupted mid-call.
    let boot = SortableID.make("boot")

    init(database: Database) { self.database = database }

    private static let columns = "message_id, session, state, attempts, next_at, paced, created_at"

    /// A new owed send: `sending` when the caller calls the provider right away (one attempt under way), else
    /// `pending` until `nextAt`.
    func insert(message: String, session: String, sending: Bool, nextAt: Double, paced: Bool, createdAt: Double, in db: SQLiteConnection) throws {
        _ = try db.run(
            "INSERT INTO outbox (message_id, session, state, boot, attempts, next_at, paced, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(message), .text(session), .text(sending ? State.sending.rawValue : State.pending.rawValue), .text(boot),
             .integer(sending ? 1 : 0), .real(nextAt), .integer(paced ? 1 : 0), .real(createdAt)])
    }

    /// Marks a call as under way (counted) just before it is made.
    func markSending(_ message: String) async throws {
        let boot = boot
        try await database.write { db in
            _ = try db.run(
                "UPDATE outbox SET state = 'sending', boot = ?, attempts = attempts + 1, paced = 0 WHERE message_id = ?", [.text(boot), .text(message)])
        }
    }

    func reschedule(_ message: String, state: State, nextAt: Double, paced: Bool, in db: SQLiteConnection) throws {
        _ = try db.run(
            "UPDATE outbox SET state = ?, next_at = ?, paced = ? WHERE message_id = ?",
            [.text(state.rawValue), .real(nextAt), .integer(paced ? 1 : 0), .text(message)])
    }

    func reschedule(_ message: String, state: State, nextAt: Double, paced: Bool) async throws {
        try await database.write { [self] db in try reschedule(message, state: state, nextAt: nextAt, paced: paced, in: db) }
    }

    func delete(_ message: String, in db: SQLiteConnection) throws {
        _ = try db.run("DELETE FROM outbox WHERE message_id = ?", [.text(message)])
    }

    func entry(_ message: String, in db: SQLiteConnection) throws -> Entry? {
        try db.queryOne("SELECT \(OutboxStore.columns) FROM outbox WHERE message_id = ?", [.text(message)]).map(OutboxStore.entry)
    }

    /// Rows due by `now` that are not under way, oldest slot first, skipping `busy` messages.
    func due(now: Double, limit: Int, busy: Set<String>) throws -> [Entry] {
        try database.read { db in
            try db.query(
                "SELECT \(OutboxStore.columns) FROM outbox WHERE state != 'sending' AND next_at <= ? ORDER BY next_at, message_id LIMIT ?",
                [.real(now), .integer(Int64(limit + busy.count))])
        }.map(OutboxStore.entry).filter { !busy.contains($0.message) }.prefix(limit).map { $0 }
    }

    /// When the next row not under way, and not held by the worker (`busy`), is due (nil when none is waiting).
    func nextDue(busy: Set<String>) throws -> Double? {
        try database.read { db in
            try db.query(
                "SELECT next_at, message_id FROM outbox WHERE state != 'sending' ORDER BY next_at LIMIT ?", [.integer(Int64(busy.count + 1))])
        }.first { !busy.contains($0.string(1) ?? "") }?[0].double
    }

    /// `sending` rows of this process whose call is not under way (its recording failed): unknown outcome.
    func sweepAbandoned(inFlight: Set<String>, now: Double, grace: Double) async throws -> Int {
        let boot = boot
        return try await database.write { db in
            let ids = try db.query("SELECT message_id FROM outbox WHERE state = 'sending' AND boot = ?", [.text(boot)])
                .compactMap { $0.string(0) }.filter { !inFlight.contains($0) }
            for id in ids { try self.reschedule(id, state: .unknown, nextAt: now + grace, paced: false, in: db) }
            return ids.count
        }
    }

    /// Rows by state, for the metrics.
    func depth() throws -> [State: Int] {
        var depth: [State: Int] = [.pending: 0, .sending: 0, .unknown: 0]
        for row in try database.read({ db in try db.query("SELECT state, COUNT(*) FROM outbox GROUP BY state") }) {
            if let state = row.string(0).flatMap(State.init(rawValue:)) { depth[state] = Int(row.int(1)) }
        }
        return depth
    }

    /// At start: calls a previous process left under way (it stopped or was killed mid-call) have an unknown
    /// outcome. Each gets an `unknown` attempt and waits `grace` seconds before reconciliation. Returns how many.
    func recoverInterrupted(now: Date, grace: Double) async throws -> Int {
        let boot = boot
        return try await database.write { db in
            let rows = try db.query("SELECT message_id FROM outbox WHERE state = 'sending' AND boot != ?", [.text(boot)])
            let error = GatewayError.providerTimeout("The gateway stopped during this call; whether the provider took the message is unknown.")
                .with(details: ["outcome": "unknown"])
            for row in rows {
                guard let id = row.string(0) else { continue }
                try SendAttempt(number: 0, startedAt: now, finishedAt: now, outcome: .unknown, error: error).insert(message: id, in: db)
                try self.reschedule(id, state: .unknown, nextAt: now.timeIntervalSince1970 + grace, paced: false, in: db)
            }
            return rows.count
        }
    }

    private static func entry(_ row: Row) -> Entry {
        Entry(
            message: row.string(0) ?? "", session: row.string(1) ?? "", state: State(rawValue: row.string(2) ?? "") ?? .pending,
            attempts: Int(row.int(3)), nextAt: row[4].double ?? 0, paced: row.int(5) != 0, createdAt: row[6].double ?? 0)
    }
}
