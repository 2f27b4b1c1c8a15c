import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// Membership: add, remove, promote, demote (one result per participant), invites, joining, join requests.
extension NativeEngine {
    func participants(_ id: String, _ action: ParticipantAction, _ raw: [String], actor: String, _ db: SQLiteConnection) throws
        -> [ParticipantResult]
    {
        let now = clock.now()
        let (group, before) = try load(id, db)
        let me = try membership(actor, in: group, before)
        switch action {
        case .add:
            if group.settings.memberAddMode == .admins { try requireAdmin(me, "add members to this group") }
        case .remove: try requireAdmin(me, "remove members")
        case .promote: try requireAdmin(me, "promote members")
        case .demote: try requireAdmin(me, "demote admins")
        }
        var members = before
        var results: [ParticipantResult] = []
        var changed: [Member] = []
        for text in raw {
            guard let user = UserID.parse(text) else {
                results.append(ParticipantResult(id: text, status: .invalidId))
                continue
            }
            let outcome = try apply(action, to: user, group: group, members: &members, actor: actor, changed: &changed, db)
            results.append(ParticipantResult(id: user.jid, status: outcome))
        }
        guard !changed.isEmpty else { return results }
        var events = NativeEvents(now: now)
        let payload: JSON = ["participants": .array(changed.map(\.participant.json))]
        switch action {
        case .add:
            events.add(.participantsJoined, group: id, data: payload, to: before.sessions)
            let full = render(group, members, viewer: nil, full: true, now: now).json
            events.add(.groupJoined, group: id, data: ["group": full], to: changed.map(\.session))
        case .remove:
            events.add(.participantsLeft, group: id, data: payload, to: members.sessions)
            events.add(.groupLeft, group: id, data: ["group": ["id": .string(id)], "reason": "removed"], to: changed.map(\.session))
        case .promote: events.add(.participantsPromoted, group: id, data: payload, to: members.sessions)
        case .demote: events.add(.participantsDemoted, group: id, data: payload, to: members.sessions)
        }
        try events.write(to: self.events, in: db)
        return results
    }

    /// One participant's outcome; `members` and `changed` follow the change.
    private func apply(
        _ action: ParticipantAction, to user: UserID, group: GroupRecord, members: inout [Member], actor: String, changed: inout [Member],
        _ db: SQLiteConnection
    ) throws -> ParticipantOutcome {
        let index = members.firstIndex { $0.jid == user.jid }
        switch action {
        case .add:
            if index != nil { return .alreadyMember }
            guard !user.isLID, let key = try NativeAccounts.key(user.jid, db) else { return .notFound }
            guard members.count < Limits.participants else { return .forbidden }
            try NativeRows.insertMember(group.id, jid: user.jid, role: .member, db)
            try db.run("DELETE FROM native_join_requests WHERE group_id = ? AND jid = ?", [.text(group.id), .text(user.jid)])
            let session = try NativeAccounts.sessions(of: [user.jid], db)[user.jid]
            let member = Member(key: key, jid: user.jid, role: .member, joined: (members.map(\.joined).max() ?? 0) + 1, session: session)
            members.append(member)
            changed.append(member)
            return .added
        case .remove:
            guard let index else { return .notMember }
            let target = members[index]
            // Nobody removes the superadmin; removing yourself is leaving, not this.
            guard target.role != .superadmin, target.jid != actor else { return .forbidden }
            try NativeRows.removeMember(group.id, jid: target.jid, db)
            members.remove(at: index)
            changed.append(target)
            return .removed
        case .promote:
            guard let index else { return .notMember }
            guard members[index].role == .member else { return .promoted }  // already an admin
            members[index].role = .admin
            try NativeRows.setRole(group.id, jid: user.jid, role: .admin, db)
            changed.append(members[index])
            return .promoted
        case .demote:
            guard let index else { return .notMember }
            switch members[index].role {
            case .superadmin: return .forbidden  // nobody demotes the superadmin
            case .member: return .demoted
            case .admin:
                guard members.admins.count > 1 else { return .forbidden }  // a group keeps at least one admin
                members[index].role = .member
                try NativeRows.setRole(group.id, jid: user.jid, role: .member, db)
                changed.append(members[index])
                return .demoted
            }
        }
    }

    // MARK: - Invites and joining

    func invite(_ id: String, actor: String, revoke: Bool, _ db: SQLiteConnection) throws -> Invite {
        let (group, members) = try load(id, db)
        try requireAdmin(try membership(actor, in: group, members), revoke ? "revoke the invite link" : "see the invite link")
        if let code = group.inviteCode, !revoke { return Invite(code: code) }
        // A new random code replaces the old one, which stops working at once.
        let code = SortableID.randomToken(22)
        try db.run("UPDATE native_groups SET invite_code = ? WHERE id = ?", [.text(code), .text(id)])
        return Invite(code: code)
    }

    func join(code: String, actor: String, _ db: SQLiteConnection) throws -> (String, ParticipantOutcome) {
        guard let row = try db.queryOne("SELECT id FROM native_groups WHERE invite_code = ?", [.text(code)]), let id = row.string(0) else {
            throw GatewayError.groupNotFound("The invite code is not valid, or it was revoked.")
        }
        let now = clock.now()
        let (group, members) = try load(id, db)
        if members.contains(where: { $0.jid == actor }) { return (id, .alreadyMember) }
        let session = try NativeAccounts.sessions(of: [actor], db)[actor]
        var events = NativeEvents(now: now)
        if group.settings.approvalRequired == true {
            let created = try db.run(
                "INSERT OR IGNORE INTO native_join_requests (group_id, jid, requested_at) VALUES (?, ?, ?)",
                [.text(id), .text(actor), .real(now.timeIntervalSince1970)])
            guard created > 0 else { return (id, .pendingApproval) }  // already pending: nothing new to announce
            events.add(.joinRequestCreated, group: id, data: ["requester": .string(actor), "method": "invite_link"], to: members.admins.sessions + [session])
            try events.write(to: self.events, in: db)
            return (id, .pendingApproval)
        }
        guard members.count < Limits.participants else { throw GatewayError.forbidden("The group is full (\(Limits.participants) participants).") }
        try NativeRows.insertMember(id, jid: actor, role: .member, db)
        let after = try NativeRows.members(id, db)
        let joined = after.first { $0.jid == actor }!
        events.add(.participantsJoined, group: id, data: ["participants": [joined.participant.json], "method": "invite_link"], to: members.sessions)
        events.add(.groupJoined, group: id, data: ["group": render(group, after, viewer: nil, full: true, now: now).json], to: [session])
        try events.write(to: self.events, in: db)
        return (id, .added)
    }

    func joinRequests(_ id: String, actor: String, _ db: SQLiteConnection) throws -> [JoinRequest] {
        let (group, members) = try load(id, db)
        try requireAdmin(try membership(actor, in: group, members), "see join requests")
        return try db.query("SELECT jid, requested_at FROM native_join_requests WHERE group_id = ? ORDER BY requested_at, jid", [.text(id)]).map {
            JoinRequest(requester: $0.string(0) ?? "", phone: NativeAccounts.phone(of: $0.string(0) ?? ""), requestedAt: Date(timeIntervalSince1970: $0[1].double ?? 0))
        }
    }

    func decide(_ id: String, approve: Bool, _ raw: [String], actor: String, _ db: SQLiteConnection) throws -> [ParticipantResult] {
        let now = clock.now()
        let (group, members) = try load(id, db)
        try requireAdmin(try membership(actor, in: group, members), approve ? "approve join requests" : "reject join requests")
        var results: [ParticipantResult] = []
        var events = NativeEvents(now: now)
        var current = members
        for text in raw {
            guard let user = UserID.parse(text) else {
                results.append(ParticipantResult(id: text, status: .invalidId))
                continue
            }
            let removed = try db.run("DELETE FROM native_join_requests WHERE group_id = ? AND jid = ?", [.text(id), .text(user.jid)])
            guard removed > 0 else {
                results.append(ParticipantResult(id: user.jid, status: .notFound))
                continue
            }
            let session = try NativeAccounts.sessions(of: [user.jid], db)[user.jid]
            if !approve {
                events.add(.joinRequestRejected, group: id, data: ["requester": .string(user.jid), "by": .string(actor)], to: current.admins.sessions + [session])
                results.append(ParticipantResult(id: user.jid, status: .removed))
                continue
            }
            guard current.count < Limits.participants else {
                results.append(ParticipantResult(id: user.jid, status: .forbidden))
                continue
            }
            try NativeRows.insertMember(id, jid: user.jid, role: .member, db)
            let key = try NativeAccounts.key(user.jid, db) ?? 0
            let member = Member(key: key, jid: user.jid, role: .member, joined: (current.map(\.joined).max() ?? 0) + 1, session: session)
            events.add(.joinRequestApproved, group: id, data: ["requester": .string(user.jid), "by": .string(actor)], to: current.admins.sessions + [session])
            events.add(.participantsJoined, group: id, data: ["participants": [member.participant.json], "method": "approval"], to: current.sessions)
            current.append(member)
            events.add(.groupJoined, group: id, data: ["group": render(group, current, viewer: nil, full: true, now: now).json], to: [session])
            results.append(ParticipantResult(id: user.jid, status: .added))
        }
        try events.write(to: self.events, in: db)
        return results
    }
}
