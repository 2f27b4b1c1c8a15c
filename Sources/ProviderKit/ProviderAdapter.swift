import GroupModel
import JSONCore

/// The adapter contract (DESIGN §4, STYLE 8–12): one instance per configured provider. Remote adapters build
/// request values and parse response values through an injected `HTTPTransport`; the native engine answers
/// from its own store. Callers check `descriptor.capabilities` first — `ProviderCall` does — so unsupported
/// operations never reach an adapter.
public protocol ProviderAdapter: Sendable {
    var descriptor: ProviderDescriptor { get }

    /// Performs a canonical operation for a session. Throws canonical errors only.
    func perform(_ operation: ProviderOperation, on binding: SessionBinding) async throws(GatewayError) -> OperationResult

    /// The session's connection state at the provider.
    func status(of binding: SessionBinding) async -> SessionStatus

    /// Checks (and, for the native engine, creates) the provider account a new session binds to, and returns the
    /// account as it should be stored. Runs before the session exists.
    func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject

    /// Called after a session is removed.
    func deprovision(_ binding: SessionBinding) async throws(GatewayError)

    /// Looks for a send whose outcome the gateway does not know (the call timed out, the connection dropped, the
    /// gateway stopped mid-call): the ids of the provider's messages that match it, or `.unsupported` when the
    /// provider offers no way to look.
    func lookUpSend(_ message: OutgoingMessage, on binding: SessionBinding) async throws(GatewayError) -> SendLookup
}

/// What a provider knows about a send of unknown outcome.
public enum SendLookup: Sendable, Equatable {
    /// The provider's messages that match (same chat, same content, sent by the session since shortly before the
    /// send); the caller decides which one is this send.
    case matches([String])
    /// The provider's answer could not settle it (a full page without a match: older messages were cut off).
    case inconclusive
    /// The provider has no way to look it up.
    case unsupported
}

extension ProviderAdapter {
    public func provision(_ binding: SessionBinding) async throws(GatewayError) -> JSONObject { binding.account }
    public func deprovision(_ binding: SessionBinding) async throws(GatewayError) {}
    public func lookUpSend(_ message: OutgoingMessage, on binding: SessionBinding) async throws(GatewayError) -> SendLookup { .unsupported }
}

/// The one way the gateway calls an adapter: capability check first, before any I/O.
public enum ProviderCall {
    public static func perform(
        _ operation: ProviderOperation, on binding: SessionBinding, with adapter: any ProviderAdapter
    ) async throws(GatewayError) -> OperationResult {
        try check(operation, adapter: adapter)
        return try await adapter.perform(operation, on: binding)
    }

    /// Throws `unsupported_operation` for the first capability the operation needs that the adapter lacks.
    public static func check(_ operation: ProviderOperation, adapter: any ProviderAdapter) throws(GatewayError) {
        for capability in operation.capabilities where !adapter.descriptor.supports(capability) {
            throw GatewayError.unsupportedOperation(provider: adapter.descriptor.kind, operation: capability.rawValue)
        }
    }
}
