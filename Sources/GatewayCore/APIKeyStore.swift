import Crypto
import Foundation
import GroupModel
import JSONCore
import Storage
import Support

/// API keys: `sb_<id>_<secret>`, shown once, stored as a salted SHA-256 with the id visible for identification.
/// Verification looks the id up and compares hashes in constant time. Verified keys are cached briefly so the hot
/// path costs a hash and a map lookup, not a database read.
public final class APIKeyStore: Sendable {
    public struct KeyInfo: Sendable, Equatable {
        public let id: String
        public let name: String
        public let admin: Bool
        public let sessions: [String]?
        public let createdAt: Date
        public let expiresAt: Date?
        public let revokedAt: Date?

        public var json: JSON {
            [
                "id": .string(id), "name": .string(name), "admin": .bool(admin),
                "sessions": sessions.map { .array($0.map(JSON.string)) } ?? .null,
                "createdAt": .string(Timestamp.iso8601(createdAt)), "expiresAt": .string(expiresAt.map(Timestamp.iso8601)),
                "revokedAt": .string(revokedAt.map(Timestamp.iso8601)),
            ]
        }
    }

    private let database: Database
    private let clock: any WallClock
    private let environmentAdminHash: [UInt8]?
    private let cache = LockedValue<[String: (principal: Principal, expiresAt: Date?, cachedAt: Double)]>([:])
    private static let cacheSeconds = 30.0

    /// - Parameter environmentAdminKey: `SWITCHBOARD_ADMIN_KEY`, kept only as a hash.
    public init(database: Database, clock: any WallClock, environmentAdminKey: Secret?) {
        self.database = database
        self.clock = clock
        environmentAdminHash = environmentAdminKey.map { Digest.sha256(Array($0.value.utf8)) }
    }

    // MARK: - Creating

    /// Creates a key and returns it with its secret — the only time the secret exists outside the caller.
    public func create(name: String, admin: Bool, sessions: [String]?, expiresAt: Date?) async throws -> (info: KeyInfo, key: Secret) {
        let (info, key, row) = newKey(name: name, admin: admin, sessions: sessions, expiresAt: expiresAt)
        try await database.write { db in try db.run(APIKeyStore.insert, row) }
        return (info, key)
    }

    /// `create` for start-up and the CLI (outside async code).
    public func createSync(name: String, admin: Bool, sessions: [String]?, expiresAt: Date?) throws -> (info: KeyInfo, key: Secret) {
        let (info, key, row) = newKey(name: name, admin: admin, sessions: sessions, expiresAt: expiresAt)
        try database.writeSync { db in try db.run(APIKeyStore.insert, row) }
        return (info, key)
    }

    private static let insert =
        "INSERT INTO api_keys (id, name, salt, hash, admin, sessions, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

    private func newKey(name: String, admin: Bool, sessions: [String]?, expiresAt: Date?) -> (KeyInfo, Secret, [SQLValue]) {
        let id = SortableID.randomToken(10)
        let key = "sb_\(id)_\(SortableID.randomToken(32))"
        let salt = SecureRandom.bytes(16)
        let hash = Digest.sha256(salt + Array(key.utf8))
        let now = clock.now()
        let sessionsText = sessions.map { JSON.array($0.map(JSON.string)).text }
        let row: [SQLValue] = [
            .text(id), .text(name), .blob(salt), .blob(hash), SQLValue(admin), SQLValue(sessionsText), .real(now.timeIntervalSince1970),
            SQLValue(expiresAt?.timeIntervalSince1970),
        ]
        let info = KeyInfo(id: id, name: name, admin: admin, sessions: sessions, createdAt: now, expiresAt: expiresAt, revokedAt: nil)
        return (info, Secret(key), row)
    }

    /// Whether any admin key is stored (first start creates one).
    public func hasAdminKey() throws -> Bool {
        try database.read { db in try db.queryOne("SELECT 1 FROM api_keys WHERE admin = 1 AND revoked_at IS NULL") != nil }
    }

    // MARK: - Verifying

    /// The principal for a presented key, or nil when the key is unknown, revoked or expired.
    public func verify(_ presented: String) throws -> Principal? {
        let bytes = Array(presented.utf8)
        guard (8...256).contains(bytes.count) else { return nil }
        if let environmentAdminHash, ConstantTime.equals(Digest.sha256(bytes), environmentAdminHash) {
            return Principal(keyID: "env-admin", isAdmin: true, sessions: nil)
        }
        let parts = presented.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "sb" else { return nil }
        let id = String(parts[1])
        let now = clock.now()
        let fingerprint = ByteEncoding.hex(Digest.sha256(bytes))
        if let hit = cache.withLock({ $0[fingerprint] }), Monotonic.seconds() - hit.cachedAt < APIKeyStore.cacheSeconds {
            if let expiresAt = hit.expiresAt, expiresAt <= now { return nil }
            return hit.principal
        }
        guard
            let row = try database.read({ db in
                try db.queryOne("SELECT salt, hash, admin, sessions, expires_at, revoked_at FROM api_keys WHERE id = ?", [.text(id)])
            })
        else {
            // Spend the same hashing work as for a real key, so timing does not reveal which ids exist.
            _ = ConstantTime.equals(Digest.sha256(Array(repeating: 0, count: 16) + bytes), Array(repeating: 0, count: 32))
            return nil
        }
        let salt = row[0].bytes ?? []
        guard ConstantTime.equals(Digest.sha256(salt + bytes), row[1].bytes ?? []) else { return nil }
        guard row[5].isNull else { return nil }
        let expiresAt = row[4].double.map(Date.init(timeIntervalSince1970:))
        if let expiresAt, expiresAt <= now { return nil }
        let sessions = row[3].string.flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue)
        let principal = Principal(keyID: id, isAdmin: row[2].bool ?? false, sessions: sessions.map(Set.init))
        cache.withLock { $0[fingerprint] = (principal, expiresAt, Monotonic.seconds()) }
        return principal
    }

    /// The principal of a recently verified, still valid key, without touching the database; nil otherwise.
    public func cachedPrincipal(_ presented: String) -> Principal? {
        let bytes = Array(presented.utf8)
        guard (8...256).contains(bytes.count) else { return nil }
        let digest = Digest.sha256(bytes)
        if let environmentAdminHash, ConstantTime.equals(digest, environmentAdminHash) {
            return Principal(keyID: "env-admin", isAdmin: true, sessions: nil)
        }
        guard let hit = cache.withLock({ $0[ByteEncoding.hex(digest)] }), Monotonic.seconds() - hit.cachedAt < APIKeyStore.cacheSeconds else {
            return nil
        }
        if let expiresAt = hit.expiresAt, expiresAt <= clock.now() { return nil }
        return hit.principal
    }

    // MARK: - Listing and revoking

    public func list() throws -> [KeyInfo] {
        try database.read { db in
            try db.query("SELECT id, name, admin, sessions, created_at, expires_at, revoked_at FROM api_keys ORDER BY created_at").map(APIKeyStore.info)
        }
    }

    public func get(_ id: String) throws -> KeyInfo? {
        try database.read { db in
            try db.queryOne("SELECT id, name, admin, sessions, created_at, expires_at, revoked_at FROM api_keys WHERE id = ?", [.text(id)])
                .map(APIKeyStore.info)
        }
    }

    /// Revokes a key; it stops working at once (the cache is cleared).
    public func revoke(_ id: String) async throws -> Bool {
        let now = clock.now().timeIntervalSince1970
        let changed = try await database.write { db in
            try db.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.real(now), .text(id)])
        }
        cache.withLock { $0.removeAll() }
        return changed > 0
    }

    private static func info(_ row: Row) -> KeyInfo {
        KeyInfo(
            id: row.string(0) ?? "", name: row.string(1) ?? "", admin: row.bool(2),
            sessions: row[3].string.flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue),
            createdAt: Date(timeIntervalSince1970: row[4].double ?? 0),
            expiresAt: row[5].double.map(Date.init(timeIntervalSince1970:)),
            revokedAt: row[6].double.map(Date.init(timeIntervalSince1970:)))
    }
}
