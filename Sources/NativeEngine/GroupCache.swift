import GroupModel
import Support

/// Committed group state for the read path (group info, the hottest native read), so a read costs no SQL.
///
/// Writers invalidate a group after their transaction commits. A reader that loaded rows just before a commit
/// must not install them after that commit's invalidation: each group has a generation, and a load is kept only
/// if the generation did not move while it was loading.
final class GroupCache: Sendable {
    struct Snapshot: Sendable {
        /// The group as members see it and as admins see it (with the invite link), rendered once.
        let forMembers: Group
        let forAdmins: Group
        /// Whether each member is an admin, by JID: a read finds its caller without walking the members.
        private let isAdmin: [String: Bool]

        init(members: [Member], forMembers: Group, forAdmins: Group) {
            self.forMembers = forMembers
            self.forAdmins = forAdmins
            isAdmin = Dictionary(members.map { ($0.jid, $0.role.isAdmin) }, uniquingKeysWith: { first, _ in first })
        }

        /// The group as `actor` sees it; nil when `actor` takes no part in it.
        func view(for actor: String) -> Group? {
            guard let admin = isAdmin[actor] else { return nil }
            return admin ? forAdmins : forMembers
        }
    }

    private struct State {
        var entries: [String: Snapshot] = [:]
        var generations: [String: UInt64] = [:]
    }

    private let state = LockedValue(State())
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// The cached snapshot, or `load()`'s result (cached when nothing changed meanwhile).
    func snapshot(_ id: String, load: () throws -> Snapshot?) rethrows -> Snapshot? {
        let (hit, generation) = state.withLock { ($0.entries[id], $0.generations[id] ?? 0) }
        if let hit { return hit }
        guard let loaded = try load() else { return nil }
        state.withLock { state in
            guard (state.generations[id] ?? 0) == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[id] = loaded
        }
        return loaded
    }

    /// The cached snapshot, without loading.
    func peek(_ id: String) -> Snapshot? { state.withLock { $0.entries[id] } }

    /// Drops groups whose state changed (call after the change committed).
    func invalidate(_ ids: some Sequence<String>) {
        state.withLock { state in
            for id in ids {
                state.entries[id] = nil
                state.generations[id, default: 0] &+= 1
            }
        }
    }
}
