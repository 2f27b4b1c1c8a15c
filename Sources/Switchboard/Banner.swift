import Foundation
import GatewayCore
import Support

/// The start-up banner on stdout: where the gateway listens, its dashboard, its data, its sessions, and — on first
/// start only — the admin key.
enum Banner {
    static func text(gateway: Gateway, port: Int) -> String {
        let host = gateway.config.host.contains(":") ? "[\(gateway.config.host)]" : gateway.config.host
        var lines = [
            "Switchboard \(Gateway.version) listening on http://\(host):\(port)",
            "  data:      \(gateway.config.dataDirectory)",
            "  dashboard: http://\(host):\(port)/  (sign in with an API key)",
            "  api:       http://\(host):\(port)/openapi.json",
        ]
        let sessions = gateway.sessions.allSessions
        if sessions.isEmpty {
            lines.append("  sessions:  none configured")
        } else {
            for session in sessions {
                let kind = gateway.sessions.provider(named: session.provider)?.kind ?? "?"
                lines.append("  session:   \(session.name) → \(session.provider) (\(kind))")
            }
        }
        if let key = gateway.createdAdminKey {
            lines.append("")
            lines.append("  Admin API key (shown once, stored only as a hash — keep it now):")
            lines.append("    \(key.value)")
            lines.append("  Try: curl -H 'Authorization: Bearer \(key.value)' http://\(host):\(port)/v1/sessions")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
