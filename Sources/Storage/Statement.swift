internal import CSQLite

/// A prepared statement, owned by its connection's cache.
public final class Statement {
    private var handle: OpaquePointer?
    let sql: String
    private unowned let connection: SQLiteConnection
    private(set) lazy var columnNames: [String] = (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }

    init(_ handle: OpaquePointer, sql: String, connection: SQLiteConnection) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit { assert(handle == nil, "Statement not finalized: \(sql)") }

    func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    /// Binds positional arguments (`?`). A count mismatch is a bug in our SQL, not bad input.
    public func bind(_ arguments: [SQLValue]) throws(SQLiteError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        precondition(expected == arguments.count, "statement expects \(expected) arguments, got \(arguments.count): \(sql)")
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null: result = sqlite3_bind_null(handle, index)
            case .integer(let i): result = sqlite3_bind_int64(handle, index, i)
            case .real(let d): result = sqlite3_bind_double(handle, index, d)
            case .text(let s):
                // Bound with a byte count, so embedded NULs survive; SQLite copies the bytes (SQLITE_TRANSIENT).
                var copy = s
                if copy.isEmpty {
                    result = csqlite_bind_text(handle, index, "", 0)
                } else {
                    result = copy.withUTF8 { utf8 in
                        utf8.withMemoryRebound(to: CChar.self) { csqlite_bind_text(handle, index, $0.baseAddress!, Int32(utf8.count)) }
                    }
                }
            case .blob(let b):
                result = b.withUnsafeBytes { csqlite_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32(b.count)) }
            }
            guard result == SQLITE_OK else { throw connection.error(result, sql: sql) }
        }
    }

    /// Advances; true when a row is available.
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(result, sql: sql)
        }
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func currentValues() -> [SQLValue] {
        let count = sqlite3_column_count(handle)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for index in 0..<count {
            switch sqlite3_column_type(handle, index) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, index)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, index)))
            case SQLITE_TEXT:
                let length = Int(sqlite3_column_bytes(handle, index))
                let pointer = sqlite3_column_text(handle, index)!
                values.append(.text(String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)))
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(handle, index))
                if let pointer = sqlite3_column_blob(handle, index) {
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: pointer, count: length))))
                } else {
                    values.append(.blob([]))
                }
            default: values.append(.null)
            }
        }
        return values
    }
}
