import Foundation
import JSONCore
import Storage
import Support

/// One event on its way to one subscriber.
public struct Delivery: Sendable {
    public enum Status: String, Sendable { case pending, succeeded, failed }

    public let id: String
    public let subscriptionID: String
    public let eventSeq: Int64
    public let eventID: String
    public let eventType: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    /// When the current retry window started (creation, or a manual retry).
    public var windowStart: Date
    public var lastAttemptAt: Date?
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date

    static let columns =
        "id, subscription_id, event_seq, event_id, event_type, status, attempts, next_attempt_at, window_start, last_attempt_at, last_status, last_error, delivered_at, created_at"

    init?(row: Row) {
        guard let id = row.string(0), let subscription = row.string(1), let status = Status(rawValue: row.string(5) ?? "") else { return nil }
        self.id = id
        subscriptionID = subscription
        eventSeq = row.int(2)
        eventID = row.string(3) ?? ""
        eventType = row.string(4) ?? ""
        self.status = status
        attempts = Int(row.int(6))
        nextAttemptAt = Date(timeIntervalSince1970: row[7].double ?? 0)
        windowStart = Date(timeIntervalSince1970: row[8].double ?? 0)
        lastAttemptAt = row[9].double.map(Date.init(timeIntervalSince1970:))
        lastStatus = row[10].int.map(Int.init)
        lastError = row.string(11)
        deliveredAt = row[12].double.map(Date.init(timeIntervalSince1970:))
        createdAt = Date(timeIntervalSince1970: row[13].double ?? 0)
    }

    public var json: JSON {
        func time(_ date: Date?) -> JSON { date.map { .string(Timestamp.iso8601($0)) } ?? .null }
        return [
            "id": .string(id), "subscription": .string(subscriptionID), "eventId": .string(eventID), "eventType": .string(eventType),
            "cursor": .string(String(eventSeq)), "status": .string(status.rawValue), "attempts": .int(Int64(attempts)),
            "nextAttemptAt": status == .pending ? time(nextAttemptAt) : .null, "lastAttemptAt": time(lastAttemptAt),
            "lastStatusCode": lastStatus.map { .int(Int64($0)) } ?? .null, "lastError": lastError.map(JSON.string) ?? .null,
            "deliveredAt": time(deliveredAt), "createdAt": time(createdAt),
        ]
    }
}

/// One attempt of a delivery.
public struct DeliveryAttempt: Sendable {
    public let number: Int
    public let at: Date
    public let durationMilliseconds: Double
    /// The HTTP status, nil when no response came.
    public let status: Int?
    public let error: String?
    /// The start of the response body (at most 1 KiB).
    public let response: String?

    public var json: JSON {
        [
            "number": .int(Int64(number)), "at": .string(Timestamp.iso8601(at)), "durationMs": .double((durationMilliseconds * 10).rounded() / 10),
            "statusCode": status.map { .int(Int64($0)) } ?? .null, "error": error.map(JSON.string) ?? .null,
            "response": response.map(JSON.string) ?? .null,
        ]
    }
}
