import Foundation
import GroupModel
import JSONCore
import ProviderKit

/// waxum ↔ canonical: ids, groups, participant outcomes, session statuses, errors.
enum WaxumMapping {
    static let kind = "waxum"

    /// waxum takes `…@s.whatsapp.net` (it resolves phone JIDs to `@lid` itself) or `…@lid`.
    static func waxumUser(_ user: UserID) -> String { user.jid }

    static func participant(_ jid: String, phone: String?, role: ParticipantRole) -> Participant {
        guard let user = UserID.parse(jid) else { return Participant(id: jid, phone: phone, role: role) }
        return Participant(user: user.withPhone(phone), role: role)
    }

    static func group(_ json: JSON, asOf: Date, withParticipants: Bool) -> Group? {
        let info = WaxumWire.GroupInfo(json)
        guard let jid = info.jid else { return nil }
        let participants = info.participants?.map { participant($0.jid, phone: $0.phone, role: $0.role) }
        return Group(
            id: jid, name: info.name, description: info.topic, owner: info.owner.flatMap(UserID.parse)?.jid ?? info.owner, createdAt: info.createdAt,
            participantCount: info.participantCount ?? participants?.count, participants: withParticipants ? participants : nil, provider: kind,
            asOf: asOf)
    }

    /// The Debug names of the library's participant statuses. Unknown names are not read as success.
    static func outcome(_ status: String?, action: ParticipantAction) -> ParticipantOutcome {
        let text = (status ?? "").lowercased().replacingOccurrences(of: "_", with: "")
        switch text {
        case "added", "success", "ok", "200": return action == .add ? .added : action.successOutcome
        case "removed": return .removed
        case "promoted": return .promoted
        case "demoted": return .demoted
        case "alreadyexists", "alreadymember", "alreadyingroup", "conflict", "409": return .alreadyMember
        case "notfound", "notonwhatsapp", "notregistered", "404": return .notFound
        case "notmember", "notingroup", "notparticipant": return .notMember
        case "invalidjid", "invalid", "badrequest", "400": return .invalidId
        case "requested", "pendingapproval", "approvalrequired": return .pendingApproval
        default: return .forbidden  // "Forbidden", "NotAuthorized", "PrivacyRestricted", "403", or unknown: not a success
        }
    }

    /// `disconnected`, `connecting`, `waiting_for_qr`, `waiting_for_pair_code`, `connected` (not logged in),
    /// `logged_in`.
    static func sessionStatus(_ status: String?, loggedIn: Bool?) -> SessionStatus {
        switch status?.lowercased() {
        case "logged_in": .ready
        case "connected": loggedIn == true ? .ready : .connecting
        case "connecting": .connecting
        case "waiting_for_qr": .awaitingQR
        case "waiting_for_pair_code": .awaitingPairCode
        case "disconnected": .disconnected
        case "logged_out": .loggedOut
        default: .unknown
        }
    }

    /// The error table (src/error.rs). A 503 is ambiguous — not connected, or (group handlers) an unknown
    /// session — and is settled by the adapter with a session look-up before it gets here.
    static func error(_ reply: ProviderHTTP.Reply, context: String) -> GatewayError {
        let reason = WaxumWire.errorMessage(reply.json) ?? reply.text
        let lower = reason.lowercased()
        var error: GatewayError
        switch reply.status {
        case 400: error = .invalidRequest("waxum refused \(context): \(reason)")
        case 401: error = .unauthenticated("waxum refused the gateway's token; check this provider's credentials.token.")
        case 403: error = .forbidden("waxum refused \(context) (the token is not allowed this session or route): \(reason)")
        case 404:
            if lower.contains("session") {
                error = .sessionNotFound("the waxum session")
                error.message = "waxum has no such session (\(context))."
            } else {
                error = .groupNotFound("waxum does not know the target of \(context): \(reason)")
            }
        case 409: error = .conflict("waxum refused \(context): \(reason)")
        case 429: error = .rateLimited("waxum is rate limiting \(context): \(reason)", retryAfter: reply.retryAfter)
        case 500:
            if lower.contains("rate-overlimit") || lower.contains("rate overlimit") || lower.contains("429") {
                error = .rateLimited("WhatsApp rate-limited \(context) (rate-overlimit).", retryAfter: reply.retryAfter ?? 60)
            } else if lower.contains("not-authorized") || lower.contains("not authorized") || lower.contains("forbidden") || lower.contains("not admin")
                || lower.contains("403")
            {
                error = .notGroupAdmin("WhatsApp refused \(context): the session is not a group admin.")
            } else if lower.contains("item-not-found") || lower.contains("group not found") {
                error = .groupNotFound("WhatsApp does not know the group (\(context)).")
            } else {
                error = .providerRejected("waxum failed \(context): \(reason)")
            }
        case 503: error = .sessionNotReady("The waxum session is not connected (\(reason)).")
        case 502, 504: error = .providerUnavailable("waxum is unavailable (\(reply.status)).", retryAfter: reply.retryAfter)
        default: error = .providerRejected("waxum answered \(reply.status) to \(context): \(reason)")
        }
        return error.from(provider: kind).with(details: ["providerStatus": .int(Int64(reply.status))])
    }
}
