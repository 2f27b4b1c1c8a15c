import Foundation
import GatewayCore
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// The built-in group-messaging engine (DESIGN §7): native accounts, groups with WhatsApp's rules, messages that
/// reach every member session, receipts that the sender's status aggregates. It is a provider like the others,
/// answering from the gateway's own database, and the reference behaviour the adapters are compared with.
public final class NativeEngine: LocalProvider, Sendable {
    public static let kind = "native"

    public static let descriptor = ProviderDescriptor(
        kind: kind, displayName: "Native engine (built in)", capabilities: Set(Capability.allCases),
        events: Set(EventType.allCases).subtracting([.providerUnmapped, .messagePlayed, .messageFailed]),
        limits: ProviderLimits(
            maxParticipants: Limits.participants, maxNameLength: Limits.groupName, maxDescriptionLength: Limits.groupDescription,
            maxTextLength: Limits.text),
        webhookAuth: "none: in-process")

    public var descriptor: ProviderDescriptor { NativeEngine.descriptor }

    let database: Database
    let events: EventLog
    let messages: MessageStore
    let clock: any WallClock
    let cache = GroupCache()
    let writerCache = WriterGroupCache()

    public init(database: Database, events: EventLog, messages: MessageStore, clock: any WallClock) {
        self.database = database
        self.events = events
        self.messages = messages
        self.clock = clock
        database.onCommitFailure.withLock { [writerCache] in $0.append { writerCache.dropAll() } }
    }

    // MARK: - The provider contract

    public func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult {
        let actor = try NativeAccounts.jid(from: binding.account).jid
        switch operation {
        case .listGroups: return .groups(try read { db in try self.listGroups(actor: actor, db) })
        case .getGroup(let group): return .group(try getGroup(group, actor: actor))
        case .createGroup(let request): return .group(try await write { db in try self.createGroup(request, actor: actor, db) })
        case .updateGroup(let group, let patch):
            return .group(try await write(changing: group) { db in try self.updateGroup(group, patch, actor: actor, db) })
        case .leaveGroup(let group):
            try await write(changing: group) { db in try self.leave(group, actor: actor, db) }
            return .done
        case .deleteGroup(let group):
            try await write(changing: group) { db in try self.delete(group, actor: actor, db) }
            return .done
        case .participants(let group, let action, let ids):
            return .participants(try await write(changing: group) { db in try self.participants(group, action, ids, actor: actor, db) })
        case .getInvite(let group):
            return .invite(try await write(changing: group) { db in try self.invite(group, actor: actor, revoke: false, db) })
        case .revokeInvite(let group):
            return .invite(try await write(changing: group) { db in try self.invite(group, actor: actor, revoke: true, db) })
        case .join(let code):
            let (group, status) = try await write { db in try self.join(code: code, actor: actor, db) }
            cache.invalidate([group])
            return .joined(group: group, status: status)
        case .listJoinRequests(let group): return .joinRequests(try read { db in try self.joinRequests(group, actor: actor, db) })
        case .decideJoinRequests(let group, let approve, let ids):
            return .participants(try await write(changing: group) { db in try self.decide(group, approve: approve, ids, actor: actor, db) })
        case .send(let message):
            return .sent(try await sendWrite { db in try self.send(message, on: binding, in: db) })
        }
    }

    public func status(of binding: SessionBinding) async -> SessionStatus { .ready }

    /// Creates the account for a new session (or binds an unbound one) and returns `{phone, jid}`.
    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject {
        let user = try NativeAccounts.jid(from: binding.account)
        let now = clock.now()
        return try await write { db in try NativeEngine.bind(user, to: binding.session, at: now, db) }
    }

    /// Provisioning inside a transaction the caller holds (start-up, tests).
    static func bind(_ user: UserID, to session: String, at now: Date, _ db: SQLiteConnection) throws -> JSONObject {
        if let row = try db.queryOne("SELECT session FROM native_accounts WHERE jid = ?", [.text(user.jid)]) {
            if let bound = row.string(0), bound != session {
                throw GatewayError.conflict("Phone \(user.phone ?? user.jid) already belongs to native session '\(bound)'.")
            }
            try db.run("UPDATE native_accounts SET session = ? WHERE jid = ?", [.text(session), .text(user.jid)])
        } else {
            try db.run(
                "INSERT INTO native_accounts (jid, phone, session, created_at) VALUES (?, ?, ?, ?)",
                [.text(user.jid), .text(user.phone ?? ""), .text(session), .real(now.timeIntervalSince1970)])
        }
        return ["phone": .string(user.phone), "jid": .string(user.jid)]
    }

    /// Unbinds the account of a removed session (the account, its memberships and history stay).
    public func deprovision(_ binding: SessionBinding) async throws(GatewayError) {
        try await write { db in try db.run("UPDATE native_accounts SET session = NULL WHERE session = ?", [.text(binding.session)]) }
    }

    /// At start-up: provisions the configured sessions and unbinds accounts whose sessions no longer exist.
    public func reconcile(configured: [SessionBinding], existing: Set<String>) throws -> [String: JSONObject] {
        let now = clock.now()
        var accounts: [String: JSONObject] = [:]
        try database.writeSync { [writerCache] db in
            writerCache.dropAll()
            for session in try db.query("SELECT session FROM native_accounts WHERE session IS NOT NULL").compactMap({ $0.string(0) })
            where !existing.contains(session) {
                try db.run("UPDATE native_accounts SET session = NULL WHERE session = ?", [.text(session)])
            }
            for binding in configured {
                accounts[binding.session] = try NativeEngine.bind(try NativeAccounts.jid(from: binding.account), to: binding.session, at: now, db)
            }
        }
        return accounts
    }

    // MARK: - Transactions

    /// A write transaction; `changing` names the group whose cached state it may change (dropped after the
    /// commit, and also after a failure, since a failed commit says nothing certain about the state).
    @discardableResult
    func write<T: Sendable>(changing group: String? = nil, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws(GatewayError) -> T {
        let writerCache = self.writerCache
        let changing = group
        do {
            let value = try await database.write { db in
                // Inside the transaction, before and after the change: later jobs of this batch must reload.
                if let changing { writerCache.drop(changing) } else { writerCache.dropAll() }
                defer { if let changing { writerCache.drop(changing) } else { writerCache.dropAll() } }
                return try body(db)
            }
            if let group { cache.invalidate([group]) }
            events.didAppend()
            return value
        } catch {
            if let group { cache.invalidate([group]) }
            throw NativeEngine.canonical(error)
        }
    }

    func read<T>(_ body: (SQLiteConnection) throws -> T) throws(GatewayError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw NativeEngine.canonical(error)
        }
    }

    /// A write that changes no group (sends, receipts): the writer-side group cache stays.
    @discardableResult
    func sendWrite<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws(GatewayError) -> T {
        do {
            let value = try await database.write(body)
            events.didAppend()
            return value
        } catch {
            throw NativeEngine.canonical(error)
        }
    }

    static func canonical(_ error: any Error) -> GatewayError {
        if let error = error as? GatewayError { return error }
        return GatewayError.internal("The native engine's store failed: \(error)")
    }

    // MARK: - Shared checks

    /// The group and its members; `group_not_found` when it does not exist.
    func load(_ id: String, _ db: SQLiteConnection) throws -> (GroupRecord, [Member]) {
        guard let group = try NativeRows.group(id, db) else { throw NativeEngine.groupNotFound(id) }
        return (group, try NativeRows.members(id, db))
    }

    /// The actor's membership; for a non-member, the very answer a missing group gets (a group is private to its
    /// members: another tenant cannot learn that it exists).
    func membership(_ actor: String, in group: GroupRecord, _ members: [Member]) throws -> Member {
        guard let member = members.first(where: { $0.jid == actor }) else { throw NativeEngine.groupNotFound(group.id) }
        return member
    }

    static func groupNotFound(_ id: String) -> GatewayError {
        GatewayError.groupNotFound("Group '\(id)' does not exist or this session is not a participant.")
    }

    func requireAdmin(_ member: Member, _ what: String) throws {
        guard member.role.isAdmin else { throw GatewayError.notGroupAdmin("Only group admins can \(what).") }
    }

    func render(_ group: GroupRecord, _ members: [Member], viewer: Member?, full: Bool, now: Date) -> Group {
        Group(
            id: group.id, name: group.name, description: group.description, owner: group.owner, createdAt: group.createdAt,
            participantCount: members.count, participants: full ? members.map(\.participant) : nil, settings: group.settings,
            inviteLink: viewer?.role.isAdmin == true ? group.inviteCode.map { Invite.linkPrefix + $0 } : nil, provider: NativeEngine.kind,
            asOf: now)
    }
}
