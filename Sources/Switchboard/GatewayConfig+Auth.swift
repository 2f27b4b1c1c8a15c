import Foundation
import GatewayAPI
import JSONCore
import Support

extension GatewayConfig {
    /// The `auth` section: JWTs as a second way in (`jwt: {secret, leewaySeconds, issuer, audience}`) and per-caller
    /// rate limits (`rateLimit` for scoped keys and JWTs, `adminRateLimit`, `keyRateLimits: {"<key id>": …}`; each
    /// `{"perSecond", "burst"}` or `false` for none).
    mutating func readAuth(_ reader: ConfigReader) throws(ConfigError) {
        try reader.allowOnly(["jwt", "rateLimit", "adminRateLimit", "keyRateLimits"])
        if let jwt = try reader.child("jwt") {
            try jwt.allowOnly(["secret", "leewaySeconds", "issuer", "audience"])
            guard let secret = try jwt.secret("secret") else { throw ConfigError(jwt.at("secret"), "is required to accept JWTs") }
            guard secret.value.utf8.count >= 32 else { throw ConfigError(jwt.at("secret"), "must be at least 32 bytes for HS256") }
            var settings = JWTVerifier.Settings(secret: secret)
            settings.leeway = try jwt.double("leewaySeconds", range: 0...300) ?? settings.leeway
            settings.issuer = try jwt.string("issuer")
            settings.audience = try jwt.string("audience")
            self.jwt = settings
        }
        if reader.object["rateLimit"] != nil { rateLimits.scoped = try GatewayConfig.policy(reader, "rateLimit") }
        if reader.object["adminRateLimit"] != nil { rateLimits.admin = try GatewayConfig.policy(reader, "adminRateLimit") }
        if let callers = try reader.child("keyRateLimits") {
            for member in callers.object {
                guard let policy = try GatewayConfig.policy(callers, member.key) else {
                    throw ConfigError(callers.at(member.key), "must be {\"perSecond\", \"burst\"}; to lift a key's limit, give it a large one")
                }
                rateLimits.callers[member.key] = policy
            }
        }
    }

    /// `{"perSecond", "burst"}`, or nil for `false` (no limit).
    private static func policy(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> RateLimiter.Policy? {
        if reader.object[key]?.boolValue == false { return nil }
        guard let entry = try reader.child(key) else { throw ConfigError(reader.at(key), "must be {\"perSecond\", \"burst\"} or false") }
        try entry.allowOnly(["perSecond", "burst"])
        guard let perSecond = try entry.double("perSecond", range: 0.001...1_000_000) else { throw ConfigError(entry.at("perSecond"), "is required") }
        let burst = try entry.int("burst", range: 1...1_000_000) ?? max(1, Int(perSecond.rounded(.up)))
        return RateLimiter.Policy(perSecond: perSecond, burst: burst)
    }
}
