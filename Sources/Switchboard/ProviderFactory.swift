import CurlTransport
import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import NativeEngine
import ProviderKit
import Storage
import Support
import A1BaseProvider
import TalkNTalkProvider
import WAHAProvider
import WalyticProvider
import WaxumProvider

/// The one place that knows every provider kind.
public enum ProviderCatalog {
    /// Every remote provider kind: descriptor, adapter factory, webhook handling.
    public static let remote: [ProviderKindEntry] = [
        ProviderKindEntry(descriptor: WAHAAdapter.descriptor, webhook: WAHAWebhook(), webhookSecretKey: "webhookSecret") { setup in
            WAHAAdapter(baseURL: setup.baseURL, apiKey: setup.credentials["apiKey"], timeout: setup.timeout, transport: setup.transport, clock: setup.clock)
        },
        ProviderKindEntry(descriptor: WaxumAdapter.descriptor, webhook: WaxumWebhook(), webhookSecretKey: "webhookSecret") { setup throws(GatewayError) in
            guard let token = setup.credentials["token"] else {
                throw GatewayError.invalidRequest("waxum needs credentials.token (its superadmin or a session token).")
            }
            return WaxumAdapter(baseURL: setup.baseURL, token: token, timeout: setup.timeout, transport: setup.transport, clock: setup.clock)
        },
        ProviderKindEntry(descriptor: WalyticAdapter.descriptor, webhook: WalyticWebhook(), webhookSecretKey: "webhookToken") { setup throws(GatewayError) in
            guard setup.credentials["apiKey"] != nil || setup.credentials["jwt"] != nil else {
                throw GatewayError.invalidRequest("Walytic needs credentials.apiKey (sent as x-api-key) or credentials.jwt (sent as Bearer).")
            }
            return WalyticAdapter(
                baseURL: setup.baseURL, apiKey: setup.credentials["apiKey"], jwt: setup.credentials["jwt"], timeout: setup.timeout,
                transport: setup.transport, clock: setup.clock)
        },
        ProviderKindEntry(descriptor: TalkNTalkAdapter.descriptor, webhook: TalkNTalkWebhook(), webhookSecretKey: "webhookSecret") { setup throws(GatewayError) in
            guard let key = setup.credentials["apiKey"] else { throw GatewayError.invalidRequest("TalkNTalk needs credentials.apiKey (tk_live_…).") }
            return TalkNTalkAdapter(baseURL: setup.baseURL, apiKey: key, timeout: setup.timeout, transport: setup.transport, clock: setup.clock)
        },
        ProviderKindEntry(descriptor: A1BaseAdapter.descriptor, webhook: A1BaseWebhook(), webhookSecretKey: "apiSecret") { setup throws(GatewayError) in
            guard let key = setup.credentials["apiKey"], let secret = setup.credentials["apiSecret"] else {
                throw GatewayError.invalidRequest("A1Base needs credentials.apiKey and credentials.apiSecret.")
            }
            return A1BaseAdapter(baseURL: setup.baseURL, apiKey: key, apiSecret: secret, timeout: setup.timeout, transport: setup.transport, clock: setup.clock)
        },
    ]

    /// Descriptors of every kind this build supports, native first.
    public static var descriptors: [ProviderDescriptor] { [NativeEngine.descriptor] + remote.map(\.descriptor) }

    /// Every provider's tables, applied with the gateway's.
    static var migrations: [Migration] { NativeSchema.migrations }

    public static func entry(_ kind: String) -> ProviderKindEntry? { remote.first { $0.kind == kind } }
}

/// Builds configured providers.
enum ProviderFactory {
    static func make(_ config: GatewayConfig.ProviderConfig, context: ProviderFactoryContext) throws(ConfigError) -> any ProviderAdapter {
        let path = "providers.\(config.name)"
        if config.kind == NativeEngine.kind {
            guard config.baseURL == nil, config.credentials.isEmpty, config.options.isEmpty else {
                throw ConfigError(path, "the native engine takes no baseUrl, credentials or options")
            }
            return context.native
        }
        return try makeRemote(config, transport: context.transport, clock: context.clock)
    }

    /// A remote provider's adapter, with the start's checks: a known kind, a base URL, the credentials it needs.
    static func makeRemote(_ config: GatewayConfig.ProviderConfig, transport: any HTTPTransport, clock: any WallClock) throws(ConfigError) -> any ProviderAdapter {
        let path = "providers.\(config.name)"
        guard let entry = ProviderCatalog.entry(config.kind) else {
            throw ConfigError(path + ".kind", "unknown provider kind '\(config.kind)'; known: \(ProviderCatalog.descriptors.map(\.kind).joined(separator: ", "))")
        }
        guard let baseURL = config.baseURL else { throw ConfigError(path + ".baseUrl", "is required for \(config.kind)") }
        do {
            return try entry.makeAdapter(
                AdapterSetup(
                    name: config.name, baseURL: baseURL, credentials: config.credentials, timeout: config.requestTimeout, transport: transport, clock: clock))
        } catch {
            throw ConfigError(path + ".credentials", error.message)
        }
    }
}

/// What adapters are built with.
struct ProviderFactoryContext {
    /// The one native engine (every `native` provider entry shares it: there is one native world per gateway).
    let native: NativeEngine
    /// One libcurl transport for every remote provider (its connection cache serves them all).
    let transport: any HTTPTransport
    let clock: any WallClock
}
