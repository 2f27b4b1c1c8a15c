import Foundation
import Storage
import Support
import XCTest

/// The writer thread batches concurrent writes into one transaction, each job in its own savepoint.
final class GroupCommitTests: StorageTestCase {
    private struct Outcome: Sendable {
        let index: Int
        let rowID: Int64?
        let error: JobError?
        let otherError: String?
    }

    /// Runs `count` concurrent writes queued behind a held writer (so they share transactions) and returns
    /// their outcomes in index order. Job `index` inserts `n<index>`, then `body` may add more work or throw.
    private func runConcurrentJobs(
        _ database: Database, count: Int, body: @escaping @Sendable (SQLiteConnection, Int) throws -> Void
    ) async throws -> [Outcome] {
        let gate = WriterGate()
        let blocker = Task { try await database.write { _ in gate.hold() } }
        try await gate.waitUntilHeld()

        let submitted = LockedValue(0)
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group -> [Outcome] in
            for index in 0..<count {
                group.addTask {
                    submitted.withLock { $0 += 1 }
                    do {
                        let rowID = try await database.write { connection -> Int64 in
                            try connection.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("n\(index)"), .integer(Int64(index))])
                            let id = connection.lastInsertRowID
                            try body(connection, index)
                            return id
                        }
                        return Outcome(index: index, rowID: rowID, error: nil, otherError: nil)
                    } catch let error as JobError {
                        return Outcome(index: index, rowID: nil, error: error, otherError: nil)
                    } catch {
                        return Outcome(index: index, rowID: nil, error: nil, otherError: String(describing: error))
                    }
                }
            }
            try await waitForCount(submitted, count)
            gate.release()
            var all: [Outcome] = []
            for try await outcome in group { all.append(outcome) }
            return all.sorted { $0.index < $1.index }
        }
        try await blocker.value
        return outcomes
    }

    private func storedIndexes(_ database: Database) throws -> [Int] {
        try database.read { try $0.query("SELECT value FROM items ORDER BY value").map { Int($0.int(0)) } }
    }

    func testThrowingJobsRollBackAloneWhileOthersCommit() async throws {
        let database = try open()
        let before = database.commits.get()
        let outcomes = try await runConcurrentJobs(database, count: 50) { connection, index in
            try connection.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("extra\(index)"), .integer(1000 + Int64(index))])
            if index % 5 == 0 { throw JobError(index: index) }
        }
        let failing = Set(stride(from: 0, to: 50, by: 5))
        XCTAssertEqual(outcomes.count, 50)
        for outcome in outcomes {
            XCTAssertNil(outcome.otherError, "job \(outcome.index): \(outcome.otherError ?? "")")
            if failing.contains(outcome.index) {
                XCTAssertEqual(outcome.error, JobError(index: outcome.index), "each job gets its own error")
                XCTAssertNil(outcome.rowID)
            } else {
                XCTAssertNil(outcome.error, "job \(outcome.index) must commit")
                XCTAssertNotNil(outcome.rowID)
            }
        }
        let committed = (0..<50).filter { !failing.contains($0) }
        XCTAssertEqual(try count(database), 80, "40 jobs × 2 rows each")
        XCTAssertEqual(try storedIndexes(database), committed + committed.map { 1000 + $0 })

        let after = database.commits.get()
        XCTAssertEqual(after.jobs - before.jobs, 51, "the blocker and the 50 jobs")
        XCTAssertLessThanOrEqual(after.batches - before.batches, 3, "queued jobs must share transactions (group commit)")
    }

    func testJobFailingOnConstraintLosesAllItsWork() async throws {
        let database = try open()
        try database.writeSync { try $0.run("INSERT INTO items (name, value) VALUES ('taken', -1)") }
        let outcomes = try await runConcurrentJobs(database, count: 10) { connection, index in
            // Odd jobs collide on the unique name after their first insert already succeeded.
            if index % 2 == 1 { try connection.run("INSERT INTO items (name, value) VALUES ('taken', ?)", [.integer(Int64(index))]) }
        }
        for outcome in outcomes {
            if outcome.index % 2 == 1 {
                XCTAssertNil(outcome.rowID)
                XCTAssertTrue(outcome.otherError?.contains("UNIQUE") == true, "job \(outcome.index): \(outcome.otherError ?? "no error")")
            } else {
                XCTAssertNotNil(outcome.rowID, "job \(outcome.index) must commit: \(outcome.otherError ?? "")")
            }
        }
        XCTAssertEqual(try storedIndexes(database), [-1, 0, 2, 4, 6, 8])
    }

    func testReturnedRowIDsAreDistinctAndReadable() async throws {
        let database = try open()
        let outcomes = try await runConcurrentJobs(database, count: 20) { _, _ in }
        let ids = outcomes.compactMap(\.rowID)
        XCTAssertEqual(ids.count, 20)
        XCTAssertEqual(Set(ids).count, 20)
        for outcome in outcomes {
            let name = try database.read { try $0.queryOne("SELECT name FROM items WHERE id = ?", [.integer(outcome.rowID ?? -1)])?.string(0) }
            XCTAssertEqual(name, "n\(outcome.index)")
        }
    }

    func testUnbatchedConcurrentWritesAllCommit() async throws {
        let database = try open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try await database.write { try $0.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("u\(index)"), .integer(Int64(index))]) }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try storedIndexes(database), Array(0..<50))
    }

    func testMaxBatchSplitsLargeQueues() async throws {
        var options = Database.Options()
        options.maxBatch = 4
        let database = try open(options: options)
        let before = database.commits.get()
        let outcomes = try await runConcurrentJobs(database, count: 12) { _, _ in }
        XCTAssertEqual(outcomes.compactMap(\.rowID).count, 12)
        let after = database.commits.get()
        XCTAssertEqual(after.jobs - before.jobs, 13)
        XCTAssertGreaterThanOrEqual(after.batches - before.batches, 4, "the blocker plus at least three batches of at most four")
    }

    func testCloseFinishesQueuedWrites() async throws {
        let database = try open()
        let gate = WriterGate()
        let blocker = Task { try await database.write { _ in gate.hold() } }
        try await gate.waitUntilHeld()

        let submitted = LockedValue(0)
        let writes = (0..<10).map { index in
            Task {
                submitted.withLock { $0 += 1 }
                try await database.write { try $0.run("INSERT INTO items (name, value) VALUES (?, ?)", [.text("q\(index)"), .integer(Int64(index))]) }
            }
        }
        try await waitForCount(submitted, 10)
        let closing = Task.detached { database.close() }
        try await Task.sleep(nanoseconds: 100_000_000)  // close() is now waiting for the queue to drain
        gate.release()
        await closing.value
        try await blocker.value
        for write in writes { _ = try await write.value }

        let reopened = try open()
        XCTAssertEqual(try storedIndexes(reopened), Array(0..<10))
    }
}
