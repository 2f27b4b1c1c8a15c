import Storage
import Support

extension Gateway {
    /// The database's commits and write-ahead log in `/metrics`: counters read at each scrape, and the time commits
    /// and writes take, observed as they happen.
    static func exportDatabaseMetrics(of database: Database, to metrics: MetricsRegistry) {
        let commitBatches = metrics.counter("switchboard_db_commits_total", help: "Write transactions committed (each may carry many jobs).")
        let commitJobs = metrics.counter("switchboard_db_write_jobs_total", help: "Write jobs committed.")
        let restarts = metrics.counter("switchboard_db_wal_restarts_total", help: "Times the write-ahead log started over from its beginning.")
        let writerCheckpoints = metrics.counter(
            "switchboard_db_writer_checkpoints_total", help: "Checkpoints the writer finished between two batches so that the log could start over.")
        let writerCheckpointSeconds = metrics.counter(
            "switchboard_db_writer_checkpoint_seconds_total", help: "Time the writer spent finishing checkpoints (writes wait meanwhile).")
        let longestCheckpoint = metrics.gauge(
            "switchboard_db_writer_checkpoint_max_seconds", help: "The longest checkpoint the writer finished since start.")
        let frames = metrics.gauge("switchboard_db_wal_frames", help: "Pages in the write-ahead log after the last commit.")
        let backgroundSyncs = metrics.counter(
            "switchboard_db_checkpoint_syncs_total", help: "Syncs of the database file by the checkpoint thread after its passes (off the writer).")
        // Sub-millisecond buckets: a commit here is a sync of the log, tens of microseconds to a few milliseconds.
        let buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
        let commitSeconds = metrics.histogram(
            "switchboard_db_commit_seconds", help: "A batch's COMMIT: its pages written to the log and the log synced.", buckets: buckets)
        let writeSeconds = metrics.histogram(
            "switchboard_db_write_seconds", help: "A durable write, from queued to committed (what a request waits for each write it makes).",
            buckets: buckets)
        database.timings.set(Database.WriteTimings(commit: commitSeconds.observe, write: writeSeconds.observe))
        let seen = LockedValue<(commits: (batches: Int, jobs: Int), wal: Database.WALStats)>(((0, 0), Database.WALStats()))
        metrics.addCollector {
            let commits = database.commits.get()
            let wal = database.walStats.get()
            let before = seen.withLock { old in
                defer { old = (commits, wal) }
                return old
            }
            commitBatches.increment(by: Double(commits.batches - before.commits.batches))
            commitJobs.increment(by: Double(commits.jobs - before.commits.jobs))
            restarts.increment(by: Double(wal.restarts - before.wal.restarts))
            writerCheckpoints.increment(by: Double(wal.writerCheckpoints - before.wal.writerCheckpoints))
            writerCheckpointSeconds.increment(by: wal.writerCheckpointSeconds - before.wal.writerCheckpointSeconds)
            longestCheckpoint.set(wal.longestWriterCheckpointSeconds)
            frames.set(Double(wal.frames))
            backgroundSyncs.increment(by: Double(wal.backgroundSyncs - before.wal.backgroundSyncs))
        }
    }
}
