import Foundation
import GroupModel
import JSONCore
import Support

/// Per-session group directory (id ↔ name) for providers that address groups by name: refreshed on a miss,
/// never more than once per `minimumInterval` (listing groups is what triggers WhatsApp's `rate-overlimit`),
/// and stamped with when it was read.
final class GroupDirectory: Sendable {
    struct Snapshot: Sendable {
        let groups: [WalyticWire.GroupEntry]
        let asOf: Date

        /// The groups named `name`, matched case-insensitively as Walytic matches them.
        func named(_ name: String) -> [WalyticWire.GroupEntry] { groups.filter { $0.name?.lowercased() == name.lowercased() } }

        /// `group_ambiguous` listing `namesakes`, with when the directory was read.
        func ambiguous(_ namesakes: [WalyticWire.GroupEntry], _ message: String) -> GatewayError {
            GatewayError.groupAmbiguous(message, ids: namesakes.map(\.id)).from(provider: WalyticMapping.kind)
                .with(details: ["asOf": .string(Timestamp.iso8601(asOf))])
        }
    }

    private let snapshots = LockedValue<[String: Snapshot]>([:])
    let minimumInterval: TimeInterval

    init(minimumInterval: TimeInterval = 30) { self.minimumInterval = minimumInterval }

    func snapshot(_ session: String) -> Snapshot? { snapshots.withLock { $0[session] } }

    func store(_ groups: [WalyticWire.GroupEntry], session: String, at now: Date) -> Snapshot {
        let snapshot = Snapshot(groups: groups, asOf: now)
        snapshots.withLock { $0[session] = snapshot }
        return snapshot
    }

    /// Whether the session's directory may be refreshed now.
    func mayRefresh(_ session: String, now: Date) -> Bool {
        guard let snapshot = snapshot(session) else { return true }
        return now.timeIntervalSince(snapshot.asOf) >= minimumInterval
    }
}
