import Foundation
import Storage
import TestSupport
import XCTest

final class MultiRowInsertTests: StorageTestCase {
    private func connection() throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: databasePath)
        try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER)")
        addTeardownBlock { connection.close() }
        return connection
    }

    func testRowsAreInsertedInOrderAcrossChunks() throws {
        let db = try connection()
        try MultiRowInsert.run("INSERT INTO t (id, name) VALUES", columns: 2, rows: Array(1...150), chunk: 64, in: db) { [.integer(Int64($0)), .text("n\($0)")] }
        let rows = try db.query("SELECT id, name FROM t ORDER BY id")
        XCTAssertEqual(rows.count, 150)
        XCTAssertEqual(rows.map { $0.int(0) }, Array(1...150).map(Int64.init))
        XCTAssertEqual(rows.last?.string(1), "n150")
    }

    /// The rows as a `WITH … AS (VALUES …)` table feeding an UPDATE: each row sets its own values.
    func testRowsCanFeedAnUpdateThroughASuffix() throws {
        let db = try connection()
        try MultiRowInsert.run("INSERT INTO t (id, name) VALUES", columns: 2, rows: Array(1...100), in: db) { [.integer(Int64($0)), .text("n\($0)")] }
        try MultiRowInsert.run(
            "WITH changed (id, v) AS (VALUES", columns: 2, rows: Array(stride(from: 2, through: 100, by: 2)), chunk: 16,
            suffix: ") UPDATE t SET v = changed.v FROM changed WHERE t.id = changed.id", in: db
        ) { [.integer(Int64($0)), .integer(Int64($0 * 10))] }
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM t WHERE v IS NOT NULL")?.int(0), 50)
        XCTAssertEqual(try db.queryOne("SELECT v FROM t WHERE id = 64")?.int(0), 640)
        XCTAssertEqual(try db.queryOne("SELECT v FROM t WHERE id = 63")?[0], .null)
    }
}
