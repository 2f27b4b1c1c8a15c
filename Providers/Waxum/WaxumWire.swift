import Foundation
import GroupModel
import JSONCore

/// waxum's JSON in both its documented and its actual (v0.9.x code) shapes (REFERENCE §3, "differences
/// between docs and code"): `name` or `subject`, `topic`, roles `superadmin` or `super_admin`.
enum WaxumWire {
    struct GroupInfo {
        var jid: String?
        var name: String?
        var topic: String?
        var owner: String?
        var createdAt: Date?
        var participantCount: Int?
        var participants: [(jid: String, phone: String?, role: ParticipantRole)]?

        init(_ json: JSON) {
            jid = json["jid"]?.stringValue ?? json["group_jid"]?.stringValue
            name = json["name"]?.stringValue ?? json["subject"]?.stringValue
            topic = json["topic"]?.stringValue ?? json["description"]?.stringValue
            owner = json["owner"]?.stringValue
            if let seconds = json["created_at"]?.doubleValue, seconds > 0 { createdAt = Date(timeIntervalSince1970: seconds) }
            participantCount = json["participant_count"]?.intValue.map(Int.init)
            participants = json["participants"]?.arrayValue?.compactMap { entry in
                guard let jid = entry["jid"]?.stringValue ?? entry.stringValue else { return nil }
                return (jid, entry["phone_number"]?.stringValue, WaxumWire.role(entry["role"]?.stringValue))
            }
        }
    }

    static func role(_ text: String?) -> ParticipantRole {
        switch text?.lowercased() {
        case "superadmin", "super_admin", "superadministrator": .superadmin
        case "admin": .admin
        default: .member
        }
    }

    /// The groups of a list answer: `{groups: [...]}` or a bare array.
    static func groups(_ json: JSON) -> [JSON] { json["groups"]?.arrayValue ?? json.arrayValue ?? [] }

    /// The message id of a send answer (`message_id`, in both the plain and the unified `SendResponse`).
    static func messageID(_ json: JSON) -> String? { json["message_id"]?.stringValue ?? json["id"]?.stringValue }

    /// The error text of either error shape: `{success: false, error: {code, message}}` or the auth layer's
    /// `{error: "Unauthorized", message}`.
    static func errorMessage(_ json: JSON?) -> String? {
        json?["error"]?["message"]?.stringValue ?? json?["message"]?.stringValue ?? json?["error"]?.stringValue
    }
}
