import Foundation
import GatewayAPI
import GatewayCore
import GroupModel
import HTTPServer
import JSONCore
import Support
import Webhooks

/// The gateway's configuration (DESIGN §8). Every key has a default, so a partial file (or none) is valid.
public struct GatewayConfig: Sendable {
    public struct ProviderConfig: Sendable {
        public var name: String
        public var kind: String
        public var baseURL: String?
        /// Credentials by the keys of CONTRACT-FORMAT (`apiKey`, `token`, `apiSecret`, `jwt`, …).
        public var credentials: [String: Secret]
        public var webhookSecret: Secret?
        public var connectTimeout: Double
        public var requestTimeout: Double
        /// Kind-specific options, validated by the kind's factory.
        public var options: JSONObject
    }

    /// A webhook subscriber from the config: its id and secret are fixed there, so it survives a fresh database.
    public struct SubscriberConfig: Sendable {
        public var id: String
        public var url: String
        public var events: [String]?
        public var sessions: [String]?
        public var secret: WebhookSecret
    }

    public struct SessionConfig: Sendable {
        public var name: String
        public var provider: String
        public var account: JSONObject
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var eventLoops: Int? = nil
    public var maxBodyBytes = 1 << 20
    public var dataDirectory = "./.switchboard"
    public var logLevel = LogLevel.info
    public var logFormat = LogFormat.json
    public var accessLog = true
    public var providers: [ProviderConfig] = []
    public var sessions: [SessionConfig] = []
    /// Outbound webhook delivery (`webhooks` in the file).
    public var webhooks = WebhookSettings()
    /// How sends reach providers (`sends` in the file): outbox retries, unknown outcomes, pacing, circuit breaker.
    public var sends = OutboxSettings()
    /// Subscribers declared in the file (`webhooks.subscribers`): created or updated at start.
    public var subscribers: [SubscriberConfig] = []
    /// Bearer JWTs (`auth.jwt`); nil: only API keys are accepted.
    public var jwt: JWTVerifier.Settings? = nil
    /// Per-caller request rates (`auth.rateLimit`, `adminRateLimit`, `keyRateLimits`).
    public var rateLimits = RateLimiter.Settings()

    public init() {}

    /// The embedded default: used when no config file is given.
    public static var embeddedDefault: GatewayConfig { GatewayConfig().withDefaults() }

    /// The session the embedded default creates, on the native engine.
    public static let defaultSession = SessionConfig(name: "default", provider: "native", account: ["phone": "+15550000000"])

    /// Fills in what a partial file leaves out: the `native` provider is always there (so native sessions can be
    /// created at run time), and no sessions at all means the native `default` session (DESIGN §8).
    func withDefaults() -> GatewayConfig {
        var config = self
        config.addNativeProviderIfMissing()
        if config.sessions.isEmpty && config.providers.first(where: { $0.name == "native" })?.kind == "native" {
            config.sessions = [GatewayConfig.defaultSession]
        }
        return config
    }

    /// The `native` provider is always configured, so sessions may name it without declaring it.
    mutating func addNativeProviderIfMissing() {
        guard !providers.contains(where: { $0.name == "native" }) else { return }
        providers.append(
            ProviderConfig(
                name: "native", kind: "native", baseURL: nil, credentials: [:], webhookSecret: nil, connectTimeout: 5, requestTimeout: 30,
                options: JSONObject()))
    }

    // MARK: - Loading

    public static func load(file path: String, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("", "cannot read config file '\(path)'") }
        let json: JSON
        do {
            json = try JSONParser.parse(Array(data))
        } catch {
            throw ConfigError("", "'\(path)' is not valid JSON: \(error.description)")
        }
        return try parse(json, environment: environment)
    }

    public static func parse(_ json: JSON, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        let root = try ConfigReader(json, path: "", environment: environment)
        try root.allowOnly(["$schema", "server", "data", "log", "providers", "sessions", "webhooks", "sends", "auth"])
        var config = GatewayConfig()
        if let server = try root.child("server") {
            try server.allowOnly(["host", "port", "eventLoops", "maxBodyBytes"])
            config.host = try server.string("host") ?? config.host
            config.port = try server.int("port", range: 0...65535) ?? config.port
            config.eventLoops = try server.int("eventLoops", range: 1...64)
            config.maxBodyBytes = try server.int("maxBodyBytes", range: 1024...(64 << 20)) ?? config.maxBodyBytes
        }
        config.dataDirectory = try root.string("data") ?? config.dataDirectory
        if let log = try root.child("log") {
            try log.allowOnly(["level", "format", "access"])
            if let level = try log.string("level") {
                guard let parsed = LogLevel(name: level) else { throw ConfigError("log.level", "must be one of trace, debug, info, notice, warning, error, critical") }
                config.logLevel = parsed
            }
            if let format = try log.string("format") {
                guard let parsed = LogFormat(rawValue: format) else { throw ConfigError("log.format", "must be json or text") }
                config.logFormat = parsed
            }
            config.accessLog = try log.bool("access") ?? true
        }
        if let providers = try root.child("providers") {
            for member in providers.object {
                config.providers.append(try parseProvider(member.key, member.value, environment: environment))
            }
        }
        config.addNativeProviderIfMissing()
        if let sessions = try root.child("sessions") {
            for member in sessions.object {
                let path = "sessions.\(member.key)"
                guard Identifiers.isValidSessionName(member.key) else {
                    throw ConfigError(path, "session names are lower-case letters, digits, '_' and '-', starting with a letter or digit (max 64)")
                }
                let session = try ConfigReader(member.value, path: path, environment: environment)
                try session.allowOnly(["provider", "account"])
                guard let provider = try session.string("provider") else { throw ConfigError(path + ".provider", "is required") }
                guard config.providers.contains(where: { $0.name == provider }) else {
                    throw ConfigError(path + ".provider", "names provider '\(provider)', which is not in 'providers'")
                }
                config.sessions.append(SessionConfig(name: member.key, provider: provider, account: try session.interpolatedObject("account") ?? JSONObject()))
            }
        }
        if let webhooks = try root.child("webhooks") {
            try config.readWebhooks(webhooks, environment: environment)
        }
        if let sends = try root.child("sends") {
            try config.readSends(sends, environment: environment)
        }
        if let auth = try root.child("auth") {
            try config.readAuth(auth)
        }
        return config.withDefaults()
    }

    static func parseProvider(_ name: String, _ json: JSON, environment: [String: String]) throws(ConfigError) -> ProviderConfig {
        let path = "providers.\(name)"
        guard Identifiers.isValidSessionName(name) else { throw ConfigError(path, "provider names follow the session name rules") }
        let reader = try ConfigReader(json, path: path, environment: environment)
        try reader.allowOnly(["kind", "baseUrl", "credentials", "webhookSecret", "timeouts", "options"])
        guard let kind = try reader.string("kind") else { throw ConfigError(path + ".kind", "is required") }
        let baseURL = try reader.string("baseUrl")
        if let baseURL {
            guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
                throw ConfigError(path + ".baseUrl", "must be an absolute http(s) URL")
            }
        }
        var credentials: [String: Secret] = [:]
        if let object = try reader.interpolatedObject("credentials") {
            for member in object {
                guard let value = member.value.stringValue else { throw ConfigError("\(path).credentials.\(member.key)", "must be a string") }
                credentials[member.key] = Secret(value)
            }
        }
        var connect = 5.0
        var request = 30.0
        if let timeouts = try reader.child("timeouts") {
            try timeouts.allowOnly(["connectSeconds", "requestSeconds"])
            connect = try timeouts.double("connectSeconds", range: 0.1...60) ?? connect
            request = try timeouts.double("requestSeconds", range: 0.5...300) ?? request
        }
        return ProviderConfig(
            name: name, kind: kind, baseURL: baseURL, credentials: credentials, webhookSecret: try reader.secret("webhookSecret"),
            connectTimeout: connect, requestTimeout: request, options: try reader.interpolatedObject("options") ?? JSONObject())
    }
}
