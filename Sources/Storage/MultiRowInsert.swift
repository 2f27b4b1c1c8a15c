import Support

/// Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements, in chunks: far fewer statement
/// executions than one per row. Statements of each chunk size are prepared once and reused. The rows can also
/// feed another statement through a `WITH name (columns) AS (VALUES …)` prefix and a suffix that uses `name`.
public enum MultiRowInsert {
    private struct Shape: Hashable {
        let prefix: String
        let suffix: String
        let columns: Int
        let rows: Int
    }

    private static let texts = LockedValue<[Shape: String]>([:])

    /// The statement text for a shape, built once.
    private static func statement(_ prefix: String, columns: Int, rows: Int, suffix: String) -> String {
        let shape = Shape(prefix: prefix, suffix: suffix, columns: columns, rows: rows)
        if let text = texts.withLock({ $0[shape] }) { return text }
        let tuple = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        let text = prefix + " " + Array(repeating: tuple, count: rows).joined(separator: ",") + suffix
        texts.withLock { $0[shape] = text }
        return text
    }

    /// - Parameters:
    ///   - prefix: `INSERT INTO t (a, b) VALUES` (the placeholders are appended).
    ///   - columns: values per row; `values` must return exactly that many.
    ///   - suffix: appended after the rows (empty for a plain INSERT).
    public static func run<Row>(
        _ prefix: String, columns: Int, rows: [Row], chunk: Int = 64, suffix: String = "", in db: SQLiteConnection, values: (Row) -> [SQLValue]
    ) throws(SQLiteError) {
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + chunk)
            var arguments: [SQLValue] = []
            arguments.reserveCapacity((end - start) * columns)
            for row in rows[start..<end] {
                let rowValues = values(row)
                precondition(rowValues.count == columns, "a row has \(rowValues.count) values, expected \(columns)")
                arguments.append(contentsOf: rowValues)
            }
            try db.run(statement(prefix, columns: columns, rows: end - start, suffix: suffix), arguments)
            start = end
        }
    }
}
