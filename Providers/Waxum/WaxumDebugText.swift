import Foundation
import GroupModel
import JSONCore
import ProviderKit

/// waxum v0.9.x sends `group_update` and `receipt` data as Rust `Debug` text, not fields. These readers take
/// what the text says unambiguously — JIDs (`123@s.whatsapp.net` or `Jid { user: "123", server: … }`), an
/// action word, quoted values — and otherwise keep the payload as `provider.unmapped`. They never guess.
enum WaxumDebugText {
    /// JIDs in either written form, in order of appearance, without duplicates.
    static func jids(_ text: String, server: String? = nil) -> [String] {
        var found: [String] = []
        let patterns = [
            #"([0-9]+(?:-[0-9]+)?)@(s\.whatsapp\.net|lid|g\.us|c\.us)"#,
            #"user:\s*"([0-9]+(?:-[0-9]+)?)",\s*(?:agent:\s*\d+,\s*device:\s*\d+,\s*)?server:\s*"(s\.whatsapp\.net|lid|g\.us|c\.us)""#,
        ]
        var matches: [(Range<String.Index>, String)] = []
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text), let user = Range(match.range(at: 1), in: text),
                    let host = Range(match.range(at: 2), in: text)
                else { continue }
                matches.append((range, "\(text[user])@\(text[host])"))
            }
        }
        for (_, jid) in matches.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) where server == nil || jid.hasSuffix("@" + server!) {
            let canonical = UserID.parse(jid)?.jid ?? jid
            if !found.contains(canonical) { found.append(canonical) }
        }
        return found
    }

    /// The first quoted string after `key:` (e.g. `subject: "New name"`).
    static func quoted(after key: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: NSRegularExpression.escapedPattern(for: key) + #"\s*:\s*(?:Some\()?"((?:[^"\\]|\\.)*)""#),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range]).replacingOccurrences(of: "\\\"", with: "\"")
    }

    static func word(_ words: [String], in text: String) -> String? {
        words.first { word in
            text.range(of: "\\b\(word)\\b", options: [.regularExpression, .caseInsensitive]) != nil
        }
    }

    static func groupUpdate(_ data: JSON, identity: String, into builder: inout EventBuilder) {
        let group = data["group"]?.stringValue
        guard let text = data["update"]?.stringValue else {
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": "group_update", "raw": data])
            return
        }
        // A JID the text shows may still not be a user id (`00…@s.whatsapp.net`): such ones are left out.
        let people = jids(text).filter { !$0.hasSuffix("@g.us") }.compactMap(UserID.parse).map { Participant(user: $0, role: .member).json }
        if let action = word(["Promote", "Demote", "Add", "Join", "Remove", "Leave"], in: text), !people.isEmpty {
            let type: EventType =
                switch action {
                case "Promote": .participantsPromoted
                case "Demote": .participantsDemoted
                case "Add", "Join": .participantsJoined
                default: .participantsLeft
                }
            builder.add(type, identity: identity, group: group, data: ["participants": .array(people), "source": .string(text)])
            return
        }
        var changed: JSONObject = ["id": .string(group)]
        if let name = quoted(after: "subject", in: text) ?? quoted(after: "name", in: text) { changed["name"] = .string(name) }
        if let description = quoted(after: "description", in: text) ?? quoted(after: "topic", in: text) { changed["description"] = .string(description) }
        if let announce = setting("announce", in: text) { changed["settings"] = ["announce": .bool(announce)] }
        if let locked = setting("locked", in: text) ?? setting("restrict", in: text) {
            var settings = changed["settings"]?.objectValue ?? JSONObject()
            settings["locked"] = .bool(locked)
            changed["settings"] = .object(settings)
        }
        if changed.count > 1 {
            builder.add(.groupUpdated, identity: identity, group: group, data: .object(changed))
        } else {
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": "group_update", "raw": data])
        }
    }

    /// `announce: true`, `Announce(true)`, `is_locked: false`…
    static func setting(_ name: String, in text: String) -> Bool? {
        guard let regex = try? NSRegularExpression(pattern: "\\b(?:is_)?\(name)\\b\\s*(?::\\s*|\\()\\s*(true|false)", options: .caseInsensitive),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return text[range].lowercased() == "true"
    }

    /// A receipt: message ids in quotes, a `type_`/kind word (`Read`, `Played`, default delivered), the chat and
    /// the sender. One event per message id.
    static func receipt(_ data: JSON, identity: String, into builder: inout EventBuilder) {
        guard let text = data["receipt"]?.stringValue else {
            builder.add(.providerUnmapped, identity: identity, group: nil, data: ["kind": "receipt", "raw": data])
            return
        }
        let ids = messageIDs(text)
        let group = jids(text, server: "g.us").first
        let participant = jids(text).first { !$0.hasSuffix("@g.us") }
        guard !ids.isEmpty else {
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": "receipt", "raw": data])
            return
        }
        let type: EventType
        let status: MessageStatus
        switch word(["ReadSelf", "Read", "PlayedSelf", "Played", "Delivered", "Retry", "Sender", "Inactive"], in: text) {
        case "Read": (type, status) = (.messageRead, .read)
        case "Played": (type, status) = (.messagePlayed, .played)
        case "Delivered", nil: (type, status) = (.messageDelivered, .delivered)
        default:
            // Our own devices' receipts (ReadSelf, PlayedSelf), retries, sender acks: not a recipient's receipt.
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": "receipt", "raw": data])
            return
        }
        for id in ids {
            builder.add(
                type, identity: "\(group ?? "-")/\(id)/\(participant ?? "-")", group: group,
                data: ["providerMessageId": .string(id), "participant": .string(participant), "status": .string(status.rawValue)])
        }
    }

    /// Quoted WhatsApp message ids (upper-case hex, 16+ characters, e.g. `3EB0…`).
    static func messageIDs(_ text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #""([0-9A-F]{16,64})""#) else { return [] }
        var ids: [String] = []
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            if let range = Range(match.range(at: 1), in: text), !ids.contains(String(text[range])) { ids.append(String(text[range])) }
        }
        return ids
    }
}
