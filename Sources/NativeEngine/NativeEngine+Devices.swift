import Foundation
import GatewayCore
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// What devices of native sessions tell the engine: acknowledgements (delivered receipts, by log position) and
/// typing.
extension NativeEngine {
    /// Receipts are written in batches of this many messages, one transaction each, so one `ack` after a long
    /// absence cannot hold the writer for long.
    static let ackBatch = 500

    public func acknowledge(through seq: Int64, on binding: SessionBinding) async throws -> Int64 {
        let recipient = try NativeAccounts.jid(from: binding.account).jid
        let session = binding.session
        let events = self.events
        while true {
            let (cursor, done) = try await sendWrite { db -> (Int64, Bool) in
                let acked = try NativeEngine.acknowledged(session, db)
                guard seq > acked else { return (acked, true) }
                let received = try events.receivedMessages(session: session, after: acked, through: seq, limit: NativeEngine.ackBatch, in: db)
                for message in received {
                    do {
                        try self.receipt(message.id, from: recipient, read: false, db)
                    } catch let error as GatewayError where error.code == "message_not_found" {
                        continue  // a message from before this account joined the recipient set: nothing to receipt
                    }
                }
                let reached = received.count == NativeEngine.ackBatch ? received.last!.seq : seq
                try db.run(
                    """
                    INSERT INTO native_device_cursors (session, acked_seq, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (session) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq), updated_at = excluded.updated_at
                    """, [.text(session), .integer(reached), .real(self.clock.now().timeIntervalSince1970)])
                return (reached, reached >= seq)
            }
            if done { return cursor }
        }
    }

    public func acknowledged(on binding: SessionBinding) throws -> Int64 {
        try read { db in try NativeEngine.acknowledged(binding.session, db) }
    }

    static func acknowledged(_ session: String, _ db: SQLiteConnection) throws -> Int64 {
        try db.queryOne("SELECT acked_seq FROM native_device_cursors WHERE session = ?", [.text(session)])?.int(0) ?? 0
    }

    public func typing(_ typing: Bool, group groupID: String, on binding: SessionBinding) async throws {
        let actor = try NativeAccounts.jid(from: binding.account).jid
        try await sendWrite { db in
            let (group, members) = try self.writerCache.get(groupID) { try self.load(groupID, db) }
            _ = try self.membership(actor, in: group, members)
            var events = NativeEvents(now: self.clock.now())
            let data: JSON = [
                "participant": .string(actor), "participantPhone": .string(NativeAccounts.phone(of: actor)),
                "state": .string(typing ? "typing" : "paused"),
            ]
            events.add(.presenceTyping, group: groupID, data: data, to: members.filter { $0.jid != actor }.sessions)
            try events.write(to: self.events, in: db)
        }
    }
}
