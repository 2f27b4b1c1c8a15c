import Foundation
import GroupModel
import JSONCore
import Webhooks

extension GatewayConfig {
    /// The `webhooks` section: the address policy, the retry schedule, and subscribers declared in the file.
    mutating func readWebhooks(_ reader: ConfigReader, environment: [String: String]) throws(ConfigError) {
        try reader.allowOnly(["allowPrivateTargets", "attemptTimeoutSeconds", "retry", "disableAfterSeconds", "rotationOverlapSeconds", "maxSubscriptions", "subscribers"])
        var settings = WebhookSettings()
        settings.allowPrivateTargets = try reader.bool("allowPrivateTargets") ?? false
        settings.attemptTimeout = try reader.double("attemptTimeoutSeconds", range: 0.1...120) ?? settings.attemptTimeout
        settings.disableAfter = try reader.double("disableAfterSeconds", range: 1...31_536_000) ?? settings.disableAfter
        settings.rotationOverlap = try reader.double("rotationOverlapSeconds", range: 0...2_592_000) ?? settings.rotationOverlap
        settings.maxSubscriptions = try reader.int("maxSubscriptions", range: 1...10_000) ?? settings.maxSubscriptions
        if let retry = try reader.child("retry") {
            try retry.allowOnly(["firstDelaySeconds", "factor", "maxDelaySeconds", "jitter", "windowSeconds"])
            settings.firstRetryDelay = try retry.double("firstDelaySeconds", range: 0.001...86_400) ?? settings.firstRetryDelay
            settings.retryFactor = try retry.double("factor", range: 1...10) ?? settings.retryFactor
            settings.maxRetryDelay = try retry.double("maxDelaySeconds", range: 0.001...86_400) ?? settings.maxRetryDelay
            settings.jitter = try retry.double("jitter", range: 0...0.5) ?? settings.jitter
            settings.retryWindow = try retry.double("windowSeconds", range: 0.001...604_800) ?? settings.retryWindow
        }
        webhooks = settings
        if let declared = try reader.child("subscribers") {
            for member in declared.object {
                let (id, value) = (member.key, member.value)
                let path = "webhooks.subscribers.\(id)"
                guard id.range(of: "^[A-Za-z0-9_-]{1,64}$", options: .regularExpression) != nil else {
                    throw ConfigError(path, "ids are 1–64 letters, digits, '_' or '-'")
                }
                let entry = try ConfigReader(value, path: path, environment: environment)
                try entry.allowOnly(["url", "events", "sessions", "secret"])
                guard let url = try entry.string("url") else { throw ConfigError(path + ".url", "is required") }
                guard let secretText = try entry.string("secret") else { throw ConfigError(path + ".secret", "is required (whsec_…, e.g. from ${ENV})") }
                guard let secret = WebhookSecret(secretText) else { throw ConfigError(path + ".secret", "must be whsec_ followed by the base64 of 24–64 bytes") }
                do throws(GatewayError) {
                    _ = try TargetPolicy.validateForm(url)
                } catch {
                    throw ConfigError(path + ".url", error.message)
                }
                subscribers.append(
                    SubscriberConfig(id: id, url: url, events: try entry.strings("events"), sessions: try entry.strings("sessions"), secret: secret))
            }
        }
    }
}

extension ConfigReader {
    /// An optional array of strings.
    func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else { throw ConfigError(at(key), "must be an array of strings") }
        return array.compactMap(\.stringValue)
    }
}
