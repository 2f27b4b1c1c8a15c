import Foundation
import GatewayCore
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support

/// The events one engine operation produces, written in the operation's transaction. Events going to many
/// sessions with the same data are stored once and fanned out.
struct NativeEvents {
    private struct Item {
        let template: GatewayEvent
        let sessions: [String]
    }

    /// Identifies the state change; with session and type it makes each event id (sortable, deterministic).
    let operation: String
    let now: Date
    private var items: [Item] = []

    init(now: Date, operation: String? = nil) {
        self.now = now
        self.operation = operation ?? SortableID.make("op", now: now)
    }

    /// Adds `type` with `data` for every session in `sessions` (duplicates and nils dropped).
    mutating func add(_ type: EventType, group: String?, data: JSON, to sessions: [String?]) {
        var seen = Set<String>(minimumCapacity: sessions.count)
        let targets = sessions.compactMap { $0 }.filter { seen.insert($0).inserted }
        guard !targets.isEmpty else { return }
        let template = GatewayEvent(id: "", type: type, occurredAt: now, receivedAt: now, session: "", provider: NativeEngine.kind, group: group, data: data)
        items.append(Item(template: template, sessions: targets))
    }

    /// Each item's identity is the operation and the item's position in it: one operation can give a session
    /// two events of one type (approving two requesters), and they must stay two events.
    func write(to log: EventLog, in db: SQLiteConnection) throws {
        for (index, item) in items.enumerated() {
            let identity = index == 0 ? operation : "\(operation)/\(index)"
            if item.sessions.count == 1 {
                var event = item.template
                event.session = item.sessions[0]
                event.id = EventID.sortable(identity: identity, session: event.session, type: event.type)
                try log.append([event], in: db)
            } else {
                try log.appendFanOut(item.template, identity: identity, to: item.sessions, in: db)
            }
        }
    }
}

extension Array where Element == Member {
    var sessions: [String?] { map(\.session) }
    var admins: [Member] { filter { $0.role.isAdmin } }
}
