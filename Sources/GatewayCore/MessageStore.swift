import Foundation
import GroupModel
import JSONCore
import Storage
import Support

/// The messages the gateway accepted, with their status (only ever moving forward, DESIGN §3) and receipts.
public final class MessageStore: Sendable {
    private let database: Database

    public init(database: Database) { self.database = database }

    private static let columns =
        "id, session, group_id, type, text, media_url, media_mime, media_filename, caption, mentions, status, provider_message_id, error, recipients, delivered, read, created_at, updated_at"

    // MARK: - Writing (inside a write job)

    public func insert(_ message: Message, in db: SQLiteConnection) throws {
        try db.run(
            "INSERT INTO messages (\(MessageStore.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(message.id), .text(message.session), .text(message.group), .text(message.type.rawValue), SQLValue(message.text),
             SQLValue(message.media?.url), SQLValue(message.media?.mimeType), SQLValue(message.media?.filename), SQLValue(message.caption),
             message.mentions.isEmpty ? .null : .text(JSON.array(message.mentions.map(JSON.string)).text), .text(message.status.rawValue),
             SQLValue(message.providerMessageId), message.error.map { .text($0.json.text) } ?? .null, SQLValue(message.receipts?.recipients),
             .integer(Int64(message.receipts?.delivered ?? 0)), .integer(Int64(message.receipts?.read ?? 0)),
             .real(message.createdAt.timeIntervalSince1970), .real(message.updatedAt.timeIntervalSince1970)])
    }

    /// Moves a message forward: the status only advances (a late `delivered` after `read` changes nothing), and
    /// receipts counts only grow. Returns the message after the update, or nil if it does not exist.
    @discardableResult
    public func advance(
        _ id: String, to status: MessageStatus? = nil, providerMessageId: String? = nil, error: GatewayError? = nil,
        receipts: Receipts? = nil, at now: Date, in db: SQLiteConnection
    ) throws -> Message? {
        guard var message = try get(id, in: db) else { return nil }
        if let status { message.status = message.status.advanced(to: status) }
        if message.status == .failed, let error { message.error = error }
        if let providerMessageId, message.providerMessageId == nil { message.providerMessageId = providerMessageId }
        if let receipts {
            let current = message.receipts ?? Receipts(recipients: receipts.recipients, delivered: 0, read: 0)
            message.receipts = Receipts(
                recipients: max(current.recipients, receipts.recipients), delivered: max(current.delivered, receipts.delivered),
                read: max(current.read, receipts.read))
        }
        message.updatedAt = now
        try db.run(
            "UPDATE messages SET status = ?, provider_message_id = ?, error = ?, recipients = ?, delivered = ?, read = ?, updated_at = ? WHERE id = ?",
            [.text(message.status.rawValue), SQLValue(message.providerMessageId), message.error.map { .text($0.json.text) } ?? .null,
             SQLValue(message.receipts?.recipients), .integer(Int64(message.receipts?.delivered ?? 0)),
             .integer(Int64(message.receipts?.read ?? 0)), .real(now.timeIntervalSince1970), .text(id)])
        return message
    }

    /// The status ranks of `MessageStatus.advanced(to:)`, in SQL: the same forward-only rule, in one statement.
    private static let advanceSQL = """
        UPDATE messages SET
            status = CASE
                WHEN status = 'failed' THEN 'failed'
                WHEN ?1 = 'failed' THEN CASE WHEN status IN ('queued', 'sent') THEN 'failed' ELSE status END
                WHEN (CASE ?1 WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'played' THEN 4 ELSE -1 END)
                   > (CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'played' THEN 4 ELSE -1 END)
                THEN ?1 ELSE status END,
            provider_message_id = COALESCE(provider_message_id, ?2),
            updated_at = ?3
        WHERE id = ?4
        """

    /// Moves a message's status forward (never back) and records the provider's id, without reading the row.
    /// Returns whether the message exists.
    @discardableResult
    public func advanceStatus(_ id: String, to status: MessageStatus, providerMessageId: String?, at now: Date, in db: SQLiteConnection) throws -> Bool {
        try db.run(MessageStore.advanceSQL, [.text(status.rawValue), SQLValue(providerMessageId), .real(now.timeIntervalSince1970), .text(id)]) > 0
    }

    // MARK: - Reading

    public func get(_ id: String, in db: SQLiteConnection) throws -> Message? {
        try db.queryOne("SELECT \(MessageStore.columns) FROM messages WHERE id = ?", [.text(id)]).map(MessageStore.message)
    }

    public func get(_ id: String) throws -> Message? { try database.read { try get(id, in: $0) } }

    /// A page of the session's messages in id (= creation) order, or newest first; `after` continues from the last
    /// id of the previous page in the same order; `group` keeps one group's.
    public func list(session: String, group: String? = nil, after: String?, newestFirst: Bool = false, limit: Int) throws -> [Message] {
        var sql = "SELECT \(MessageStore.columns) FROM messages WHERE session = ?"
        var arguments: [SQLValue] = [.text(session)]
        if let group {
            sql += " AND group_id = ?"
            arguments.append(.text(group))
        }
        if newestFirst {
            if let after {
                sql += " AND id < ?"
                arguments.append(.text(after))
            }
            sql += " ORDER BY id DESC LIMIT ?"
        } else {
            sql += " AND id > ? ORDER BY id LIMIT ?"
            arguments.append(.text(after ?? ""))
        }
        arguments.append(.integer(Int64(limit)))
        return try database.read { db in try db.query(sql, arguments).map(MessageStore.message) }
    }

    static func message(_ row: Row) -> Message {
        let media = row.string(5).map { MediaRef(url: $0, mimeType: row.string(6), filename: row.string(7)) }
        let mentions = row.string(9).flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
        let error = row.string(12).flatMap { try? JSONParser.parse($0) }.flatMap(GatewayError.init(json:))
        let receipts = row[13].int.map { Receipts(recipients: Int($0), delivered: Int(row.int(14)), read: Int(row.int(15))) }
        return Message(
            id: row.string(0) ?? "", session: row.string(1) ?? "", group: row.string(2) ?? "", type: MessageType(rawValue: row.string(3) ?? "") ?? .text,
            text: row.string(4), media: media, caption: row.string(8), mentions: mentions, status: MessageStatus(rawValue: row.string(10) ?? "") ?? .queued,
            providerMessageId: row.string(11), error: error, receipts: receipts, createdAt: Date(timeIntervalSince1970: row[16].double ?? 0),
            updatedAt: Date(timeIntervalSince1970: row[17].double ?? 0))
    }
}
