import Foundation
import Storage
import TestSupport
import XCTest

/// One connection used directly: statements, transactions, savepoints, values and errors.
final class SQLiteConnectionTests: StorageTestCase {
    private struct Boom: Error {}

    private func connection() throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: databasePath)
        try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, v)")
        return connection
    }

    private func count(_ connection: SQLiteConnection) throws -> Int64 {
        try connection.queryOne("SELECT count(*) FROM t")?.int(0) ?? -1
    }

    func testDatabaseFileSyncsThroughSQLitesOwnHandle() throws {
        let db = try connection()
        defer { db.close() }
        try db.run("INSERT INTO t (name) VALUES (?)", ["synced"])
        XCTAssertNoThrow(try db.syncDatabaseFile())
        XCTAssertEqual(try count(db), 1, "a sync changes nothing")
    }

    func testRunReturnsChangesAndLastInsertRowID() throws {
        let db = try connection()
        defer { db.close() }
        XCTAssertEqual(try db.run("INSERT INTO t (name) VALUES (?)", ["a"]), 1)
        let first = db.lastInsertRowID
        try db.run("INSERT INTO t (name) VALUES (?)", ["b"])
        XCTAssertEqual(db.lastInsertRowID, first + 1)
        XCTAssertEqual(try db.run("UPDATE t SET v = 1"), 2)
        XCTAssertEqual(db.changes, 2)
    }

    func testQueryReturnsRowsByIndexAndName() throws {
        let db = try connection()
        defer { db.close() }
        try db.run("INSERT INTO t (name, v) VALUES (?, ?), (?, ?)", ["x", 1, "y", 0])
        let rows = try db.query("SELECT name, v FROM t ORDER BY name")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0]["name"], .text("x"))
        XCTAssertEqual(rows[0].string(0), "x")
        XCTAssertTrue(rows[0].bool(1))
        XCTAssertFalse(rows[1].bool(1))
        XCTAssertNil(try db.queryOne("SELECT * FROM t WHERE name = ?", ["missing"]))
    }

    func testCachedStatementIsReusedWithFreshBindings() throws {
        let db = try connection()
        defer { db.close() }
        let sql = "INSERT INTO t (name) VALUES (?)"
        for name in ["a", "b", "c"] { try db.run(sql, [.text(name)]) }
        XCTAssertTrue(try db.prepare(sql) === db.prepare(sql))
        XCTAssertEqual(try db.query("SELECT name FROM t ORDER BY id").compactMap { $0.string(0) }, ["a", "b", "c"])
    }

    func testTransactionCommitsOnReturn() throws {
        let db = try connection()
        defer { db.close() }
        let value = try db.transaction { () -> String in
            try db.run("INSERT INTO t (name) VALUES ('kept')")
            return "done"
        }
        XCTAssertEqual(value, "done")
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try count(db), 1)
    }

    func testTransactionRollsBackAndRethrows() throws {
        let db = try connection()
        defer { db.close() }
        XCTAssertThrowsError(
            try db.transaction {
                try db.run("INSERT INTO t (name) VALUES ('one')")
                try db.run("INSERT INTO t (name) VALUES ('two')")
                XCTAssertTrue(db.isInTransaction)
                throw Boom()
            }
        ) { error in
            XCTAssertTrue(error is Boom, "the body's own error must come out, got \(error)")
        }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try count(db), 0)
    }

    func testTransactionRollsBackOnSQLError() throws {
        let db = try connection()
        defer { db.close() }
        try db.run("INSERT INTO t (name) VALUES ('dup')")
        XCTAssertThrowsError(
            try db.transaction(.deferred) {
                try db.run("INSERT INTO t (name) VALUES ('new')")
                try db.run("INSERT INTO t (name) VALUES ('dup')")
            }
        ) { error in
            XCTAssertEqual((error as? SQLiteError)?.isUniqueViolation, true)
        }
        XCTAssertEqual(try db.query("SELECT name FROM t").compactMap { $0.string(0) }, ["dup"])
    }

    func testSavepointRollsBackOnlyItsOwnWork() throws {
        let db = try connection()
        defer { db.close() }
        try db.transaction {
            try db.run("INSERT INTO t (name) VALUES ('outer')")
            XCTAssertThrowsError(try db.savepoint { try db.run("INSERT INTO t (name) VALUES ('inner')"); throw Boom() })
            _ = try db.savepoint { try db.run("INSERT INTO t (name) VALUES ('inner-ok')") }
        }
        XCTAssertEqual(try db.query("SELECT name FROM t ORDER BY id").compactMap { $0.string(0) }, ["outer", "inner-ok"])
    }

    func testValuesRoundTripExactly() throws {
        let db = try connection()
        defer { db.close() }
        let values: [(SQLValue, String)] = [
            (.blob([0, 1, 2, 0xFF, 0]), "blob"), (.blob([]), "blob"), (.text(""), "text"), (.text("a\u{0}b\u{0}"), "text"),
            (.text("grüße 👋"), "text"), (.real(1.5), "real"), (.real(-0.1), "real"), (.integer(.min), "integer"),
            (.integer(.max), "integer"), (.null, "null"),
        ]
        for (index, (value, _)) in values.enumerated() {
            try db.run("INSERT INTO t (id, v) VALUES (?, ?)", [.integer(Int64(index)), value])
        }
        for (index, (value, type)) in values.enumerated() {
            let row = try XCTUnwrap(try db.queryOne("SELECT v, typeof(v) FROM t WHERE id = ?", [.integer(Int64(index))]))
            XCTAssertEqual(row[0], value, "value \(index)")
            XCTAssertEqual(row.string(1), type, "stored type of value \(index)")
        }
    }

    func testSQLValueConveniences() {
        XCTAssertEqual(SQLValue(nil as String?), .null)
        XCTAssertEqual(SQLValue(true), .integer(1))
        XCTAssertEqual(SQLValue(3 as Int?), .integer(3))
        XCTAssertEqual(SQLValue([1, 2] as [UInt8]?), .blob([1, 2]))
        XCTAssertEqual(SQLValue.text("ab").bytes, [97, 98])
        XCTAssertEqual(SQLValue.integer(2).double, 2.0)
        XCTAssertNil(SQLValue.text("1").int)
        XCTAssertTrue(SQLValue.null.isNull)
    }

    func testPrepareErrorCarriesSQLAndCode() throws {
        let db = try connection()
        defer { db.close() }
        XCTAssertThrowsError(try db.run("SELEKT 1")) { error in
            let error = error as? SQLiteError
            XCTAssertEqual(error?.code, 1)
            XCTAssertEqual(error?.sql, "SELEKT 1")
            XCTAssertTrue(error?.description.hasPrefix("SQLite error 1: ") == true, error?.description ?? "")
            XCTAssertTrue(error?.description.hasSuffix(" — in: SELEKT 1") == true, error?.description ?? "")
        }
    }

    func testErrorDescriptionNeverContainsBoundValues() throws {
        let db = try connection()
        defer { db.close() }
        let secret = "sk_live_DO_NOT_LEAK_5550000001"
        try db.run("INSERT INTO t (name) VALUES (?)", [.text(secret)])
        XCTAssertThrowsError(try db.run("INSERT INTO t (name) VALUES (?)", [.text(secret)])) { error in
            guard let error = error as? SQLiteError else { return XCTFail("expected SQLiteError, got \(error)") }
            XCTAssertTrue(error.isConstraintViolation)
            XCTAssertTrue(error.isUniqueViolation)
            XCTAssertEqual(error.extendedCode, 2067)
            XCTAssertTrue(error.description.contains("INSERT INTO t (name) VALUES (?)"), error.description)
            XCTAssertFalse(error.description.contains(secret))
            XCTAssertFalse(error.message.contains(secret))
            XCTAssertFalse(String(reflecting: error).contains("DO_NOT_LEAK"))
        }
    }

    func testPragmaReadsAndSets() throws {
        let db = try connection()
        defer { db.close() }
        XCTAssertEqual(try db.pragma("user_version", set: "7"), nil)
        XCTAssertEqual(try db.pragma("user_version"), "7")
    }

    func testOpeningInMissingDirectoryFails() {
        XCTAssertThrowsError(try SQLiteConnection(path: directory.file("no/such/dir/db.sqlite"))) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 14)  // SQLITE_CANTOPEN
        }
    }

    func testReadOnlyOpenDoesNotCreateAndCannotWrite() throws {
        XCTAssertThrowsError(try SQLiteConnection(path: directory.file("absent.sqlite"), readOnly: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("absent.sqlite")))
        try connection().close()
        let reader = try SQLiteConnection(path: databasePath, readOnly: true)
        defer { reader.close() }
        XCTAssertThrowsError(try reader.run("INSERT INTO t (name) VALUES ('x')")) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 8)  // SQLITE_READONLY
        }
    }
}
