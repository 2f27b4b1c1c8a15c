import Foundation
import GroupModel
import JSONCore
import Storage
import Support

/// `Idempotency-Key` bookkeeping: the first request with a key runs and its answer is kept for 24 hours; a
/// retry with the same key and the same request gets that answer again; the same key with a different request is
/// `idempotency_conflict` (422); while the first one is still running, 409.
public final class IdempotencyStore: Sendable {
    /// A stored answer.
    public struct Answer: Sendable {
        public let status: Int
        public let contentType: String
        public let body: [UInt8]

        public init(status: Int, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public enum Start: Sendable {
        /// The first request was interrupted (the gateway stopped) after creating this resource.
        case interrupted(resource: String)
        /// Run the request, then `finish` (or `release`) the key.
        case proceed
        /// The first request's answer.
        case replay(Answer)
    }

    /// The key of the request running in this task, for services that record their answer inside their own
    /// transaction (a send stores the message and the answer together, so a crash cannot separate them).
    @TaskLocal public static var current: Scope?
    /// Set when this request takes over a key whose first request was interrupted after it created `resource`
    /// (a message id): the service answers from that resource instead of acting twice.
    @TaskLocal public static var interrupted: String?

    /// Who, which route, which key.
    public struct Scope: Sendable {
        public let principal: String
        public let route: String
        public let key: String
        /// Set once a service committed the answer in its own transaction, so it is not written a second time.
        private let answered = LockedValue(false)

        public init(principal: String, route: String, key: String) {
            self.principal = principal
            self.route = route
            self.key = key
        }

        public var isAnswered: Bool { answered.get() }
        /// Call after the transaction that ran `finish(_:answer:in:)` has committed.
        public func markAnswered() { answered.set(true) }

        var values: [SQLValue] { [.text(principal), .text(route), .text(key)] }
    }

    public static let retention: TimeInterval = 24 * 3600
    private let database: Database
    private let clock: any WallClock
    /// This process: `running` rows of other boots were interrupted by a stop or crash.
    private let boot = SortableID.make("boot")
    private let lastPurge = LockedValue<Date>(.distantPast)

    public init(database: Database, clock: any WallClock) {
        self.database = database
        self.clock = clock
    }

    /// Checks a key before its request runs.
    /// - Parameters:
    ///   - fingerprint: a digest of the request (method, path, canonical body).
    ///   - linksResource: the request's first effect commits together with `attach` (sends): an interrupted
    ///     request with no resource did nothing and runs again.
    public func start(_ scope: Scope, fingerprint: String, linksResource: Bool = false) async throws -> Start {
        let now = clock.now().timeIntervalSince1970
        let boot = boot
        let oldest = now - Self.retention
        try await purgeIfDue(now: now)
        return try await database.write { db -> Start in
            let row = try db.queryOne(
                "SELECT fingerprint, state, boot, status, content_type, body, created_at, resource FROM idempotency_keys WHERE principal = ? AND route = ? AND key = ?",
                scope.values)
            if let row, (row[6].double ?? 0) >= oldest {
                guard row.string(0) == fingerprint else {
                    throw GatewayError.idempotencyConflict(
                        "Idempotency-Key '\(scope.key)' was first used with a different request; use a new key for a new request.", inProgress: false)
                }
                if row.string(1) == "done" {
                    return .replay(Answer(status: Int(row.int(3)), contentType: row.string(4) ?? "application/json", body: row[5].bytes ?? []))
                }
                if row.string(2) == boot {
                    throw GatewayError.idempotencyConflict(
                        "The first request with Idempotency-Key '\(scope.key)' is still running; retry in a moment.", inProgress: true)
                }
                // Left running by a previous process (stopped or killed mid-request). A send links its message, so
                // the retry answers from it; for anything else whether the first request took effect is unknown,
                // and running it again could do it twice.
                guard let resource = row.string(7) else {
                    if linksResource {
                        _ = try db.run("UPDATE idempotency_keys SET boot = ? WHERE principal = ? AND route = ? AND key = ?", [.text(boot)] + scope.values)
                        return .proceed
                    }
                    throw GatewayError.idempotencyConflict(
                        "The first request with Idempotency-Key '\(scope.key)' was interrupted when the gateway stopped; whether it took effect is unknown. Check, then use a new key.",
                        inProgress: false
                    ).with(details: ["outcome": "unknown"])
                }
                _ = try db.run("UPDATE idempotency_keys SET boot = ? WHERE principal = ? AND route = ? AND key = ?", [.text(boot)] + scope.values)
                return .interrupted(resource: resource)
            }
            _ = try db.run(
                "INSERT OR REPLACE INTO idempotency_keys (principal, route, key, fingerprint, state, boot, created_at) VALUES (?, ?, ?, ?, 'running', ?, ?)",
                scope.values + [.text(fingerprint), .text(boot), .real(now)])
            return .proceed
        }
    }

    /// Keeps the answer for retries.
    public func finish(_ scope: Scope, answer: Answer) async throws {
        try await database.write { [self] db in try finish(scope, answer: answer, in: db) }
    }

    /// Inside the caller's transaction: the request created `resource` (so a takeover after a crash finds it).
    public func attach(_ scope: Scope, resource: String, in db: SQLiteConnection) throws {
        _ = try db.run(
            "UPDATE idempotency_keys SET resource = ? WHERE principal = ? AND route = ? AND key = ?", [.text(resource)] + scope.values)
    }

    /// Inside the caller's transaction: the answer, committed with the state it describes.
    public func finish(_ scope: Scope, answer: Answer, in db: SQLiteConnection) throws {
        _ = try db.run(
            "UPDATE idempotency_keys SET state = 'done', status = ?, content_type = ?, body = ? WHERE principal = ? AND route = ? AND key = ?",
            [.integer(Int64(answer.status)), .text(answer.contentType), .blob(answer.body)] + scope.values)
    }

    /// Forgets the key: the request failed in a way worth retrying (the provider was down, a timeout), so the
    /// same key may run again.
    public func release(_ scope: Scope) async throws {
        try await database.write { db in
            _ = try db.run("DELETE FROM idempotency_keys WHERE principal = ? AND route = ? AND key = ?", scope.values)
        }
    }

    /// Deletes answers older than 24 h, at most once a minute.
    private func purgeIfDue(now: Double) async throws {
        let due = lastPurge.withLock { last -> Bool in
            guard now - last.timeIntervalSince1970 >= 60 else { return false }
            last = Date(timeIntervalSince1970: now)
            return true
        }
        guard due else { return }
        let oldest = now - Self.retention
        try await database.write { db in _ = try db.run("DELETE FROM idempotency_keys WHERE created_at < ?", [.real(oldest)]) }
    }
}
