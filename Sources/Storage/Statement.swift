internal import CSQLite

/// The bytes of one statement's text and blob arguments, in one allocation that lives until the statement is
/// reset (so SQLite can bind them without copying each one).
struct BindingArena: ~Copyable {
    private var storage: UnsafeMutableRawBufferPointer?
    private var offsets: [(start: Int, count: Int)] = []

    init() {}

    deinit { storage?.deallocate() }

    /// Releases the bytes; call only after the statement's bindings were cleared.
    mutating func free() {
        storage?.deallocate()
        storage = nil
    }

    mutating func prepare(_ arguments: [SQLValue]) {
        var total = 0
        offsets.removeAll(keepingCapacity: true)
        for value in arguments {
            let count: Int
            switch value {
            case .text(let text): count = text.utf8.count
            case .blob(let bytes): count = bytes.count
            default: count = 0
            }
            offsets.append((total, count))
            total += count
        }
        storage?.deallocate()
        // At least one byte: an empty text still needs a valid (non-null) pointer.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 8)
        storage = buffer
        for (index, value) in arguments.enumerated() {
            let destination = buffer.baseAddress! + offsets[index].start
            switch value {
            case .text(var text): text.withUTF8 { if $0.count > 0 { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            case .blob(let bytes): bytes.withUnsafeBytes { if $0.count > 0 { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            default: break
            }
        }
    }

    func slice(_ index: Int) -> (UnsafeRawPointer, Int) {
        (UnsafeRawPointer(storage!.baseAddress! + offsets[index].start), offsets[index].count)
    }
}

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
    ///
    /// Text and blobs are copied once into `arena` and bound without further copies (`SQLITE_STATIC`): the
    /// caller keeps the arena alive until `reset()`, which clears the bindings.
    func bind(_ arguments: [SQLValue], arena: inout BindingArena) throws(SQLiteError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        precondition(expected == arguments.count, "statement expects \(expected) arguments, got \(arguments.count): \(sql)")
        arena.prepare(arguments)
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null: result = sqlite3_bind_null(handle, index)
            case .integer(let i): result = sqlite3_bind_int64(handle, index, i)
            case .real(let d): result = sqlite3_bind_double(handle, index, d)
            case .text:
                let (pointer, count) = arena.slice(offset)
                result = csqlite_bind_text_static(handle, index, pointer.assumingMemoryBound(to: CChar.self), Int32(count))
            case .blob:
                let (pointer, count) = arena.slice(offset)
                result = csqlite_bind_blob_static(handle, index, pointer, Int32(count))
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
