import Foundation
import GroupModel
import Support

/// Per-session group directory (id ↔ name) for providers that address groups by name: refreshed on a miss,
/// never more than once per `minimumInterval` (listing groups is what triggers WhatsApp's `rate-overlimit`),
/// and stamped with when it was read.
final class GroupDirectory: Sendable {
    struct Snapshot: Sendable {
        let groups: [WalyticWire.GroupEntry]
        let asOf: Date
    }

    private let snapshots = LockedValue<[String: Snapshot]>([:])
    let minimumInterval: TimeInterval

    init(minimumInterval: TimeInterval = 30) { self.minimumInterval = minimumInterval }

    func snapshot(_ session: String) -> Snapshot? { snapshots.withLock { $0[session] } }

    func store(_ groups: [WalyticWire.GroupEntry], session: String, at now: Date) {
        snapshots.withLock { $0[session] = Snapshot(groups: groups, asOf: now) }
    }

    /// Whether the session's directory may be refreshed now.
    func mayRefresh(_ session: String, now: Date) -> Bool {
        guard let snapshot = snapshot(session) else { return true }
        return now.timeIntervalSince(snapshot.asOf) >= minimumInterval
    }
}
