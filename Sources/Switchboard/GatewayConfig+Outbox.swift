import Foundation
import GatewayCore
import JSONCore
import Support

extension GatewayConfig {
    /// The `sends` section: how long a send request waits for the provider, retries, unknown outcomes, the
    /// circuit breaker, and per-provider pacing (`pacing: {"<provider>": {"intervalSeconds", "jitter"}}`).
    mutating func readSends(_ reader: ConfigReader, environment: [String: String]) throws(ConfigError) {
        try reader.allowOnly(["answerWithinSeconds", "retry", "maxAttempts", "unknownOutcome", "concurrency", "circuitBreaker", "pacing"])
        var settings = OutboxSettings()
        settings.answerWithin = try reader.double("answerWithinSeconds", range: 0...60) ?? settings.answerWithin
        settings.maxAttempts = try reader.int("maxAttempts", range: 1...1000) ?? settings.maxAttempts
        settings.concurrency = try reader.int("concurrency", range: 1...1024) ?? settings.concurrency
        if let retry = try reader.child("retry") {
            try retry.allowOnly(["firstDelaySeconds", "factor", "maxDelaySeconds", "jitter", "windowSeconds"])
            settings.retry.firstDelay = try retry.double("firstDelaySeconds", range: 0.001...86_400) ?? settings.retry.firstDelay
            settings.retry.factor = try retry.double("factor", range: 1...10) ?? settings.retry.factor
            settings.retry.maxDelay = try retry.double("maxDelaySeconds", range: 0.001...86_400) ?? settings.retry.maxDelay
            settings.retry.jitter = try retry.double("jitter", range: 0...0.5) ?? settings.retry.jitter
            settings.retryWindow = try retry.double("windowSeconds", range: 1...604_800) ?? settings.retryWindow
        }
        if let unknown = try reader.child("unknownOutcome") {
            try unknown.allowOnly(["graceSeconds", "withoutLookup"])
            settings.unknownGrace = try unknown.double("graceSeconds", range: 0...86_400) ?? settings.unknownGrace
            if let policy = try unknown.string("withoutLookup") {
                guard let parsed = OutboxSettings.UnknownOutcome(rawValue: policy) else {
                    throw ConfigError("sends.unknownOutcome.withoutLookup", "must be one of: \(OutboxSettings.UnknownOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.unknownWithoutLookup = parsed
            }
        }
        if let breaker = try reader.child("circuitBreaker") {
            try breaker.allowOnly(["failureThreshold", "openSeconds"])
            settings.breakerThreshold = try breaker.int("failureThreshold", range: 1...1000) ?? settings.breakerThreshold
            settings.breakerOpenSeconds = try breaker.double("openSeconds", range: 0.1...3600) ?? settings.breakerOpenSeconds
        }
        if let pacing = try reader.child("pacing") {
            for member in pacing.object {
                let path = "sends.pacing.\(member.key)"
                guard providers.contains(where: { $0.name == member.key }) else { throw ConfigError(path, "names a provider that is not in 'providers'") }
                let entry = try ConfigReader(member.value, path: path, environment: environment)
                try entry.allowOnly(["intervalSeconds", "jitter"])
                settings.pacing[member.key] = Pacing(
                    interval: try entry.double("intervalSeconds", range: 0...3600) ?? 0, jitter: try entry.double("jitter", range: 0...0.9) ?? 0)
            }
        }
        sends = settings
    }
}
