import Foundation
import GatewayCore
import GroupModel
import JSONCore
import Storage
import Support

/// Subscriptions in SQLite. A scoped key sees only the subscriptions it created; any other id is
/// `subscription_not_found`, exactly as for an id that does not exist.
public final class SubscriptionStore: Sendable {
    private let database: Database
    private let clock: any WallClock
    private let settings: WebhookSettings

    public init(database: Database, clock: any WallClock, settings: WebhookSettings) {
        self.database = database
        self.clock = clock
        self.settings = settings
    }

    /// What a create or update asks for (nil fields are left alone on update).
    public struct Fields: Sendable {
        public var url: String?
        public var events: [String]??
        public var sessions: [String]??
        public var description: String??
        public var status: Subscription.Status?

        public init(url: String? = nil, events: [String]?? = nil, sessions: [String]?? = nil, description: String?? = nil, status: Subscription.Status? = nil) {
            self.url = url
            self.events = events
            self.sessions = sessions
            self.description = description
            self.status = status
        }
    }

    /// Creates a subscription that receives events appended from now on; returns it with its secret (shown once).
    /// - Parameter secret: a configured secret (config subscribers); nil generates one.
    public func create(_ fields: Fields, owner: Principal?, id: String? = nil, secret: WebhookSecret? = nil) async throws -> (Subscription, WebhookSecret) {
        let secret = secret ?? WebhookSecret.generate()
        let id = id ?? SortableID.make("whk")
        let now = clock.now().timeIntervalSince1970
        let limit = settings.maxSubscriptions
        let row = try await database.write { db -> Row? in
            let count = try db.queryOne("SELECT COUNT(*) FROM webhook_subscriptions")?.int(0) ?? 0
            if count >= limit { throw GatewayError.conflict("At most \(limit) webhook subscriptions; delete one first.") }
            let cursor = try db.queryOne("SELECT COALESCE(MAX(seq), 0) FROM events")?.int(0) ?? 0
            try db.run(
                "INSERT INTO webhook_subscriptions (id, url, events, sessions, description, secret, cursor, owner_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [.text(id), .text(fields.url ?? ""), Self.list(fields.events ?? nil), Self.list(fields.sessions ?? nil), SQLValue(fields.description ?? nil),
                 .text(secret.text), .integer(cursor), SQLValue(owner.flatMap { $0.isAdmin ? nil : $0.keyID }), .real(now), .real(now)])
            return try db.queryOne("SELECT \(Subscription.columns) FROM webhook_subscriptions WHERE id = ?", [.text(id)])
        }
        guard let subscription = row.flatMap({ Subscription(row: $0, now: clock.now()) }) else { throw GatewayError.internal("the subscription was not stored") }
        return (subscription, secret)
    }

    /// Every subscription (delivery workers) or those `principal` may see.
    public func list(for principal: Principal? = nil) throws -> [Subscription] {
        let now = clock.now()
        let rows = try database.read { db in try db.query("SELECT \(Subscription.columns) FROM webhook_subscriptions ORDER BY created_at, id") }
        return rows.compactMap { Subscription(row: $0, now: now) }.filter { Self.isVisible($0, to: principal) }
    }

    /// One subscription, as `principal` may see it.
    public func get(_ id: String, for principal: Principal? = nil) throws -> Subscription {
        let now = clock.now()
        let row = try database.read { db in try db.queryOne("SELECT \(Subscription.columns) FROM webhook_subscriptions WHERE id = ?", [.text(id)]) }
        guard let subscription = row.flatMap({ Subscription(row: $0, now: now) }), Self.isVisible(subscription, to: principal) else {
            throw GatewayError.subscriptionNotFound(id)
        }
        return subscription
    }

    /// Admins (and the gateway itself, `nil`) see every subscription; a scoped key sees those it created.
    static func isVisible(_ subscription: Subscription, to principal: Principal?) -> Bool {
        guard let principal else { return true }
        return principal.isAdmin || subscription.ownerKey == principal.keyID
    }

    public func update(_ id: String, _ fields: Fields, for principal: Principal?) async throws -> Subscription {
        _ = try get(id, for: principal)
        let now = clock.now().timeIntervalSince1970
        try await database.write { db in
            var sets: [String] = ["updated_at = ?"]
            var arguments: [SQLValue] = [.real(now)]
            if let url = fields.url {
                sets.append("url = ?")
                arguments.append(.text(url))
            }
            if let events = fields.events {
                sets.append("events = ?")
                arguments.append(Self.list(events))
            }
            if let sessions = fields.sessions {
                sets.append("sessions = ?")
                arguments.append(Self.list(sessions))
            }
            if let description = fields.description {
                sets.append("description = ?")
                arguments.append(SQLValue(description))
            }
            if let status = fields.status {
                sets.append("status = ?")
                arguments.append(.text(status.rawValue))
                // Re-enabling clears the verdict and gives the endpoint a fresh failure clock.
                if status == .active { sets.append("disabled_reason = NULL, disabled_at = NULL, failing_since = NULL") }
                if status == .disabled { sets.append("disabled_reason = 'disabled through the API', disabled_at = ?") }
                if status == .disabled { arguments.append(.real(now)) }
            }
            arguments.append(.text(id))
            _ = try db.run("UPDATE webhook_subscriptions SET \(sets.joined(separator: ", ")) WHERE id = ?", arguments)
        }
        return try get(id, for: principal)
    }

    /// A new secret signs from now on; the old one keeps signing for the overlap. Returns the new secret (shown once).
    public func rotate(_ id: String, for principal: Principal?) async throws -> (Subscription, WebhookSecret) {
        _ = try get(id, for: principal)
        let secret = WebhookSecret.generate()
        let now = clock.now().timeIntervalSince1970
        let expires = now + settings.rotationOverlap
        try await database.write { db in
            _ = try db.run(
                "UPDATE webhook_subscriptions SET previous_secret = secret, previous_expires_at = ?, secret = ?, updated_at = ? WHERE id = ?",
                [.real(expires), .text(secret.text), .real(now), .text(id)])
        }
        return (try get(id, for: principal), secret)
    }

    /// Deletes the subscription with its deliveries and attempts.
    public func delete(_ id: String, for principal: Principal?) async throws {
        _ = try get(id, for: principal)
        try await database.write { db in
            _ = try db.run("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE subscription_id = ?)", [.text(id)])
            _ = try db.run("DELETE FROM webhook_deliveries WHERE subscription_id = ?", [.text(id)])
            _ = try db.run("DELETE FROM webhook_subscriptions WHERE id = ?", [.text(id)])
        }
    }

    /// Creates or updates a subscription declared in the config (its id and secret come from the config).
    public func upsertConfigured(id: String, fields: Fields, secret: WebhookSecret) async throws {
        let exists = try database.read { db in try db.queryOne("SELECT 1 FROM webhook_subscriptions WHERE id = ?", [.text(id)]) } != nil
        if !exists {
            _ = try await create(fields, owner: nil, id: id, secret: secret)
            return
        }
        _ = try await update(id, fields, for: nil)
        try await database.write { db in
            _ = try db.run("UPDATE webhook_subscriptions SET secret = ? WHERE id = ? AND secret <> ?", [.text(secret.text), .text(id), .text(secret.text)])
        }
    }

    static func list(_ values: [String]?) -> SQLValue {
        values.map { SQLValue.text(JSON.array($0.map(JSON.string)).text) } ?? .null
    }
}
