import Foundation
import GatewayCore
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// Messages: a send reaches every member session (`message.received`) and records its recipient set; each
/// recipient's receipt (a row, written when it acks or reads) aggregates into the sender's status (`delivered`
/// when every recipient has it, `read` when every one read it).
extension NativeEngine {
    /// Runs inside the gateway's send transaction (the gateway writes the message row from the outcome).
    public func send(_ message: OutgoingMessage, on binding: SessionBinding, in db: SQLiteConnection) throws -> SendOutcome {
        let actor = try NativeAccounts.jid(from: binding.account).jid
        guard let groupID = message.content.groupID else {
            throw GatewayError.invalidRequest("Native sends are by group id.", details: ["field": "group"])
        }
        let (group, members) = try writerCache.get(groupID) { try load(groupID, db) }
        let me = try membership(actor, in: group, members)
        if group.settings.announce == true { try requireAdmin(me, "send messages in this group (only admins may send)") }
        let mentions = message.content.mentions
        let memberIDs = mentions.isEmpty ? [] : Set(members.map(\.jid))
        let outsiders = mentions.filter { !memberIDs.contains($0.jid) }
        guard outsiders.isEmpty else {
            throw GatewayError.invalidRequest(
                "Mentions must be participants of the group; not members: \(outsiders.map { $0.phone ?? $0.jid }.joined(separator: ", ")).",
                details: ["field": "mentions"])
        }
        let recipients = members.filter { $0.jid != actor }
        try db.run(
            "INSERT INTO native_messages (id, group_id, sender, recipients) VALUES (?, ?, ?, ?)",
            [.text(message.id), .text(groupID), .integer(me.key), .blob(RecipientSet.pack(recipients.map(\.key)))])
        let now = clock.now()

        let content = message.content
        var common: JSONObject = [
            "id": .string(message.id), "providerMessageId": .string(message.id), "type": .string(content.type.rawValue),
            "text": .string(content.text), "caption": .string(content.caption), "media": content.media?.json ?? .null,
            "mentions": .array(content.mentions.map { .string($0.jid) }),
        ]
        var events = NativeEvents(now: now, operation: message.id)
        var sent = common
        sent["status"] = "sent"
        sent["receipts"] = Receipts(recipients: recipients.count, delivered: 0, read: 0).json
        events.add(.messageSent, group: groupID, data: .object(sent), to: [binding.session])
        common["sender"] = .string(actor)
        common["senderPhone"] = .string(NativeAccounts.phone(of: actor))
        events.add(.messageReceived, group: groupID, data: .object(common), to: recipients.sessions)
        try events.write(to: self.events, in: db)
        return SendOutcome(status: .sent, providerMessageId: message.id, recipients: recipients.count)
    }

    public func markRead(message id: String, on binding: SessionBinding) async throws {
        let reader = try NativeAccounts.jid(from: binding.account).jid
        try await sendWrite { db in try self.receipt(id, from: reader, read: true, db) }
    }

    /// Records that `recipient` has the message (and, with `read`, read it), then moves the sender's message on.
    /// Idempotent: a repeated or late receipt changes nothing.
    func receipt(_ id: String, from recipient: String, read: Bool, _ db: SQLiteConnection) throws {
        guard let key = try NativeAccounts.key(recipient, db),
            let message = try db.queryOne("SELECT recipients FROM native_messages WHERE id = ?", [.text(id)]),
            let recipientKeys = message[0].bytes.map(RecipientSet.unpack), recipientKeys.contains(key)
        else { throw GatewayError.messageNotFound(id) }
        let row = try db.queryOne("SELECT read_at FROM native_receipts WHERE message_id = ? AND recipient = ?", [.text(id), .integer(key)])
        let newlyDelivered = row == nil
        let newlyRead = read && (row == nil || row![0].isNull)
        guard newlyDelivered || newlyRead else { return }
        let now = clock.now()
        let stamp = SQLValue.real(now.timeIntervalSince1970)
        if newlyDelivered {
            try db.run(
                "INSERT INTO native_receipts (message_id, recipient, delivered_at, read_at) VALUES (?, ?, ?, ?)",
                [.text(id), .integer(key), stamp, read ? stamp : .null])
        } else {
            try db.run("UPDATE native_receipts SET read_at = ? WHERE message_id = ? AND recipient = ?", [stamp, .text(id), .integer(key)])
        }
        guard let counts = try db.queryOne("SELECT COUNT(*), COUNT(read_at) FROM native_receipts WHERE message_id = ?", [.text(id)]) else { return }
        let receipts = Receipts(recipients: recipientKeys.count, delivered: Int(counts.int(0)), read: Int(counts.int(1)))
        let status: MessageStatus =
            receipts.read == receipts.recipients ? .read : receipts.delivered == receipts.recipients ? .delivered : .sent
        guard let updated = try messages.advance(id, to: status, receipts: receipts, at: now, in: db) else { return }

        // The identity names the recipient, so each recipient's receipts are distinct events.
        var events = NativeEvents(now: now, operation: "\(id)/\(recipient)")
        func data() -> JSON {
            [
                "id": .string(id), "providerMessageId": .string(id), "participant": .string(recipient),
                "status": .string(updated.status.rawValue), "receipts": receipts.json,
            ]
        }
        // Per-participant receipts to the sender (the `participant` says whose), each at most once.
        if newlyDelivered {
            events.add(.messageDelivered, group: updated.group, data: data(), to: [updated.session])
        }
        if newlyRead {
            events.add(.messageRead, group: updated.group, data: data(), to: [updated.session])
        }
        try events.write(to: self.events, in: db)
    }
}

/// A message's recipients as packed little-endian 64-bit account keys: one small blob instead of a row each.
enum RecipientSet {
    static func pack(_ keys: [Int64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(keys.count * 8)
        for key in keys { withUnsafeBytes(of: key.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    static func unpack(_ bytes: [UInt8]) -> [Int64] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { offset in
            var value: Int64 = 0
            for index in 0..<8 { value |= Int64(bytes[offset + index]) << (8 * index) }
            return value
        }
    }
}
