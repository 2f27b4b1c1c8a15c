import Foundation
import GroupModel
import ProviderKit
import JSONCore
import Storage
import Support

/// Groups: list, get, create, update, leave, delete — with WhatsApp's rules.
extension NativeEngine {
    func listGroups(actor: String, _ db: SQLiteConnection) throws -> [Group] {
        let rows = try db.query(
            """
            SELECT g.id, g.name, g.description, g.owner, g.created_at, g.announce, g.locked, g.approval_required, g.member_add_mode,
                   g.invite_code, p.role, (SELECT COUNT(*) FROM native_participants c WHERE c.group_id = g.id)
            FROM native_participants p JOIN native_groups g ON g.id = p.group_id WHERE p.jid = ? ORDER BY g.created_at, g.id
            """, [.text(actor)])
        let now = clock.now()
        return rows.map { row in
            let record = NativeRows.record(row)
            let role = ParticipantRole(rawValue: row.string(10) ?? "") ?? .member
            return Group(
                id: record.id, name: record.name, description: record.description, owner: record.owner, createdAt: record.createdAt,
                participantCount: Int(row.int(11)), participants: nil, settings: record.settings,
                inviteLink: role.isAdmin ? record.inviteCode.map { Invite.linkPrefix + $0 } : nil, provider: NativeEngine.kind, asOf: now)
        }
    }

    /// Group info from the committed-state cache (loaded from the database on a miss). A snapshot's `asOf` is
    /// when it was read from the store: it stays true until a change drops the snapshot.
    func getGroup(_ id: String, actor: String) throws(GatewayError) -> Group {
        let snapshot: GroupCache.Snapshot?
        do {
            snapshot = try cache.snapshot(id) {
                try database.read { db -> GroupCache.Snapshot? in
                    guard let group = try NativeRows.group(id, db) else { return nil }
                    let members = try NativeRows.members(id, db)
                    let now = clock.now()
                    func view(_ viewer: Member?) -> Group {
                        var rendered = render(group, members, viewer: viewer, full: true, now: now)
                        rendered.rendered = .raw(rendered.json.bytes)
                        return rendered
                    }
                    return GroupCache.Snapshot(
                        members: members, forMembers: view(nil),
                        forAdmins: view(Member(key: 0, jid: "", role: .admin, joined: 0, session: nil)))
                }
            }
        } catch {
            throw NativeEngine.canonical(error)
        }
        guard let snapshot else { throw NativeEngine.groupNotFound(id) }
        guard let view = snapshot.view(for: actor) else {
            // A non-participant gets a missing group's answer, and at a missing group's cost: the same database
            // read, so timing cannot tell another tenant's cached group from no group.
            _ = try? database.read { db in try NativeRows.group(id, db) }
            throw NativeEngine.groupNotFound(id)
        }
        return view
    }

    /// Group info only if it is cached and the actor takes part (never blocks); nil otherwise, so a non-participant
    /// takes the same path as a request for a missing group.
    public func cachedGroup(_ id: String, on binding: SessionBinding) throws -> Group? {
        guard let snapshot = cache.peek(id) else { return nil }
        let actor = try NativeAccounts.jid(from: binding.account).jid
        return snapshot.view(for: actor)
    }

    func createGroup(_ request: CreateGroupRequest, actor: String, _ db: SQLiteConnection) throws -> Group {
        let now = clock.now()
        var invitees: [String] = []
        var unknown: [String] = []
        for user in request.participants where user.jid != actor && !invitees.contains(user.jid) {
            if try NativeAccounts.exists(user.jid, db) { invitees.append(user.jid) } else { unknown.append(user.phone ?? user.jid) }
        }
        guard unknown.isEmpty else {
            throw GatewayError.invalidRequest(
                "Every participant must be a native account; not found: \(unknown.joined(separator: ", ")). Create their sessions first.",
                details: ["field": "participants", "notFound": .array(unknown.map(JSON.string))])
        }
        guard invitees.count + 1 <= Limits.participants else {
            throw GatewayError.invalidRequest("A group has at most \(Limits.participants) participants.", details: ["field": "participants"])
        }
        let id = NativeEngine.newGroupID()
        let settings = request.settings
        try db.run(
            """
            INSERT INTO native_groups (id, name, description, owner, created_at, announce, locked, approval_required, member_add_mode)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(id), .text(request.name), SQLValue(request.description), .text(actor), .real(now.timeIntervalSince1970),
             SQLValue(settings.announce ?? false), SQLValue(settings.locked ?? false), SQLValue(settings.approvalRequired ?? false),
             .text((settings.memberAddMode ?? .all).rawValue)])
        try NativeRows.insertMember(id, jid: actor, role: .superadmin, db)
        for jid in invitees { try NativeRows.insertMember(id, jid: jid, role: .member, db) }
        let (group, members) = try load(id, db)
        var events = NativeEvents(now: now)
        events.add(.groupJoined, group: id, data: ["group": render(group, members, viewer: nil, full: true, now: now).json], to: members.sessions)
        try events.write(to: self.events, in: db)
        return render(group, members, viewer: members.first { $0.jid == actor }, full: true, now: now)
    }

    func updateGroup(_ id: String, _ patch: GroupPatch, actor: String, _ db: SQLiteConnection) throws -> Group {
        let now = clock.now()
        var (group, members) = try load(id, db)
        let me = try membership(actor, in: group, members)
        if patch.name != nil || patch.description != nil, group.settings.locked == true {
            try requireAdmin(me, "change the name or description of a locked group")
        }
        if patch.settings != nil { try requireAdmin(me, "change group settings") }
        var changed = JSONObject()
        if let name = patch.name, name != group.name {
            group.name = name
            changed["name"] = .string(name)
        }
        if let description = patch.description, description != group.description {
            group.description = description
            changed["description"] = .string(description)
        }
        if let settings = patch.settings {
            var changedSettings = JSONObject()
            if let value = settings.announce, value != group.settings.announce {
                group.settings.announce = value
                changedSettings["announce"] = .bool(value)
            }
            if let value = settings.locked, value != group.settings.locked {
                group.settings.locked = value
                changedSettings["locked"] = .bool(value)
            }
            if let value = settings.approvalRequired, value != group.settings.approvalRequired {
                group.settings.approvalRequired = value
                changedSettings["approvalRequired"] = .bool(value)
            }
            if let value = settings.memberAddMode, value != group.settings.memberAddMode {
                group.settings.memberAddMode = value
                changedSettings["memberAddMode"] = .string(value.rawValue)
            }
            if !changedSettings.isEmpty { changed["settings"] = .object(changedSettings) }
        }
        if !changed.isEmpty {
            try db.run(
                "UPDATE native_groups SET name = ?, description = ?, announce = ?, locked = ?, approval_required = ?, member_add_mode = ? WHERE id = ?",
                [.text(group.name), SQLValue(group.description), SQLValue(group.settings.announce ?? false), SQLValue(group.settings.locked ?? false),
                 SQLValue(group.settings.approvalRequired ?? false), .text((group.settings.memberAddMode ?? .all).rawValue), .text(id)])
            changed["id"] = .string(id)
            changed["updatedBy"] = .string(actor)
            var events = NativeEvents(now: now)
            events.add(.groupUpdated, group: id, data: .object(changed), to: members.sessions)
            try events.write(to: self.events, in: db)
        }
        return render(group, members, viewer: me, full: true, now: now)
    }

    func leave(_ id: String, actor: String, _ db: SQLiteConnection) throws {
        let now = clock.now()
        let (group, members) = try load(id, db)
        let me = try membership(actor, in: group, members)
        try NativeRows.removeMember(id, jid: actor, db)
        let remaining = members.filter { $0.jid != actor }
        var events = NativeEvents(now: now)
        events.add(.groupLeft, group: id, data: ["group": ["id": .string(id)], "reason": "left"], to: [me.session])
        events.add(.participantsLeft, group: id, data: ["participants": [me.participant.json]], to: remaining.sessions)
        // WhatsApp: when the last admin leaves, the longest-standing member becomes admin.
        if me.role.isAdmin, remaining.admins.isEmpty, var successor = remaining.first {
            successor.role = .admin
            try NativeRows.setRole(id, jid: successor.jid, role: .admin, db)
            events.add(.participantsPromoted, group: id, data: ["participants": [successor.participant.json], "reason": "last_admin_left"], to: remaining.sessions)
        }
        try events.write(to: self.events, in: db)
    }

    func delete(_ id: String, actor: String, _ db: SQLiteConnection) throws {
        let (group, members) = try load(id, db)
        let me = try membership(actor, in: group, members)
        // The creator deletes; once the creator has left, any admin may.
        let creatorPresent = members.contains { $0.role == .superadmin }
        guard me.role == .superadmin || (!creatorPresent && me.role == .admin) else {
            throw GatewayError.notGroupAdmin("Only the group's creator can delete it (or an admin once the creator has left).")
        }
        try db.run("DELETE FROM native_groups WHERE id = ?", [.text(id)])
        var events = NativeEvents(now: clock.now())
        events.add(.groupLeft, group: id, data: ["group": ["id": .string(id)], "reason": "deleted"], to: members.sessions)
        try events.write(to: self.events, in: db)
    }

    /// `120363` + 12 random digits + `@g.us`, the shape of current WhatsApp group ids.
    static func newGroupID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<12).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        return "120363\(digits)@g.us"
    }
}
