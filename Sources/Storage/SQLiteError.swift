/// A failed SQLite call: the result codes, SQLite's message, and the SQL text — never the bound values,
/// which may hold message text, phone numbers or secrets.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY` = 5, `SQLITE_CONSTRAINT` = 19, …).
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE` = 2067, …).
    public let extendedCode: Int32
    public let message: String
    /// The statement being run, if any.
    public let sql: String?

    public init(code: Int32, extendedCode: Int32, message: String, sql: String?) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    public var isConstraintViolation: Bool { code == 19 }
    public var isUniqueViolation: Bool { extendedCode == 2067 || extendedCode == 1555 }
    public var isBusy: Bool { code == 5 || code == 6 }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " — in: \(sql)" }
        return text
    }
}
