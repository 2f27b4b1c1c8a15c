import Foundation
import JSONCore
import Storage
import Support
import TestSupport
import XCTest

/// Opening, configuration, migrations, reads and closing of `Database`.
final class DatabaseTests: StorageTestCase {
    // MARK: - Configuration

    func testJournalModeIsWALAsSeenByReader() throws {
        let database = try open()
        XCTAssertEqual(try database.read { try $0.pragma("journal_mode") }?.lowercased(), "wal")
    }

    func testWALFileAppearsAfterWrite() throws {
        let database = try open()
        try database.writeSync { try $0.run("INSERT INTO items (name) VALUES ('x')") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: databasePath + "-wal"))
    }

    func testForeignKeysAreEnforced() async throws {
        let database = try open()
        XCTAssertEqual(try database.read { try $0.pragma("foreign_keys") }, "1")
        do {
            try await database.write { try $0.run("INSERT INTO notes (item_id, body) VALUES (999, 'orphan')") }
            XCTFail("a note for a missing item must be refused")
        } catch let error as SQLiteError {
            XCTAssertTrue(error.isConstraintViolation)
            XCTAssertEqual(error.extendedCode, 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
        }
        XCTAssertEqual(try count(database, "notes"), 0)
    }

    func testRefusesDatabaseThatCannotUseWAL() {
        XCTAssertThrowsError(try open(path: ":memory:")) { error in
            XCTAssertTrue(String(describing: error).contains("WAL is required"), "\(error)")
        }
    }

    func testReaderConnectionsAreReadOnly() throws {
        let database = try open()
        XCTAssertThrowsError(try database.read { try $0.run("INSERT INTO items (name) VALUES ('x')") }) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, 8)  // SQLITE_READONLY
        }
    }

    // MARK: - Migrations

    func testMigrationsAreRecordedInOrder() throws {
        let database = try open()
        let rows = try database.read { try $0.query("SELECT id, applied_at FROM schema_migrations ORDER BY rowid") }
        XCTAssertEqual(rows.compactMap { $0.string(0) }, ["test-001", "test-002"])
        for row in rows {
            let appliedAt = try XCTUnwrap(row.string(1))
            XCTAssertNotNil(Timestamp.parseISO8601(appliedAt), "applied_at must be a timestamp: \(appliedAt)")
        }
    }

    func testMigrationsAreNotReappliedOnReopen() throws {
        let first = try open()
        try first.writeSync { try $0.run("INSERT INTO items (name) VALUES ('survivor')") }
        let appliedBefore = try first.read { try $0.query("SELECT id, applied_at FROM schema_migrations ORDER BY id").map(\.values) }
        first.close()

        // test-001 has no IF NOT EXISTS: running it again would fail the open.
        let log = InMemoryLogHandler()
        let second = try open(logger: Logger(label: "db", handler: log))
        let appliedAfter = try second.read { try $0.query("SELECT id, applied_at FROM schema_migrations ORDER BY id").map(\.values) }
        XCTAssertEqual(appliedAfter, appliedBefore)
        XCTAssertEqual(try count(second), 1)
        XCTAssertFalse(log.text.contains("database migrated"), "nothing may be applied on reopen: \(log.text)")
    }

    func testOnlyNewMigrationIsAppliedOnReopen() throws {
        try open().close()
        let log = InMemoryLogHandler()
        let extended = StorageTestCase.schema + [Migration("test-003", "ALTER TABLE items ADD COLUMN extra TEXT")]
        let database = try open(extended, logger: Logger(label: "db", handler: log))
        XCTAssertEqual(try database.read { try $0.query("SELECT id FROM schema_migrations ORDER BY rowid").compactMap { $0.string(0) } }, [
            "test-001", "test-002", "test-003",
        ])
        let record = try XCTUnwrap(log.all.first { $0.message == "database migrated" })
        XCTAssertEqual(record.metadata["applied"], ["test-003"])
    }

    func testRefusesDatabaseWithUnknownAppliedMigration() throws {
        try open().close()
        XCTAssertThrowsError(try open([StorageTestCase.schema[0]])) { error in
            guard let error = error as? SQLiteError else { return XCTFail("expected SQLiteError, got \(error)") }
            XCTAssertTrue(error.message.contains("test-002"), error.message)
            XCTAssertTrue(error.message.contains("newer Switchboard"), error.message)
        }
        // The refusal changes nothing: the full build still opens it.
        let database = try open()
        XCTAssertEqual(try count(database, "schema_migrations"), 2)
    }

    func testFailedMigrationIsRolledBackAndNotRecorded() throws {
        let broken = StorageTestCase.schema + [Migration("test-003", "CREATE TABLE half (x); CREATE TABLE broken (")]
        XCTAssertThrowsError(try open(broken))
        let database = try open()
        XCTAssertEqual(try count(database, "schema_migrations"), 2)
        let half = try database.read { try $0.queryOne("SELECT count(*) FROM sqlite_master WHERE name = 'half'")?.int(0) }
        XCTAssertEqual(half, 0, "the first statement of the failed migration must be rolled back too")
    }

    // MARK: - Reads and writes

    func testWriteSyncCommitsAndReturnsValue() throws {
        let database = try open()
        let id = try database.writeSync { connection -> Int64 in
            try connection.run("INSERT INTO items (name) VALUES ('sync')")
            return connection.lastInsertRowID
        }
        XCTAssertEqual(try database.read { try $0.queryOne("SELECT name FROM items WHERE id = ?", [.integer(id)])?.string(0) }, "sync")
    }

    func testWriteSyncRethrowsAndRollsBack() throws {
        let database = try open()
        XCTAssertThrowsError(
            try database.writeSync { connection in
                try connection.run("INSERT INTO items (name) VALUES ('doomed')")
                throw JobError(index: 7)
            }
        ) { error in
            XCTAssertEqual(error as? JobError, JobError(index: 7))
        }
        XCTAssertEqual(try count(database), 0)
    }

    func testWriteCallbackRunsOnceCommittedWithTheResultOrTheError() throws {
        let database = try open()
        let stored = expectation(description: "stored")
        database.write({ connection -> Int64 in
            try connection.run("INSERT INTO items (name) VALUES ('callback')")
            return connection.lastInsertRowID
        }) { result in
            // Committed by now: another connection sees the row.
            let id = (try? result.get()) ?? -1
            XCTAssertEqual(try? database.read { try $0.queryOne("SELECT name FROM items WHERE id = ?", [.integer(id)])?.string(0) }, "callback")
            stored.fulfill()
        }
        let refused = expectation(description: "refused")
        database.write({ connection in
            try connection.run("INSERT INTO items (name) VALUES ('doomed')")
            throw JobError(index: 3)
        }) { result in
            if case .failure(let error) = result { XCTAssertEqual(error as? JobError, JobError(index: 3)) } else { XCTFail("the body's error is the result") }
            refused.fulfill()
        }
        wait(for: [stored, refused], timeout: 5)
        XCTAssertEqual(try count(database), 1)
    }

    func testReadsSeeCommittedWrites() async throws {
        let database = try open()
        for index in 0..<5 {
            try await database.write { try $0.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("n\(index)"), .integer(Int64(index))]) }
            XCTAssertEqual(try count(database), Int64(index + 1), "a read after write returns must see it")
        }
        let sum = try database.read { try $0.queryOne("SELECT sum(value) FROM items")?.int(0) }
        XCTAssertEqual(sum, 10)
    }

    func testValuesRoundTripThroughWriterAndReader() async throws {
        let database = try open()
        let values: [SQLValue] = [.blob([0x00, 0xFF, 0x00, 0x7F]), .blob([]), .text(""), .text("x\u{0}y"), .real(2.25), .null]
        for (index, value) in values.enumerated() {
            try await database.write { try $0.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("v\(index)"), value]) }
        }
        let stored = try database.read { try $0.query("SELECT value, typeof(value) FROM items ORDER BY id") }
        XCTAssertEqual(stored.map { $0[0] }, values)
        XCTAssertEqual(stored.compactMap { $0.string(1) }, ["blob", "blob", "text", "text", "real", "null"])
    }

    func testConcurrentReadsBeyondPoolSizeAllSucceed() throws {
        var options = Database.Options()
        options.maxReaders = 2
        let database = try open(options: options)
        try database.writeSync { try $0.run("INSERT INTO items (name) VALUES ('r')") }
        let failures = LockedValue(0)
        DispatchQueue.concurrentPerform(iterations: 40) { _ in
            let seen = try? database.read { connection -> Int64 in
                usleep(2_000)
                return try connection.queryOne("SELECT count(*) FROM items").map { $0.int(0) } ?? -1
            }
            if seen != 1 { failures.withLock { $0 += 1 } }
        }
        XCTAssertEqual(failures.get(), 0)
    }

    func testSQLiteErrorFromWriteOmitsBoundSecret() async throws {
        let log = InMemoryLogHandler()
        let database = try open(logger: Logger(label: "db", level: .trace, handler: log))
        let secret = "whsec_SECRET_VALUE_15550000001"
        try await database.write { try $0.run("INSERT INTO items (name) VALUES (?)", [.text(secret)]) }
        do {
            try await database.write { try $0.run("INSERT INTO items (name) VALUES (?)", [.text(secret)]) }
            XCTFail("a duplicate name must violate UNIQUE")
        } catch let error as SQLiteError {
            XCTAssertTrue(error.isUniqueViolation)
            XCTAssertEqual(error.sql, "INSERT INTO items (name) VALUES (?)")
            XCTAssertTrue(error.description.contains("INSERT INTO items (name) VALUES (?)"), error.description)
            XCTAssertFalse(error.description.contains(secret), error.description)
            XCTAssertFalse("\(error)".contains("SECRET_VALUE"))
        }
        XCTAssertFalse(log.text.contains("SECRET_VALUE"))
        XCTAssertEqual(try count(database), 1)
    }

    // MARK: - Closing

    func testClosedDatabaseRefusesWritesAndReads() async throws {
        let database = try open()
        try await database.write { try $0.run("INSERT INTO items (name) VALUES ('before')") }
        database.close()
        do {
            try await database.write { try $0.run("INSERT INTO items (name) VALUES ('after')") }
            XCTFail("write after close must throw")
        } catch let error as SQLiteError {
            XCTAssertEqual(error.code, 21)  // SQLITE_MISUSE
        }
        XCTAssertThrowsError(try database.writeSync { try $0.run("INSERT INTO items (name) VALUES ('after-sync')") })
        XCTAssertThrowsError(try database.read { try $0.query("SELECT 1") })

        let reopened = try open()
        XCTAssertEqual(try reopened.read { try $0.query("SELECT name FROM items").compactMap { $0.string(0) } }, ["before"])
    }

    func testCloseIsIdempotent() throws {
        let database = try open()
        database.close()
        database.close()
        XCTAssertThrowsError(try database.writeSync { _ in 1 })
    }
}

/// The write-ahead log must start over under writes that never pause: a checkpoint beside the writer never catches
/// up, and without the writer finishing it the log grows by every page written.
final class DatabaseWALBoundTests: StorageTestCase {
    /// The everyday path, with the limit far away: background passes catch up to within the slack, the writer
    /// finishes between two batches once the log holds `restartFrames`, and the log starts over while 16 writers
    /// keep the queue full.
    func testWriterFinishesCaughtUpCheckpointsSoTheLogStartsOver() async throws {
        var options = Database.Options()
        options.restartFrames = 1_024
        let database = try open(options: options)
        // Until the log has started over after a writer checkpoint, or 4,000 rows of 4 KiB: about a quarter of the
        // limit's frames, so only the caught-up path can have started it over.
        let written = try await writeUntil(database, rows: 4_000, tag: "c") { $0.restarts > 0 && $0.writerCheckpoints > 0 }
        let stats = database.walStats.get()
        XCTAssertGreaterThan(stats.writerCheckpoints, 0, "no background pass came within the slack in \(written) writes")
        XCTAssertGreaterThan(stats.restarts, 0, "the log never started over in \(written) writes")
        XCTAssertEqual(try count(database), Int64(written))
    }

    /// A caught-up checkpoint does not stop the writer while the log is shorter than `restartFrames`: each restart
    /// pauses every write, and the background catches up every few dozen commits.
    func testShortLogIsLeftToGrowBeforeTheWriterFinishesACheckpoint() async throws {
        var options = Database.Options()
        options.restartFrames = 6_000
        let database = try open(options: options)
        // About 1,500 frames: background passes catch up many times over, but the log stays under 6,000 frames.
        let first = try await writeUntil(database, rows: 1_500, tag: "a") { _ in false }
        let short = database.walStats.get()
        XCTAssertEqual(short.writerCheckpoints, 0, "the writer finished a checkpoint of a log of \(short.frames) frames (\(first) writes)")
        // Past 6,000 frames the next caught-up pass has the writer finish it, and the log starts over.
        let second = try await writeUntil(database, rows: 8_000, tag: "b") { $0.restarts > 0 && $0.writerCheckpoints > 0 }
        let long = database.walStats.get()
        XCTAssertGreaterThan(long.writerCheckpoints, 0, "no writer checkpoint in \(first + second) writes")
        XCTAssertGreaterThan(long.restarts, 0, "the log never started over in \(first + second) writes")
        XCTAssertEqual(try count(database), Int64(first + second))
    }

    /// The checkpoint thread syncs what its passes copied into the database file itself: SQLite syncs it only after a
    /// pass that copied the whole log, which under steady writes is only the writer's, and that sync then stalled
    /// every write for all the pages copied since the last restart.
    func testCheckpointThreadSyncsTheDatabaseFileAfterItsPasses() async throws {
        let database = try open()
        let written = try await writeUntil(database, rows: 2_000, tag: "s") { $0.backgroundSyncs > 0 }
        XCTAssertGreaterThan(database.walStats.get().backgroundSyncs, 0, "no background sync in \(written) writes")
        XCTAssertEqual(try count(database), Int64(written))
    }

    /// Writes up to `rows` rows of 4 KiB from 16 concurrent writers, stopping early once `done` holds for the log's
    /// statistics; returns how many were written.
    private func writeUntil(_ database: Database, rows: Int, tag: String, done: @escaping @Sendable (Database.WALStats) -> Bool) async throws -> Int {
        let blob = SQLValue.blob([UInt8](repeating: 0xCD, count: 4096))
        let written = LockedValue(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for row in 0..<(rows / 16) {
                        if done(database.walStats.get()) { return }
                        try await database.write { try $0.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("\(tag)\(writer)-\(row)"), blob]) }
                        written.withLock { $0 += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        return written.get()
    }

    /// The safety net: a low `walLimitFrames` makes the writer checkpoint whatever is left.
    func testWALStaysBoundedUnderWritesThatNeverPause() async throws {
        var options = Database.Options()
        options.walLimitFrames = 256
        let database = try open(options: options)
        let blob = SQLValue.blob([UInt8](repeating: 0xAB, count: 4096))
        // 16 writers keep the queue full: 16 × 250 rows of 4 KiB, about 16 MiB of pages.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for row in 0..<250 {
                        try await database.write { try $0.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("w\(writer)-\(row)"), blob]) }
                    }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try count(database), 4000)
        // The file keeps its high-water mark (it is cut back only above journal_size_limit, 64 MiB).
        let walBytes = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: databasePath + "-wal")[.size] as? Int)
        XCTAssertLessThan(walBytes, 8 << 20, "the WAL reached \(walBytes) bytes for about 16 MiB written: it never started over")
    }
}

final class DatabaseCloseTests: XCTestCase {
    func testCleanCloseCheckpointsAndRemovesTheWAL() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let database = try Database(path: path, migrations: [Migration("t-001", "CREATE TABLE t (x INTEGER)")], logger: .discard)
        try database.writeSync { try $0.run("INSERT INTO t VALUES (1)") }
        _ = try database.read { try $0.queryOne("SELECT x FROM t") }
        database.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "the WAL is checkpointed and removed on a clean close")
        let reopened = try Database(path: path, migrations: [Migration("t-001", "CREATE TABLE t (x INTEGER)")], logger: .discard)
        defer { reopened.close() }
        XCTAssertEqual(try reopened.read { try $0.queryOne("SELECT x FROM t")?.int(0) }, 1)
    }
}
