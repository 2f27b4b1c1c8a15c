import Foundation
import JSONCore
import Support

/// Checkpoints: a thread copies committed WAL frames into the database file beside the writer, and the writer
/// finishes the copy between two batches when little is left, so the log starts over instead of growing.
extension Database {
    /// The write-ahead log's behaviour, for metrics.
    public struct WALStats: Sendable {
        /// Times the log started over from its beginning.
        public var restarts = 0
        /// Checkpoints the writer finished between batches, and the time they took in all and at most.
        public var writerCheckpoints = 0
        public var writerCheckpointSeconds = 0.0
        public var longestWriterCheckpointSeconds = 0.0
        /// Frames in the log after the last commit.
        public var frames = 0
        /// Syncs of the database file by the checkpoint thread after its passes (see `checkpointLoop`).
        public var backgroundSyncs = 0

        public init() {}
    }

    /// Commits between two background passes (or a quarter of a second, whichever comes first).
    private static let commitsPerPass = 50
    /// Frames a background checkpoint may leave behind for the writer to finish: 1 MiB of pages, a few
    /// milliseconds of copying between two batches (measured in BENCHMARKS.md), never a long stall.
    private static let restartSlackFrames: Int64 = 256
    /// Background passes in a row before waiting again: each copies what arrived during the previous one, so a
    /// few bring the remainder under the slack unless writes outrun copying (then the limit takes over).
    private static let catchUpPasses = 4

    /// On the writer thread after each commit: wakes the checkpoint thread every `commitsPerPass` commits, counts
    /// log restarts, and finishes a checkpoint when one is nearly done or the log has reached its limit.
    func checkpointAfterCommit() {
        checkpointSignal.withLock {
            commitsSinceCheckpoint += 1
            if commitsSinceCheckpoint >= Database.commitsPerPass { checkpointSignal.signal() }
        }
        let frames = writer.walFrames
        let restarted = frames < framesAfterLastCommit
        framesAfterLastCommit = frames
        walStats.withLock {
            $0.frames = frames
            if restarted { $0.restarts += 1 }
        }
        if restartWanted.get() || frames >= options.walLimitFrames { finishCheckpoint() }
    }

    /// Under steady writes a checkpoint running beside the writer never catches up (new frames arrive while it
    /// copies), so SQLite never starts the log over and the WAL grows without bound (5.5 GB in 40 s of native
    /// sends). Between batches no frame can arrive: the writer copies what is left, and its next commit starts
    /// the log from the beginning.
    private func finishCheckpoint() {
        restartWanted.set(false)
        let started = Monotonic.seconds()
        do {
            _ = try writer.query("PRAGMA wal_checkpoint(PASSIVE)")
        } catch {
            logger.warning("checkpoint failed", ["error": .string(String(describing: error))])
        }
        let seconds = Monotonic.seconds() - started
        walStats.withLock {
            $0.writerCheckpoints += 1
            $0.writerCheckpointSeconds += seconds
            $0.longestWriterCheckpointSeconds = max($0.longestWriterCheckpointSeconds, seconds)
        }
    }

    /// Copies committed WAL frames into the database file from a separate connection, so commits do not wait for
    /// the copying. PASSIVE checkpoints block neither the writer nor readers; when a pass leaves little behind of a
    /// log of at least `restartFrames`, the writer finishes it between two batches (`finishCheckpoint`) and the log
    /// starts over.
    ///
    /// SQLite syncs the database file only at the end of a pass that copied the whole log, which under steady writes
    /// is only the writer's: that one sync then flushed every page the background passes had copied since the last
    /// restart, and the writer (and every write queued behind it) waited 3.5–9 ms for it. So this thread syncs the
    /// database file itself after its passes, and the writer's sync is left with the few pages it copies. The extra
    /// sync only adds durability; SQLite's own remains the one the log's restart relies on.
    func checkpointLoop() {
        guard let connection = try? SQLiteConnection(path: path) else {
            checkpointSignal.withLock {
                checkpointerExited = true
                checkpointSignal.broadcast()
            }
            return
        }
        _ = try? Database.configure(connection, options: options, isWriter: false)
        // Frames copied as of the last pass: a pass that moved it copied pages the database file must be synced for.
        var backfilled: Int64 = -1
        while true {
            let stop = checkpointSignal.withLock { () -> Bool in
                if !checkpointerStopped && commitsSinceCheckpoint < Database.commitsPerPass {
                    checkpointSignal.wait(timeoutNanoseconds: 250_000_000)
                }
                commitsSinceCheckpoint = 0
                return checkpointerStopped
            }
            if stop { break }
            do {
                // Passes copy what the writer appended during the previous one, until little is left (or it stops
                // shrinking); then, once the log is long enough, the writer finishes between two batches.
                var left = Int64.max
                var copied = false
                defer { if copied { syncDatabaseFile(connection) } }
                for _ in 0..<Database.catchUpPasses {
                    // (busy, frames in the log, frames copied)
                    guard let row = try connection.queryOne("PRAGMA wal_checkpoint(PASSIVE)"), row.int(1) > 0 else { break }
                    copied = copied || row.int(2) != backfilled
                    backfilled = row.int(2)
                    let remaining = row.int(1) - row.int(2)
                    if remaining <= Database.restartSlackFrames {
                        // Caught up. A short log is left to grow: each restart costs every write a pause.
                        if row.int(1) >= Int64(options.restartFrames) { restartWanted.set(true) }
                        break
                    }
                    if remaining >= left { break }
                    left = remaining
                }
            } catch {
                logger.warning("checkpoint failed", ["error": .string(String(describing: error))])
            }
        }
        connection.close()
        checkpointSignal.withLock {
            checkpointerExited = true
            checkpointSignal.broadcast()
        }
    }

    /// Syncs what the background passes copied into the database file (on the checkpoint thread, off the writer's).
    private func syncDatabaseFile(_ connection: SQLiteConnection) {
        do {
            try connection.syncDatabaseFile()
            walStats.withLock { $0.backgroundSyncs += 1 }
        } catch {
            logger.warning("database file sync failed", ["error": .string(String(describing: error))])
        }
    }

    /// Stops the checkpoint thread and waits until its connection is closed: the writer must close last.
    func stopCheckpointer() {
        guard checkpointer != nil else { return }
        checkpointSignal.withLock {
            checkpointerStopped = true
            checkpointSignal.broadcast()
            while !checkpointerExited { checkpointSignal.wait(timeoutNanoseconds: 100_000_000) }
        }
        checkpointer = nil
    }
}
