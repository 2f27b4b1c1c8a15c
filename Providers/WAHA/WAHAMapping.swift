import Foundation
import GroupModel
import JSONCore
import ProviderKit

/// WAHA ↔ canonical: user ids, groups, session statuses, and the error table.
enum WAHAMapping {
    static let kind = "waha"

    // MARK: - Users

    /// WAHA's user form: `<digits>@c.us` (LIDs stay `@lid`).
    static func wahaUser(_ user: UserID) -> String { user.cUs }

    /// A canonical user from `…@c.us`, `…@s.whatsapp.net` or `…@lid` (a `_participant` message-id suffix is not
    /// a user id).
    static func user(_ id: String) -> UserID? { UserID.parse(id) }

    static func participant(_ id: String, _ role: ParticipantRole) -> Participant {
        if let user = user(id) { return Participant(user: user, role: role) }
        return Participant(id: id, phone: nil, role: role)
    }

    // MARK: - Groups

    static func group(_ raw: JSON, asOf: Date, withParticipants: Bool) -> Group? {
        let meta = WAHAWire.GroupMetadata(raw)
        guard let id = meta.id, id.hasSuffix("@g.us") else { return nil }
        let participants = meta.participants?.map { participant($0.id, $0.role) }
        return Group(
            id: id, name: meta.subject, description: meta.description, owner: meta.owner.flatMap(user)?.jid ?? meta.owner,
            createdAt: meta.creation, participantCount: participants?.count ?? meta.size, participants: withParticipants ? participants : nil,
            settings: GroupSettings(announce: meta.announce, locked: meta.restrict, approvalRequired: meta.approval, memberAddMode: meta.memberAddMode),
            provider: kind, asOf: asOf)
    }

    // MARK: - Sessions

    /// WAHA session statuses (REFERENCE §5): STOPPED, STARTING, SCAN_QR_CODE, PASSKEY_*, WORKING, FAILED.
    static func sessionStatus(_ status: String?) -> SessionStatus {
        switch status?.uppercased() {
        case "WORKING": .ready
        case "STARTING": .connecting
        case "SCAN_QR_CODE": .awaitingQR
        case "PASSKEY_REQUIRED", "PASSKEY_CONFIRMATION_REQUIRED": .awaitingPairCode
        case "STOPPED": .disconnected
        case "FAILED": .failed
        default: .unknown
        }
    }

    // MARK: - Errors

    /// WAHA's answers as canonical errors. WAHA puts the real reason inside bodies: `{statusCode, message,
    /// error}` (NestJS), `{error, session, status, expected}` (422 session state), and 500 `{exception: {message}}`
    /// carrying WhatsApp's own errors such as `rate-overlimit`.
    static func error(_ reply: ProviderHTTP.Reply, context: String) -> GatewayError {
        let body = reply.json
        let reason = [
            body?["exception"]?["message"]?.stringValue, body?["message"]?.stringValue, body?["message"]?[0]?.stringValue,
            body?["error"]?.stringValue, body?["error"]?["message"]?.stringValue,
        ].compactMap { $0 }.first ?? reply.text
        let lower = reason.lowercased()
        let exceptionData = body?["exception"]?["data"]?.intValue
        var error: GatewayError
        switch reply.status {
        case 400: error = .invalidRequest("WAHA refused the request (\(context)): \(reason)")
        case 401: error = .unauthenticated("WAHA refused the gateway's API key; check this provider's credentials.apiKey.")
        case 403: error = .forbidden("WAHA refused \(context): \(reason)")
        case 404 where body?["error"]?["key"]?.stringValue == "FILE_NOT_FOUND" || lower.contains("file not found"):
            error = .invalidRequest("WAHA could not fetch the media of \(context): \(reason). Check that 'media.url' is publicly reachable.")
                .with(details: ["field": "media.url"])
        case 404:
            error = lower.contains("session")
                ? .sessionNotFound("the WAHA session") : .groupNotFound("WAHA does not know the target of \(context): \(reason)")
            if lower.contains("session") { error.message = "WAHA has no such session (\(context))." }
        case 422:
            if lower.contains("not implemented") || lower.contains("plus version") || lower.contains("not supported") {
                var unsupported = GatewayError.unsupportedOperation(provider: kind, operation: context)
                unsupported.message = "WAHA's engine does not support \(context): \(reason)"
                error = unsupported
            } else {
                error = .sessionNotReady("The WAHA session is not ready (\(reason)).")
            }
        case 429: error = .rateLimited("WAHA is rate limiting \(context).", retryAfter: reply.retryAfter)
        case 500:
            if lower.contains("rate-overlimit") || exceptionData == 429 {
                error = .rateLimited("WhatsApp rate-limited \(context) (rate-overlimit).", retryAfter: reply.retryAfter ?? 60)
            } else if lower.contains("not-authorized") || lower.contains("not authorized") || lower.contains("forbidden") || lower.contains("not admin") {
                error = .notGroupAdmin("WhatsApp refused \(context): the session is not a group admin.")
            } else if lower.contains("item-not-found") || lower.contains("group not found") || lower.contains("not-found") {
                error = .groupNotFound("WhatsApp does not know the group (\(context)).")
            } else {
                error = .providerRejected("WAHA failed \(context): \(reason)")
            }
        case 502, 503, 504: error = .providerUnavailable("WAHA is unavailable (\(reply.status)).", retryAfter: reply.retryAfter)
        default: error = .providerRejected("WAHA answered \(reply.status) to \(context): \(reason)")
        }
        return error.from(provider: kind).with(details: ["providerStatus": .int(Int64(reply.status))])
    }

    /// Subject, description and settings endpoints answer `true`, or `false` when the session lacks permission.
    static func isFalse(_ reply: ProviderHTTP.Reply) -> Bool {
        reply.json?.boolValue == false || reply.json?["success"]?.boolValue == false
    }
}
