internal import CSQLite

/// One SQLite connection, owned by one thread at a time. Opens, configures, prepares (with a statement
/// cache), runs, and closes; a failed open closes the handle before throwing.
public final class SQLiteConnection {
    private var handle: OpaquePointer?

    /// Process-wide SQLite settings, applied once before the first connection opens.
    private static let processSetup: Void = { _ = csqlite_disable_memstatus() }()
    private var cache: [String: Statement] = [:]
    public let path: String
    /// Frames in the write-ahead log after the last commit, once `trackWALFrames()` has run.
    private var walFrameCount: UnsafeMutablePointer<Int32>?

    /// Opens (creating if asked) the database at `path`.
    public init(path: String, readOnly: Bool = false, create: Bool = true) throws(SQLiteError) {
        _ = SQLiteConnection.processSetup
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        var opened: OpaquePointer? = nil
        let result = sqlite3_open_v2(path, &opened, flags, nil)
        guard result == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            sqlite3_close_v2(opened)
            throw SQLiteError(code: result & 0xFF, extendedCode: result, message: message, sql: nil)
        }
        handle = opened
    }

    deinit {
        if handle != nil { close() }
    }

    /// Finalizes cached statements and closes the handle.
    public func close() {
        for statement in cache.values { statement.finalize() }
        cache = [:]
        // Unhook first: the frame count is freed below, and a zombie connection must not write to it.
        if let handle, walFrameCount != nil { sqlite3_wal_hook(handle, nil, nil) }
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
        walFrameCount?.deallocate()
        walFrameCount = nil
    }

    /// Counts the frames in the write-ahead log after each commit (SQLite's WAL hook; replaces
    /// `wal_autocheckpoint`). Read them with `walFrames`.
    public func trackWALFrames() {
        guard walFrameCount == nil else { return }
        let count = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        count.initialize(to: 0)
        walFrameCount = count
        csqlite_track_wal_frames(raw, count)
    }

    /// Syncs the database file (not the log) to disk through SQLite's own file handle, outside any transaction.
    public func syncDatabaseFile() throws(SQLiteError) {
        let result = csqlite_sync_database_file(raw)
        guard result == SQLITE_OK else { throw error(result, sql: "sync of the database file") }
    }

    /// Frames in the write-ahead log after the last commit on this connection (0 until `trackWALFrames()`).
    public var walFrames: Int { Int(walFrameCount?.pointee ?? 0) }

    var raw: OpaquePointer {
        guard let handle else { preconditionFailure("use of a closed SQLiteConnection") }
        return handle
    }

    // MARK: - Running SQL

    /// Runs one or more statements without parameters (schema, pragmas, transaction control).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>? = nil
        let result = sqlite3_exec(raw, sql, nil, nil, &message)
        if result != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(raw))
            sqlite3_free(message)
            throw SQLiteError(code: result & 0xFF, extendedCode: sqlite3_extended_errcode(raw), message: text, sql: sql)
        }
    }

    /// Runs a statement to completion and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> Int {
        let statement = try prepare(sql)
        var arena = BindingArena()
        defer {
            statement.reset()  // clears the bindings first…
            arena.free()  // …then the bytes they pointed at
        }
        try statement.bind(arguments, arena: &arena)
        while try statement.step() {}
        return Int(sqlite3_changes(raw))
    }

    /// All rows of a query.
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [Row] {
        let statement = try prepare(sql)
        var arena = BindingArena()
        defer {
            statement.reset()  // clears the bindings first…
            arena.free()  // …then the bytes they pointed at
        }
        try statement.bind(arguments, arena: &arena)
        var rows: [Row] = []
        let columns = statement.columnNames
        while try statement.step() { rows.append(Row(values: statement.currentValues(), columns: columns)) }
        return rows
    }

    /// The first row of a query, if any.
    public func queryOne(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> Row? {
        let statement = try prepare(sql)
        var arena = BindingArena()
        defer {
            statement.reset()  // clears the bindings first…
            arena.free()  // …then the bytes they pointed at
        }
        try statement.bind(arguments, arena: &arena)
        guard try statement.step() else { return nil }
        return Row(values: statement.currentValues(), columns: statement.columnNames)
    }

    /// A prepared statement from the connection's cache (prepared once, reset after each use).
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = cache[sql] { return cached }
        var pointer: OpaquePointer? = nil
        let result = sqlite3_prepare_v3(raw, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard result == SQLITE_OK, let pointer else { throw error(result, sql: sql) }
        let statement = Statement(pointer, sql: sql, connection: self)
        cache[sql] = statement
        return statement
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(raw) }
    public var changes: Int { Int(sqlite3_changes(raw)) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(raw) == 0 }

    // MARK: - Transactions

    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction: commit on return, roll back and rethrow on throw.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` in a savepoint nested in the current transaction: released on return, rolled back on throw.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try execute("SAVEPOINT nested")
        do {
            let value = try body()
            try execute("RELEASE nested")
            return value
        } catch {
            try? execute("ROLLBACK TO nested")
            try? execute("RELEASE nested")
            throw error
        }
    }

    func error(_ result: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: result & 0xFF, extendedCode: sqlite3_extended_errcode(raw), message: String(cString: sqlite3_errmsg(raw)), sql: sql)
    }

    /// A single-value pragma, read back.
    public func pragma(_ name: String, set value: String? = nil) throws(SQLiteError) -> String? {
        let sql = value.map { "PRAGMA \(name) = \($0)" } ?? "PRAGMA \(name)"
        var pointer: OpaquePointer? = nil
        let result = sqlite3_prepare_v2(raw, sql, -1, &pointer, nil)
        guard result == SQLITE_OK, let pointer else { throw error(result, sql: sql) }
        defer { sqlite3_finalize(pointer) }
        let step = sqlite3_step(pointer)
        guard step == SQLITE_ROW || step == SQLITE_DONE else { throw error(step, sql: sql) }
        guard step == SQLITE_ROW, let text = sqlite3_column_text(pointer, 0) else { return nil }
        return String(cString: text)
    }
}
