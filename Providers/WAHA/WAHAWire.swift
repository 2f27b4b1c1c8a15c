import Foundation
import GroupModel
import JSONCore

/// WAHA's JSON, read as it is on the wire. Shapes differ by engine (WEBJS, NOWEB, GOWS, WPP), so each reader
/// accepts the known variants and leaves what it cannot read as nil — never a guess.
enum WAHAWire {
    /// An id that is a string, or an object with `_serialized` (WEBJS), or `{user, server}`.
    static func id(_ json: JSON?) -> String? {
        guard let json else { return nil }
        if let text = json.stringValue { return text }
        if let serialized = json["_serialized"]?.stringValue { return serialized }
        if let user = json["user"]?.stringValue, let server = json["server"]?.stringValue { return "\(user)@\(server)" }
        return nil
    }

    /// The group objects of a list answer: an array, `{groups: [...]}`, or an id-keyed map (NOWEB).
    static func groupObjects(_ json: JSON) -> [JSON] {
        if let array = json.arrayValue { return array }
        if let array = json["groups"]?.arrayValue { return array }
        if let object = json.objectValue {
            return object.members.map { member in
                guard case .object(var group) = member.value else { return member.value }
                if group["id"] == nil { group["id"] = .string(member.key) }
                return .object(group)
            }
        }
        return []
    }

    /// The metadata of one group, however the engine nests it (WEBJS puts it under `groupMetadata`).
    struct GroupMetadata {
        var id: String?
        var subject: String?
        var description: String?
        var owner: String?
        var creation: Date?
        var participants: [(id: String, role: ParticipantRole)]?
        var announce: Bool?
        var restrict: Bool?
        var approval: Bool?
        var memberAddMode: MemberAddMode?
        var size: Int?

        init(_ raw: JSON) {
            let meta = raw["groupMetadata"] ?? raw
            id = WAHAWire.id(raw["id"]) ?? WAHAWire.id(meta["id"]) ?? WAHAWire.id(raw["JID"])
            subject = meta["subject"]?.stringValue ?? raw["name"]?.stringValue ?? raw["subject"]?.stringValue ?? raw["Name"]?.stringValue
            description = meta["desc"]?.stringValue ?? meta["description"]?.stringValue ?? raw["Topic"]?.stringValue
            owner = WAHAWire.id(meta["owner"]) ?? WAHAWire.id(raw["OwnerJID"])
            if let seconds = (meta["creation"] ?? meta["createdAt"] ?? raw["GroupCreated"])?.doubleValue, seconds > 0 {
                creation = Date(timeIntervalSince1970: seconds > 1e11 ? seconds / 1000 : seconds)
            }
            if let list = (meta["participants"] ?? raw["Participants"])?.arrayValue {
                participants = list.compactMap { entry in
                    guard let id = WAHAWire.id(entry["id"]) ?? WAHAWire.id(entry["JID"]) ?? entry.stringValue else { return nil }
                    return (id, WAHAWire.role(entry))
                }
            }
            announce = (meta["announce"] ?? raw["IsAnnounce"])?.boolValue
            restrict = (meta["restrict"] ?? raw["IsLocked"])?.boolValue
            if let mode = meta["joinApprovalMode"] ?? raw["IsJoinApprovalRequired"] { approval = mode.boolValue }
            if let mode = meta["memberAddMode"]?.stringValue {
                memberAddMode = mode == "all_member_add" ? .all : mode == "admin_add" ? .admins : nil
            }
            size = (meta["size"] ?? raw["size"])?.intValue.map(Int.init)
        }
    }

    /// A participant's role from any engine's fields: `isSuperAdmin`/`isAdmin` (WEBJS), `admin` (NOWEB),
    /// `role` (participants v2), `IsSuperAdmin`/`IsAdmin` (GOWS).
    static func role(_ entry: JSON) -> ParticipantRole {
        if entry["isSuperAdmin"]?.boolValue == true || entry["IsSuperAdmin"]?.boolValue == true { return .superadmin }
        if let role = entry["role"]?.stringValue ?? entry["admin"]?.stringValue {
            switch role.lowercased() {
            case "superadmin", "super_admin": return .superadmin
            case "admin": return .admin
            default: return .member
            }
        }
        if entry["isAdmin"]?.boolValue == true || entry["IsAdmin"]?.boolValue == true { return .admin }
        return .member
    }

    /// The message id of a send answer: `id` as a string or `{_serialized}`, or `key.id` (NOWEB).
    static func messageID(_ json: JSON?) -> String? {
        guard let json else { return nil }
        return id(json["id"]) ?? json["key"]?["id"]?.stringValue ?? json["_data"]?["id"]?["_serialized"]?.stringValue
    }
}
