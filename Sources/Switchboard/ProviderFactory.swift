import GatewayCore
import ProviderKit

/// The one place that knows every provider kind: builds adapters from configuration.
enum ProviderFactory {
    /// Descriptors of every kind this build supports.
    static var kinds: [ProviderDescriptor] { [] }

    static func make(_ config: GatewayConfig.ProviderConfig, context: ProviderFactoryContext) throws(ConfigError) -> any ProviderAdapter {
        throw ConfigError("providers.\(config.name).kind", "unknown provider kind '\(config.kind)'; known: \(kinds.map(\.kind).joined(separator: ", "))")
    }
}

/// What adapters may be built with.
struct ProviderFactoryContext {}
