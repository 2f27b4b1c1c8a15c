import Foundation
import Storage
import Support
import TestSupport
import XCTest

/// A test case with a fresh temporary directory, and databases that are closed after each test.
class StorageTestCase: XCTestCase {
    private(set) var directory: TemporaryDirectory!
    private var opened: [Database] = []

    /// The schema most tests use: items with a unique name, and notes that reference items.
    static let schema = [
        Migration("test-001", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, value)"),
        Migration("test-002", "CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), body TEXT)"),
    ]

    var databasePath: String { directory.file("test.sqlite") }

    override func setUp() {
        super.setUp()
        directory = TemporaryDirectory(prefix: "switchboard-storage-test")
    }

    override func tearDown() {
        for database in opened { database.close() }
        opened = []
        directory.remove()
        super.tearDown()
    }

    /// Opens the database at `databasePath` (or `path`), to be closed at tear-down.
    func open(
        _ migrations: [Migration] = StorageTestCase.schema, path: String? = nil, logger: Logger = .discard,
        options: Database.Options = Database.Options()
    ) throws -> Database {
        let database = try Database(path: path ?? databasePath, migrations: migrations, logger: logger, options: options)
        opened.append(database)
        return database
    }

    /// Number of rows in `table`, read through a reader connection.
    func count(_ database: Database, _ table: String = "items") throws -> Int64 {
        try database.read { try $0.queryOne("SELECT count(*) FROM \(table)")?.int(0) ?? -1 }
    }
}

struct JobError: Error, Equatable {
    let index: Int
}

/// Holds the writer thread inside a write job until released, so later jobs queue up behind it.
final class WriterGate: Sendable {
    private let entered = LockedValue(false)
    private let released = LockedValue(false)

    /// The body of the blocking job: waits (at most 10 s) for `release()`.
    func hold() {
        entered.set(true)
        let deadline = Monotonic.seconds() + 10
        while !released.get() && Monotonic.seconds() < deadline { usleep(1_000) }
    }

    func waitUntilHeld() async throws {
        let deadline = Monotonic.seconds() + 10
        while !entered.get() {
            guard Monotonic.seconds() < deadline else { throw JobError(index: -1) }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    func release() { released.set(true) }
}

/// Waits until `counter` reaches `target` (jobs are enqueued synchronously right after they count themselves),
/// then a little longer.
func waitForCount(_ counter: LockedValue<Int>, _ target: Int) async throws {
    let deadline = Monotonic.seconds() + 10
    while counter.get() < target {
        guard Monotonic.seconds() < deadline else { throw JobError(index: -2) }
        try await Task.sleep(nanoseconds: 1_000_000)
    }
    try await Task.sleep(nanoseconds: 200_000_000)
}
