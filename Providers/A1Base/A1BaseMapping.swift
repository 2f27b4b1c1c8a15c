import Foundation
import GroupModel
import JSONCore
import ProviderKit

/// A1Base ↔ canonical. Error bodies are undocumented: `{status: "error", message}`, `{error}` and `{detail}` are
/// read, the HTTP status decides the code.
enum A1BaseMapping {
    static let kind = "a1base"

    /// The JSON of a successful answer, or the canonical error of a failed one (a 2xx with `status: "error"` too).
    static func expect(_ reply: ProviderHTTP.Reply, context: String) throws(GatewayError) -> JSON {
        let bodyFailed = reply.json?["status"]?.stringValue?.lowercased() == "error" || reply.json?["success"]?.boolValue == false
        guard reply.isSuccess, !bodyFailed else { throw error(reply, context: context) }
        guard let json = reply.json else {
            throw GatewayError.providerRejected("A1Base answered \(context) with something that is not JSON.").from(provider: kind)
        }
        return json
    }

    static func error(_ reply: ProviderHTTP.Reply, context: String) -> GatewayError {
        let body = reply.json
        let reason = body?["message"]?.stringValue ?? body?["error"]?.stringValue ?? body?["detail"]?.stringValue ?? reply.text
        let lower = reason.lowercased()
        var error: GatewayError
        switch reply.status {
        case 401: error = .unauthenticated("A1Base refused the gateway's key and secret (\(reason)); check credentials.apiKey and apiSecret.")
        case 403: error = lower.contains("admin") ? .notGroupAdmin("A1Base: \(reason)") : .forbidden("A1Base refused \(context): \(reason)")
        case 404: error = .groupNotFound("A1Base does not know that thread (\(reason)).")
        case 429: error = .rateLimited("A1Base is rate limiting \(context).", retryAfter: reply.retryAfter)
        case 500..<600: error = .providerUnavailable("A1Base failed \(context) (\(reply.status)): \(reason)", retryAfter: reply.retryAfter)
        default:
            if lower.contains("not a member") || lower.contains("not in the group") {
                error = .groupNotFound("A1Base: the agent is not a member of that group (\(reason)).")
            } else if lower.contains("admin") {
                error = .notGroupAdmin("A1Base: \(reason)")
            } else {
                error = .providerRejected("A1Base refused \(context): \(reason)")
            }
        }
        return error.from(provider: kind).with(details: ["providerStatus": .int(Int64(reply.status))])
    }

    static func unsupportedSetting() -> GatewayError {
        var error = GatewayError.unsupportedOperation(provider: kind, operation: Capability.groupsSettings.rawValue)
        error.message = "A1Base can set only 'announce' and 'locked'; 'approvalRequired' and 'memberAddMode' have no A1Base setting."
        return error.with(details: ["settings": ["approvalRequired", "memberAddMode"]])
    }

    /// Participants as A1Base wants them (E.164 with `+`); ids without a phone (an `@lid`) are `invalid_id`.
    static func phones(_ raw: [String]) -> ([(id: String, phone: String)], [ParticipantResult]) {
        let (valid, invalid) = ParticipantList.split(raw) { $0.phone != nil }
        return (valid.map { ($0.jid, $0.phone ?? "") }, invalid)
    }

    /// A member as A1Base reports it: a phone string or `{phone|phone_number|number, name?, role?|is_admin?}`.
    static func participant(_ json: JSON) -> Participant? {
        let text = json.stringValue ?? json["phone_number"]?.stringValue ?? json["phone"]?.stringValue ?? json["number"]?.stringValue
        guard let text, let user = UserID.parse(text) else { return nil }
        var role: ParticipantRole?
        if let raw = json["role"]?.stringValue?.lowercased() {
            role = raw.contains("super") ? .superadmin : raw.contains("admin") ? .admin : .member
        } else if let admin = json["is_admin"]?.boolValue {
            role = admin ? .admin : .member
        }
        return Participant(user: user, role: role)
    }

    /// `get-details`: `{account_id, chat_id, chat_name, participants}`.
    static func details(_ json: JSON, thread: String, asOf: Date) -> Group {
        let participants = json["participants"]?.arrayValue?.compactMap(participant)
        return Group(
            id: json["chat_id"]?.stringValue ?? thread, name: json["chat_name"]?.stringValue, participants: participants,
            settings: GroupSettings(), provider: kind, asOf: asOf)
    }

    /// The answer of `create`: `data: {thread_id, title, participants}`.
    static func created(_ data: JSON, thread: String, name: String, description: String?, asOf: Date) -> Group {
        Group(
            id: thread, name: data["title"]?.stringValue ?? name, description: description,
            participants: data["participants"]?.arrayValue?.compactMap(participant), provider: kind, asOf: asOf)
    }
}
