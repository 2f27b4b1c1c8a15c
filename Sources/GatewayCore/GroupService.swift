import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Support

/// Group operations for a session: scope check, capability check before any I/O, then the provider.
public struct GroupService: Sendable {
    let sessions: SessionRegistry
    /// The providers' circuits (shared with sends): a provider that is down fails fast instead of timing out.
    let outbox: Outbox?

    public init(sessions: SessionRegistry, outbox: Outbox? = nil) {
        self.sessions = sessions
        self.outbox = outbox
    }

    public func perform(_ operation: ProviderOperation, session: String, for principal: Principal) async throws -> OperationResult {
        let (binding, entry) = try sessions.resolve(session, for: principal)
        guard let outbox, entry.local == nil else { return try await ProviderCall.perform(operation, on: binding, with: entry.adapter) }
        try ProviderCall.check(operation, adapter: entry.adapter)
        let breaker = outbox.breaker(entry.name)
        let now = outbox.clock.now().timeIntervalSince1970
        guard breaker.allow(now: now) else {
            let wait = max(1, Int(((breaker.retryAt(now: now) ?? now) - now).rounded(.up)))
            throw GatewayError.providerUnavailable(
                "\(entry.name) failed repeatedly; calls are paused for \(wait) s (circuit open) instead of waiting for timeouts.", retryAfter: wait
            ).from(provider: entry.kind).with(details: ["circuit": "open"])
        }
        do {
            let result = try await entry.adapter.perform(operation, on: binding)
            breaker.report(nil, now: outbox.clock.now().timeIntervalSince1970)
            return result
        } catch {
            breaker.report(error, now: outbox.clock.now().timeIntervalSince1970)
            throw error
        }
    }

    /// A group's info from a local provider's memory, or nil when that would need I/O (then use `perform`).
    public func cachedGroup(_ id: String, session: String, for principal: Principal) throws -> Group? {
        let (binding, entry) = try sessions.resolve(session, for: principal)
        guard let local = entry.local, entry.adapter.descriptor.supports(.groupsGet) else { return nil }
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
