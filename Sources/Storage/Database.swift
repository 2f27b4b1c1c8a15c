import Foundation
import Support

/// The gateway's database: one writer thread that batches concurrent writes into shared transactions (group
/// commit, every commit durable with `synchronous=FULL`), a pool of reader connections that read in parallel
/// under WAL, and a checkpoint thread that keeps the WAL from growing (Database+Checkpoints.swift).
///
/// Write jobs each run inside a savepoint: a job that throws is rolled back alone and gets its error; the
/// others in the batch commit. A job must not run transaction statements itself.
public final class Database: @unchecked Sendable {
    public struct Options: Sendable {
        /// Reader connections kept open at most.
        public var maxReaders: Int
        /// Jobs one transaction may carry.
        public var maxBatch: Int
        /// `FULL` for everything acknowledged (DESIGN §9).
        public var synchronous: String
        public var busyTimeoutMilliseconds: Int
        /// Frames in the write-ahead log (pages of 4 KiB) at which the writer checkpoints the rest itself so that
        /// the log starts over, if the background checkpoints have not brought it there first. The default is 64 MiB
        /// of log, the size the file is cut back to (`journal_size_limit`).
        public var walLimitFrames: Int
        /// Frames the log must hold before a background checkpoint that has caught up asks the writer to finish it
        /// (and so start the log over). Every write waits while the writer finishes one, and under steady writes
        /// the background catches up every few dozen commits: restarting each time stalled the writer 14–26 times a
        /// second at 5,000 webhooks/s (BENCHMARKS.md, issue 6). 32 MiB of log restarts it every few seconds.
        public var restartFrames: Int

        public init(
            maxReaders: Int = 8, maxBatch: Int = 256, synchronous: String = "FULL", busyTimeoutMilliseconds: Int = 5000,
            walLimitFrames: Int = 16_384, restartFrames: Int = 8_192
        ) {
            self.maxReaders = maxReaders
            self.maxBatch = maxBatch
            self.synchronous = synchronous
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.walLimitFrames = walLimitFrames
            self.restartFrames = restartFrames
        }
    }

    public let path: String
    let options: Options
    let logger: Logger

    let writer: SQLiteConnection
    private var writerThread: Thread?
    private let queue = Condition()
    private var jobs: [WriteJob] = []
    private var stopping = false
    private var stopped = false

    // Checkpoints (Database+Checkpoints.swift).
    var checkpointer: Thread?
    let checkpointSignal = Condition()
    var commitsSinceCheckpoint = 0
    var checkpointerStopped = false
    var checkpointerExited = false
    /// Set by a background checkpoint that left little uncopied: the writer copies the rest and the log restarts.
    let restartWanted = LockedValue(false)
    /// Frames after the previous commit (writer thread only): fewer after a commit means the log started over.
    var framesAfterLastCommit = 0
    /// The write-ahead log's behaviour, for metrics.
    public let walStats = LockedValue(WALStats())

    private let readersLock = Condition()
    private var idleReaders: [SQLiteConnection] = []
    private var openReaders = 0
    private var closed = false

    /// Called on the writer thread when a batch fails to commit (its jobs' changes are gone): caches built from
    /// uncommitted state must be dropped.
    public let onCommitFailure = LockedValue<[@Sendable () -> Void]>([])

    /// Batches committed, and jobs in them, for metrics.
    public let commits = LockedValue<(batches: Int, jobs: Int)>((0, 0))

    /// Where the time of durable writes goes, for metrics: set once, by whoever exports them.
    public struct WriteTimings: Sendable {
        /// A batch's `COMMIT`: its pages written to the log and the log synced (`synchronous=FULL`).
        public var commit: @Sendable (_ seconds: Double) -> Void
        /// A write, from being queued to being durable: the wait for the batch before it, its own batch, the commit.
        public var write: @Sendable (_ seconds: Double) -> Void

        public init(commit: @escaping @Sendable (_ seconds: Double) -> Void, write: @escaping @Sendable (_ seconds: Double) -> Void) {
            self.commit = commit
            self.write = write
        }
    }
    public let timings = LockedValue<WriteTimings?>(nil)

    /// Opens (creating) the database, verifies WAL, applies migrations, and starts the writer thread.
    public init(path: String, migrations: [Migration], logger: Logger, options: Options = Options()) throws {
        self.path = path
        self.options = options
        self.logger = logger
        writer = try SQLiteConnection(path: path)
        do {
            try Database.configure(writer, options: options, isWriter: true)
            let ran = try Migrator.migrate(writer, migrations)
            if !ran.isEmpty { logger.info("database migrated", ["applied": .array(ran.map(JSON.string))]) }
        } catch {
            writer.close()
            throw error
        }
        let thread = Thread(named: "db-writer") { [self] in writerLoop() }
        writerThread = thread
        thread.start()
        let checkpoints = Thread(named: "db-checkpoint") { [self] in checkpointLoop() }
        checkpointer = checkpoints
        checkpoints.start()
    }

    /// Sets the pragmas deliberately and checks the ones that matter.
    static func configure(_ connection: SQLiteConnection, options: Options, isWriter: Bool) throws(SQLiteError) {
        _ = try connection.pragma("busy_timeout", set: String(options.busyTimeoutMilliseconds))
        _ = try connection.pragma("foreign_keys", set: "ON")
        _ = try connection.pragma("temp_store", set: "MEMORY")
        // The writer keeps its pages across transactions (readers' are dropped whenever the log has grown), but not
        // too many: SQLite scans the cache's whole hash table at every commit, 3.6 % of a webhook drain's CPU at
        // 64 MiB (BENCHMARKS.md, issue 6). At 16 MiB, webhooks and native sends ran as fast, within noise, or faster.
        _ = try connection.pragma("cache_size", set: isWriter ? "-16384" : "-16000")
        if isWriter {
            // Checkpoints run on their own thread (checkpointLoop); the writer only finishes one between batches
            // when little is left (finishCheckpoint). trackWALFrames installs SQLite's WAL hook, which is also what
            // wal_autocheckpoint uses: setting that pragma afterwards would silently remove the frame count.
            _ = try connection.pragma("wal_autocheckpoint", set: "0")
            connection.trackWALFrames()
            // When the log starts over, its file is cut back to this size instead of staying at its largest.
            _ = try connection.pragma("journal_size_limit", set: String(64 << 20))
            let mode = try connection.pragma("journal_mode", set: "WAL")
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: 1, extendedCode: 1, message: "journal_mode is '\(mode ?? "?")', WAL is required", sql: nil)
            }
        }
        _ = try connection.pragma("synchronous", set: options.synchronous)
        guard try connection.pragma("foreign_keys") == "1" else {
            throw SQLiteError(code: 1, extendedCode: 1, message: "foreign keys could not be enabled", sql: nil)
        }
    }

    // MARK: - Reads

    /// Runs `body` on a reader connection (blocking the calling thread for the duration of the read).
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let connection = try checkoutReader()
        defer { checkinReader(connection) }
        return try body(connection)
    }

    private func checkoutReader() throws -> SQLiteConnection {
        readersLock.lock()
        while true {
            if closed {
                readersLock.unlock()
                throw SQLiteError(code: 21, extendedCode: 21, message: "database is closed", sql: nil)
            }
            if let connection = idleReaders.popLast() {
                readersLock.unlock()
                return connection
            }
            if openReaders < options.maxReaders {
                openReaders += 1
                readersLock.unlock()
                do {
                    let connection = try SQLiteConnection(path: path, readOnly: true)
                    try Database.configure(connection, options: options, isWriter: false)
                    return connection
                } catch {
                    readersLock.withLock { openReaders -= 1 }
                    throw error
                }
            }
            readersLock.wait(timeoutNanoseconds: 50_000_000)
        }
    }

    private func checkinReader(_ connection: SQLiteConnection) {
        readersLock.withLock {
            if closed {
                connection.close()
            } else {
                idleReaders.append(connection)
            }
            readersLock.signal()
        }
    }

    // MARK: - Writes

    /// Runs `body` in the next write transaction and returns once that transaction is durably committed.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            write(body) { continuation.resume(with: $0) }
        }
    }

    /// `write` with a callback: `completion` runs on the writer thread once the transaction is durably committed
    /// (or has failed), and must be quick: the next commit waits for it. On a closed database it runs at once, on
    /// the calling thread, with the error.
    public func write<T: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) throws -> T, completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        let box = ResultBox<T>()
        enqueue(WriteJob(
            run: { connection in
                box.result = Result { try body(connection) }
                return box.succeeded
            },
            complete: { commitError in
                switch (box.result, commitError) {
                case (.success, let error?): completion(.failure(error))
                case (.some(let result), _): completion(result)
                case (.none, let error): completion(.failure(error ?? SQLiteError(code: 21, extendedCode: 21, message: "database is closed", sql: nil)))
                }
            }))
    }

    /// The blocking form of `write`, for start-up, the CLI and tests outside async contexts.
    @discardableResult
    public func writeSync<T>(_ body: @escaping (SQLiteConnection) throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = Condition()
        var finished = false
        var failure: (any Error)?
        let job = WriteJob(
            run: { connection in
                box.result = Result { try body(connection) }
                return box.succeeded
            },
            complete: { commitError in
                done.withLock {
                    failure = commitError
                    finished = true
                    done.signal()
                }
            })
        enqueue(job)
        done.withLock { while !finished { done.wait() } }
        if let failure, case .success = box.result { throw failure }
        guard let result = box.result else { throw failure ?? SQLiteError(code: 21, extendedCode: 21, message: "database is closed", sql: nil) }
        return try result.get()
    }

    private func enqueue(_ job: WriteJob) {
        let accepted = queue.withLock { () -> Bool in
            guard !stopping else { return false }
            jobs.append(job)
            queue.signal()
            return true
        }
        if !accepted { job.complete(SQLiteError(code: 21, extendedCode: 21, message: "database is closed", sql: nil)) }
    }

    private func writerLoop() {
        while true {
            let batch: [WriteJob] = queue.withLock {
                while jobs.isEmpty && !stopping { queue.wait() }
                let count = min(jobs.count, options.maxBatch)
                let taken = Array(jobs.prefix(count))
                jobs.removeFirst(count)
                return taken
            }
            if batch.isEmpty { break }  // stopping and drained
            commit(batch)
        }
        writer.close()
        queue.withLock {
            stopped = true
            queue.broadcast()
        }
    }

    private func commit(_ batch: [WriteJob]) {
        var commitError: (any Error)? = nil
        var commitSeconds = 0.0
        do {
            try writer.run("BEGIN IMMEDIATE")
            for job in batch {
                try writer.run("SAVEPOINT job")
                if !job.run(writer) { try writer.run("ROLLBACK TO job") }
                try writer.run("RELEASE job")
                // Some errors (disk full, I/O) make SQLite roll the whole transaction back by itself; carrying on
                // would run later jobs in autocommit mode. Fail the batch instead.
                guard writer.isInTransaction else {
                    throw SQLiteError(code: 1, extendedCode: 1, message: "the transaction was rolled back by SQLite", sql: nil)
                }
            }
            let committing = Monotonic.nanoseconds()
            try writer.run("COMMIT")
            commitSeconds = Double(Monotonic.nanoseconds() - committing) / 1e9
        } catch {
            commitError = error
            if writer.isInTransaction { try? writer.execute("ROLLBACK") }
            logger.error("database commit failed", ["error": .string(String(describing: error)), "jobs": .int(Int64(batch.count))])
            for handler in onCommitFailure.get() { handler() }
        }
        commits.withLock {
            $0.batches += 1
            $0.jobs += batch.count
        }
        if commitError == nil, let timings = timings.get() {
            let durable = Monotonic.nanoseconds()
            timings.commit(commitSeconds)
            for job in batch { timings.write(Double(durable - job.queued) / 1e9) }
        }
        for job in batch { job.complete(commitError) }
        checkpointAfterCommit()
    }

    // MARK: - Closing

    /// Finishes queued writes, closes the readers, then the writer — last, so SQLite checkpoints the WAL and
    /// removes it (a read-only connection cannot). Further use throws.
    public func close() {
        stopCheckpointer()
        readersLock.withLock {
            closed = true
            for connection in idleReaders { connection.close() }
            idleReaders = []
            readersLock.broadcast()
        }
        queue.withLock {
            stopping = true
            queue.broadcast()
            while !stopped { queue.wait(timeoutNanoseconds: 100_000_000) }
        }
    }
}

/// A queued write: `run` on the writer thread inside a savepoint (returning whether the body succeeded),
/// `complete` after the commit with the commit's error, if any.
private struct WriteJob {
    let run: (SQLiteConnection) -> Bool
    let complete: ((any Error)?) -> Void
    /// When it was queued (monotonic nanoseconds).
    let queued = Monotonic.nanoseconds()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
    var succeeded: Bool {
        if case .success = result { return true }
        return false
    }
}

import JSONCore
