import Foundation
import GroupModel
import JSONCore
import ProviderKit

/// Walytic ↔ canonical: its errors come as `{success: false, error}` — often with HTTP 200 — so the body decides.
enum WalyticMapping {
    static let kind = "walytic"

    /// The canonical error for a failed answer, whatever its status; nil when the answer is a success.
    static func error(_ reply: ProviderHTTP.Reply, context: String) -> GatewayError? {
        let text = WalyticWire.failure(reply.json)
        guard text != nil || !reply.isSuccess else { return nil }
        let reason = text ?? reply.json?["message"]?.stringValue ?? reply.json?["error"]?.stringValue ?? reply.text
        var error: GatewayError
        if let known = knownFailure(reason) {
            error = known
        } else {
            switch reply.status {
            case 401: error = .unauthenticated("Walytic refused the gateway's credentials; check this provider's credentials.apiKey or jwt.")
            case 403: error = .forbidden("Walytic refused \(context): \(reason)")
            case 404: error = .sessionNotFound("the Walytic session")
            case 429: error = .rateLimited("Walytic is rate limiting \(context).", retryAfter: reply.retryAfter)
            case 500..<600: error = .providerUnavailable("Walytic failed \(context) (\(reply.status)): \(reason)", retryAfter: reply.retryAfter)
            default: error = .providerRejected("Walytic refused \(context): \(reason)")
            }
            if reply.status == 404 { error.message = "Walytic has no such session (\(context))." }
        }
        return error.from(provider: kind).with(details: ["providerStatus": .int(Int64(reply.status))])
    }

    /// The canonical error Walytic's error text stands for, when the text says something known (the documented
    /// "not found or not joined" and "not connected" texts, quota).
    static func knownFailure(_ reason: String) -> GatewayError? {
        let lower = reason.lowercased()
        if lower.contains("not found or not joined") || lower.contains("group") && lower.contains("not found") {
            return .groupNotFound("Walytic: \(reason)")
        }
        if lower.contains("not connected") || lower.contains("session not found") || lower.contains("disconnected") {
            return .sessionNotReady("The Walytic session is not connected (\(reason)).")
        }
        if lower.contains("quota") || lower.contains("limit exceeded") || lower.contains("limit reached") {
            return .quotaExceeded("Walytic: the subscription's message quota is used up (\(reason)).")
        }
        return nil
    }

    static func group(_ entry: WalyticWire.GroupEntry, asOf: Date) -> Group {
        Group(id: entry.id, name: entry.name, description: entry.description, participantCount: entry.size, provider: kind, asOf: asOf)
    }

    static func sessionStatus(_ json: JSON?) -> SessionStatus {
        let raw = (json?["status"] ?? json?["state"] ?? json?["data"]?["status"])?.stringValue?.lowercased()
        if json?["connected"]?.boolValue == true { return .ready }
        switch raw {
        case "connected", "open", "ready", "authenticated": return .ready
        case "connecting": return .connecting
        case "qr", "qrcode", "scan_qr", "waiting_for_qr": return .awaitingQR
        case "disconnected", "close", "closed": return .disconnected
        case "logged_out", "loggedout": return .loggedOut
        default: return .unknown
        }
    }
}
