/// One numbered schema change. Ids are `<area>-<NNN>` (`gateway-001`, `native-001`) and are applied in the
/// order given, each in its own transaction, and recorded in `schema_migrations`.
public struct Migration: Sendable {
    public let id: String
    public let sql: String

    public init(_ id: String, _ sql: String) {
        self.id = id
        self.sql = sql
    }
}

enum Migrator {
    /// Applies the migrations not yet recorded. Refuses a database that has migrations this build does not know
    /// (a newer Switchboard wrote it), rather than running on a schema it does not understand.
    static func migrate(_ connection: SQLiteConnection, _ migrations: [Migration]) throws -> [String] {
        let ids = migrations.map(\.id)
        precondition(Set(ids).count == ids.count, "duplicate migration ids")
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
        )
        let applied = Set(try connection.query("SELECT id FROM schema_migrations").compactMap { $0.string(0) })
        let unknown = applied.subtracting(ids)
        if !unknown.isEmpty {
            throw SQLiteError(
                code: 1, extendedCode: 1,
                message: "the database has migrations this version does not know (\(unknown.sorted().joined(separator: ", "))); it was written by a newer Switchboard",
                sql: nil)
        }
        var ran: [String] = []
        for migration in migrations where !applied.contains(migration.id) {
            try connection.transaction {
                try connection.execute(migration.sql)
                try connection.run("INSERT INTO schema_migrations (id) VALUES (?)", [.text(migration.id)])
            }
            ran.append(migration.id)
        }
        return ran
    }
}
