import GroupModel

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
}

/// The one way the gateway calls an adapter: capability check first, before any I/O.
public enum ProviderCall {
    public static func perform(
        _ operation: ProviderOperation, on binding: SessionBinding, with adapter: any ProviderAdapter
    ) async throws(GatewayError) -> OperationResult {
        for capability in operation.capabilities where !adapter.descriptor.supports(capability) {
            throw GatewayError.unsupportedOperation(provider: adapter.descriptor.kind, operation: capability.rawValue)
        }
        return try await adapter.perform(operation, on: binding)
    }
}
