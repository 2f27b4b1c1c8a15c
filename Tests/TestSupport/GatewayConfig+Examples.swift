import Foundation
import Switchboard

extension GatewayConfig {
    /// `examples/config/waha.json` with its `${ENV}` values filled in: session `team` on the WAHA at `url` (its
    /// session `default`), with the credentials the contract fixtures were recorded with unless others are given.
    public static func wahaExample(url: String, apiKey: String = "test-key", webhookSecret: String = "test-secret") throws -> GatewayConfig {
        try GatewayConfig.load(
            file: Script.repositoryRoot + "/examples/config/waha.json",
            environment: ["WAHA_URL": url, "WAHA_API_KEY": apiKey, "WAHA_WEBHOOK_SECRET": webhookSecret, "WAHA_SESSION": "default"])
    }
}
