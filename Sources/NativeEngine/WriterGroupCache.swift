import Support

/// Group state for sends, used only inside write transactions (on the database's writer thread).
///
/// A send reads its group's members on every call; this keeps them between sends. Correctness rests on three
/// rules: a write that changes a group drops it *inside* its transaction (so a send later in the same batch
/// reloads what the batch sees); a change to account bindings drops everything; and a failed commit drops
/// everything (a send may have cached state that never committed).
final class WriterGroupCache: @unchecked Sendable {
    private let lock = Lock()
    private var entries: [String: (GroupRecord, [Member])] = [:]

    func get(_ id: String, load: () throws -> (GroupRecord, [Member])) rethrows -> (GroupRecord, [Member]) {
        if let hit = lock.withLock({ entries[id] }) { return hit }
        let loaded = try load()
        lock.withLock {
            if entries.count > 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[id] = loaded
        }
        return loaded
    }

    func drop(_ id: String) { lock.withLock { entries[id] = nil } }
    func dropAll() { lock.withLock { entries.removeAll() } }
}
