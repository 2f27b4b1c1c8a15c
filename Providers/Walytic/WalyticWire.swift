import Foundation
import GroupModel
import JSONCore

/// Walytic's JSON. The group list's shape is not documented (REFERENCE §1: "probably Baileys group metadata"),
/// so every likely container is read: an array, `{groups}`, `{data}`, or Baileys' id-keyed map.
enum WalyticWire {
    struct GroupEntry: Sendable {
        let id: String
        let name: String?
        let description: String?
        let size: Int?
    }

    static func groups(_ json: JSON) -> [GroupEntry] {
        let container = json["groups"] ?? json["data"] ?? json
        var entries: [JSON] = []
        if let array = container.arrayValue {
            entries = array
        } else if let object = container.objectValue {
            entries = object.members.compactMap { member in
                guard case .object(var group) = member.value else { return nil }
                if group["id"] == nil { group["id"] = .string(member.key) }
                return .object(group)
            }
        }
        return entries.compactMap { entry in
            guard let id = entry["id"]?.stringValue ?? entry["groupId"]?.stringValue ?? entry["jid"]?.stringValue, id.hasSuffix("@g.us") else { return nil }
            return GroupEntry(
                id: id, name: entry["subject"]?.stringValue ?? entry["name"]?.stringValue ?? entry["groupName"]?.stringValue,
                description: entry["desc"]?.stringValue ?? entry["description"]?.stringValue,
                size: (entry["size"] ?? entry["participantCount"])?.intValue.map(Int.init) ?? entry["participants"]?.arrayValue?.count)
        }
    }

    /// The text of a `{success: false}` body: `error` (API) or `message` (webhook management).
    static func failure(_ json: JSON?) -> String? {
        guard let json, json["success"]?.boolValue == false else { return nil }
        return json["error"]?.stringValue ?? json["message"]?.stringValue ?? "unspecified error"
    }
}
