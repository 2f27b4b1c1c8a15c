import Foundation
import GroupModel
import ProviderKit

/// Group operations for a session: scope check, capability check before any I/O, then the provider.
public struct GroupService: Sendable {
    let sessions: SessionRegistry

    public init(sessions: SessionRegistry) { self.sessions = sessions }

    public func perform(_ operation: ProviderOperation, session: String, for principal: Principal) async throws -> OperationResult {
        let (binding, entry) = try sessions.resolve(session, for: principal)
        return try await ProviderCall.perform(operation, on: binding, with: entry.adapter)
    }

    /// A group's info from a local provider's memory, or nil when that would need I/O (then use `perform`).
    public func cachedGroup(_ id: String, session: String, for principal: Principal) throws -> Group? {
        let (binding, entry) = try sessions.resolve(session, for: principal)
        guard let local = entry.adapter as? any LocalProvider, entry.adapter.descriptor.supports(.groupsGet) else { return nil }
        return try local.cachedGroup(id, on: binding)
    }

    /// The session's groups, optionally only those whose name matches `name` case-insensitively.
    public func list(session: String, name: String?, for principal: Principal) async throws -> [Group] {
        guard case .groups(let groups) = try await perform(.listGroups, session: session, for: principal) else {
            throw GatewayError.internal("The provider answered a group list with something else.")
        }
        guard let name else { return groups }
        let wanted = name.lowercased()
        return groups.filter { $0.name?.lowercased() == wanted }
    }
}
