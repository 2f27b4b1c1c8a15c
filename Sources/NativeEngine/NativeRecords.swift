import Foundation
import GroupModel
import Storage

/// A group row.
struct GroupRecord: Sendable {
    var id: String
    var name: String
    var description: String?
    var owner: String?
    var createdAt: Date
    var settings: GroupSettings
    var inviteCode: String?
}

/// A member, with the gateway session of its account when one is bound.
struct Member: Sendable {
    /// The account's integer key.
    let key: Int64
    let jid: String
    var role: ParticipantRole
    let joined: Int64
    let session: String?

    var participant: Participant { Participant(id: jid, phone: NativeAccounts.phone(of: jid), role: role) }
}

/// Reading and writing the engine's rows; every function runs on a connection the caller holds.
enum NativeRows {
    static func group(_ id: String, _ db: SQLiteConnection) throws -> GroupRecord? {
        try db.queryOne(
            "SELECT id, name, description, owner, created_at, announce, locked, approval_required, member_add_mode, invite_code FROM native_groups WHERE id = ?",
            [.text(id)]
        ).map(record)
    }

    static func record(_ row: Row) -> GroupRecord {
        GroupRecord(
            id: row.string(0) ?? "", name: row.string(1) ?? "", description: row.string(2), owner: row.string(3),
            createdAt: Date(timeIntervalSince1970: row[4].double ?? 0),
            settings: GroupSettings(
                announce: row.bool(5), locked: row.bool(6), approvalRequired: row.bool(7),
                memberAddMode: MemberAddMode(rawValue: row.string(8) ?? "all") ?? .all),
            inviteCode: row.string(9))
    }

    /// Members in joining order, with their bound sessions.
    static func members(_ group: String, _ db: SQLiteConnection) throws -> [Member] {
        try db.query(
            """
            SELECT p.jid, p.role, p.joined, a.session, a.key FROM native_participants p
            JOIN native_accounts a ON a.jid = p.jid WHERE p.group_id = ? ORDER BY p.joined
            """, [.text(group)]
        ).map { row in
            Member(
                key: row.int(4), jid: row.string(0) ?? "", role: ParticipantRole(rawValue: row.string(1) ?? "") ?? .member, joined: row.int(2),
                session: row.string(3))
        }
    }

    static func insertMember(_ group: String, jid: String, role: ParticipantRole, _ db: SQLiteConnection) throws {
        let next = try db.queryOne("SELECT COALESCE(MAX(joined), 0) + 1 FROM native_participants WHERE group_id = ?", [.text(group)])?.int(0) ?? 1
        try db.run(
            "INSERT INTO native_participants (group_id, jid, role, joined) VALUES (?, ?, ?, ?)",
            [.text(group), .text(jid), .text(role.rawValue), .integer(next)])
    }

    static func setRole(_ group: String, jid: String, role: ParticipantRole, _ db: SQLiteConnection) throws {
        try db.run("UPDATE native_participants SET role = ? WHERE group_id = ? AND jid = ?", [.text(role.rawValue), .text(group), .text(jid)])
    }

    static func removeMember(_ group: String, jid: String, _ db: SQLiteConnection) throws {
        try db.run("DELETE FROM native_participants WHERE group_id = ? AND jid = ?", [.text(group), .text(jid)])
    }
}
