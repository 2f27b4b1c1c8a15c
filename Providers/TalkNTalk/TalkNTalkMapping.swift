import Foundation
import GroupModel
import JSONCore
import ProviderKit

/// TalkNTalk ↔ canonical. Errors are `{"detail": "…"}` (Django REST Framework); the status decides.
enum TalkNTalkMapping {
    static let kind = "talkntalk"

    /// The JSON of a successful answer, or the canonical error of a failed one.
    static func expect(_ reply: ProviderHTTP.Reply, context: String) throws(GatewayError) -> JSON {
        guard reply.isSuccess else { throw error(reply, context: context) }
        guard let json = reply.json else {
            throw GatewayError.providerRejected("TalkNTalk answered \(context) with something that is not JSON.").from(provider: kind)
        }
        return json
    }

    static func error(_ reply: ProviderHTTP.Reply, context: String) -> GatewayError {
        let detail = reply.json?["detail"]?.stringValue ?? reply.text
        var error: GatewayError
        switch reply.status {
        case 400: error = .providerRejected("TalkNTalk refused \(context) as invalid: \(detail)")
        case 401: error = .unauthenticated("TalkNTalk refused the gateway's API key (\(detail)); check this provider's credentials.apiKey.")
        case 403: error = .forbidden("TalkNTalk: the API key may not do \(context) (\(detail)).")
        case 404: error = .sessionNotFound("the TalkNTalk phone")
        case 409: error = .sessionNotReady("The TalkNTalk phone is not connected (\(detail)).")
        case 429: error = .rateLimited("TalkNTalk is throttling requests (\(detail)).", retryAfter: reply.retryAfter ?? 60)
        case 502: error = .providerRejected("WhatsApp rejected \(context) at TalkNTalk: \(detail)")
        case 500, 503, 504: error = .providerUnavailable("TalkNTalk failed \(context) (\(reply.status)): \(detail)", retryAfter: reply.retryAfter)
        default: error = .providerRejected("TalkNTalk refused \(context) (\(reply.status)): \(detail)")
        }
        if reply.status == 404 { error.message = "TalkNTalk has no such phone in this organisation (\(detail))." }
        return error.from(provider: kind).with(details: ["providerStatus": .int(Int64(reply.status))])
    }

    /// A listed group: `{chat_id, name, description, participant_count, is_admin}`.
    static func group(_ json: JSON, asOf: Date) -> Group? {
        guard let id = json["chat_id"]?.stringValue, id.hasSuffix("@g.us") else { return nil }
        return Group(
            id: id, name: json["name"]?.stringValue, description: json["description"]?.stringValue,
            participantCount: json["participant_count"]?.intValue.map(Int.init), provider: kind, asOf: asOf)
    }

    /// A phone's `status`: `open` (ready), `close`, `connecting`, `created` (never paired).
    static func sessionStatus(_ status: String?) -> SessionStatus {
        switch status?.lowercased() {
        case "open": .ready
        case "connecting": .connecting
        case "close", "closed": .disconnected
        case "created": .awaitingQR
        default: .unknown
        }
    }
}
