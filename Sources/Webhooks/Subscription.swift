import Foundation
import GroupModel
import JSONCore
import Storage
import Support

/// A webhook subscriber: where to deliver, which events, and its delivery health. Its secrets are never part of
/// its JSON (the secret is shown once, when created or rotated).
public struct Subscription: Sendable {
    public enum Status: String, Sendable, CaseIterable { case active, disabled }

    public let id: String
    public var url: String
    /// Event type patterns (`message.received`, `group.*`); nil for every type.
    public var events: [String]?
    /// Sessions whose events are delivered; nil for every session.
    public var sessions: [String]?
    public var description: String?
    public var status: Status
    public var disabledReason: String?
    public var disabledAt: Date?
    /// Since when every attempt has failed (nil while healthy).
    public var failingSince: Date?
    /// The API key that created it (scoped keys see only their own).
    public var ownerKey: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The secrets that sign now: the current one, and the previous one during a rotation's overlap.
    var secrets: [WebhookSecret]
    var previousExpiresAt: Date?

    /// Whether `type` and `session` pass the subscription's filters.
    public func matches(type: String, session: String) -> Bool {
        if let sessions, !sessions.contains(session) { return false }
        guard let events else { return true }
        return events.contains { pattern in Self.pattern(pattern, matches: type) }
    }

    /// `*` matches everything; `group.*` matches every type under `group.`; otherwise exact.
    static func pattern(_ pattern: String, matches type: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast()) }
        return pattern == type
    }

    public var json: JSON {
        var object: JSONObject = [
            "id": .string(id), "url": .string(url), "events": events.map { .array($0.map(JSON.string)) } ?? .null,
            "sessions": sessions.map { .array($0.map(JSON.string)) } ?? .null, "description": description.map(JSON.string) ?? .null,
            "status": .string(status.rawValue), "createdAt": .string(Timestamp.iso8601(createdAt)),
            "updatedAt": .string(Timestamp.iso8601(updatedAt)),
        ]
        object["disabledReason"] = disabledReason.map(JSON.string) ?? .null
        object["disabledAt"] = disabledAt.map { .string(Timestamp.iso8601($0)) } ?? .null
        object["failingSince"] = failingSince.map { .string(Timestamp.iso8601($0)) } ?? .null
        object["previousSecretExpiresAt"] = previousExpiresAt.map { .string(Timestamp.iso8601($0)) } ?? .null
        return .object(object)
    }

    static let columns =
        "id, url, events, sessions, description, secret, previous_secret, previous_expires_at, status, disabled_reason, disabled_at, failing_since, owner_key, created_at, updated_at"

    /// A row of `columns`; the previous secret counts only until it expires at `now`.
    init?(row: Row, now: Date) {
        guard let id = row.string(0), let url = row.string(1), let secret = row.string(5).flatMap(WebhookSecret.init) else { return nil }
        self.id = id
        self.url = url
        events = row.string(2).flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue)
        sessions = row.string(3).flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue)
        description = row.string(4)
        secrets = [secret]
        if let previous = row.string(6).flatMap(WebhookSecret.init), let expires = row[7].double, expires > now.timeIntervalSince1970 {
            secrets.append(previous)
            previousExpiresAt = Date(timeIntervalSince1970: expires)
        }
        status = Status(rawValue: row.string(8) ?? "") ?? .active
        disabledReason = row.string(9)
        disabledAt = row[10].double.map(Date.init(timeIntervalSince1970:))
        failingSince = row[11].double.map(Date.init(timeIntervalSince1970:))
        ownerKey = row.string(12)
        createdAt = Date(timeIntervalSince1970: row[13].double ?? 0)
        updatedAt = Date(timeIntervalSince1970: row[14].double ?? 0)
    }
}
