import Foundation
import GroupModel
import JSONCore
import Storage
import Support

/// One provider call made for a send, or one reconciliation of an unknown outcome, as `GET /v1/messages/{id}`
/// shows it.
public struct SendAttempt: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// The provider took the message.
        case sent
        /// A retryable error: another attempt follows.
        case retrying
        /// A definite refusal, or the last retry: the message is `failed`.
        case failed
        /// The call timed out, the connection dropped, or the gateway stopped mid-call: the provider may have the
        /// message. Reconciled before any resend.
        case unknown
        /// Reconciliation found the message at the provider.
        case found
        /// Reconciliation found no such message at the provider: it is sent again.
        case notFound = "not_found"
        /// Settled by the provider's webhook before reconciliation.
        case settled
        /// No way to look it up and no webhook within the grace period: `failed` (or sent again, as configured).
        case unresolved
    }

    public var number: Int
    public var startedAt: Date
    public var finishedAt: Date
    public var outcome: Outcome
    /// The HTTP status of the provider's last answer, when there was one.
    public var providerStatus: Int?
    public var error: GatewayError?

    public init(number: Int, startedAt: Date, finishedAt: Date, outcome: Outcome, providerStatus: Int? = nil, error: GatewayError? = nil) {
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.providerStatus = providerStatus
        self.error = error
    }

    public var json: JSON {
        [
            "number": .int(Int64(number)), "startedAt": .string(Timestamp.iso8601(startedAt)), "finishedAt": .string(Timestamp.iso8601(finishedAt)),
            "outcome": .string(outcome.rawValue), "providerStatus": providerStatus.map { .int(Int64($0)) } ?? .null,
            "error": error?.json ?? .null,
        ]
    }

    /// Appends the attempt to the message's (its `number` is the next one).
    func insert(message: String, in db: SQLiteConnection) throws {
        _ = try db.run(
            """
            INSERT INTO message_attempts (message_id, number, started_at, finished_at, outcome, provider_status, error)
            VALUES (?1, (SELECT COALESCE(MAX(number), 0) + 1 FROM message_attempts WHERE message_id = ?1), ?2, ?3, ?4, ?5, ?6)
            """,
            [.text(message), .real(startedAt.timeIntervalSince1970), .real(finishedAt.timeIntervalSince1970),
             .text(outcome.rawValue), providerStatus.map { .integer(Int64($0)) } ?? .null, error.map { .text($0.json.text) } ?? .null])
    }

    static func list(message: String, in db: SQLiteConnection) throws -> [SendAttempt] {
        try db.query(
            "SELECT number, started_at, finished_at, outcome, provider_status, error FROM message_attempts WHERE message_id = ? ORDER BY number",
            [.text(message)]
        ).map { row in
            SendAttempt(
                number: Int(row.int(0)), startedAt: Date(timeIntervalSince1970: row[1].double ?? 0), finishedAt: Date(timeIntervalSince1970: row[2].double ?? 0),
                outcome: Outcome(rawValue: row.string(3) ?? "") ?? .unknown, providerStatus: row[4].int.map { Int($0) },
                error: row.string(5).flatMap { try? JSONParser.parse($0) }.flatMap(GatewayError.init(json:)))
        }
    }
}
