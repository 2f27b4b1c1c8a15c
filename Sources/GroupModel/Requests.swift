import JSONCore

/// `POST …/groups`: `{"name", "participants", "description"?, "settings"?}`.
public struct CreateGroupRequest: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Canonical user ids (already normalized).
    public var participants: [UserID]
    public var settings: GroupSettings

    public init(name: String, description: String? = nil, participants: [UserID], settings: GroupSettings = GroupSettings()) {
        self.name = name
        self.description = description
        self.participants = participants
        self.settings = settings
    }

    public init(json: JSON) throws(GatewayError) {
        let body = try FieldReader(json)
        try body.allowOnly(["name", "description", "participants", "settings"])
        name = try body.string("name", required: true, maxLength: Limits.groupName, minLength: 1)!
        description = try body.string("description", maxLength: Limits.groupDescription)
        let raw = try body.stringArray("participants", maxCount: Limits.participants) ?? []
        participants = try UserID.parseAll(raw, field: "participants")
        settings = try body.object("settings").map { reader throws(GatewayError) in try GroupSettings(reader: reader) } ?? GroupSettings()
    }
}

/// `PATCH …/groups/{g}`: any of `name`, `description` (null clears it), `settings`.
public struct GroupPatch: Sendable, Equatable {
    public var name: String?
    /// `.some(nil)` clears the description.
    public var description: String??
    public var settings: GroupSettings?

    public init(name: String? = nil, description: String?? = nil, settings: GroupSettings? = nil) {
        self.name = name
        self.description = description
        self.settings = settings
    }

    public init(json: JSON) throws(GatewayError) {
        let body = try FieldReader(json)
        try body.allowOnly(["name", "description", "settings"])
        name = try body.string("name", maxLength: Limits.groupName, minLength: 1)
        if body.has("description") {
            description = .some(try body.string("description", maxLength: Limits.groupDescription))
        }
        settings = try body.object("settings").map { reader throws(GatewayError) in try GroupSettings(reader: reader) }
        if let settings, settings == GroupSettings() {
            throw GatewayError.invalidRequest("'settings' must set at least one of announce, locked, approvalRequired, memberAddMode.")
        }
        guard name != nil || description != nil || settings != nil else {
            throw GatewayError.invalidRequest("Give at least one of 'name', 'description' or 'settings' to change.")
        }
    }

    /// The capabilities this patch needs.
    public var capabilities: [Capability] {
        var needed: [Capability] = []
        if name != nil { needed.append(.groupsSubject) }
        if description != nil { needed.append(.groupsDescription) }
        if settings != nil { needed.append(.groupsSettings) }
        return needed
    }
}

extension GroupSettings {
    init(reader: FieldReader) throws(GatewayError) {
        try reader.allowOnly(["announce", "locked", "approvalRequired", "memberAddMode"])
        self.init(
            announce: try reader.bool("announce"), locked: try reader.bool("locked"),
            approvalRequired: try reader.bool("approvalRequired"), memberAddMode: try reader.enumeration("memberAddMode", MemberAddMode.self))
    }
}

/// The content of a send: `{"group"|"groupName", "type", "text", "media", "caption", "mentions"}`.
public struct MessageContent: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case id(String)
        /// Walytic-style: the group's subject, matched case-insensitively.
        case name(String)
    }

    public var target: Target
    public var type: MessageType
    public var text: String?
    public var media: MediaRef?
    public var caption: String?
    public var mentions: [UserID]

    public init(target: Target, type: MessageType, text: String? = nil, media: MediaRef? = nil, caption: String? = nil, mentions: [UserID] = []) {
        self.target = target
        self.type = type
        self.text = text
        self.media = media
        self.caption = caption
        self.mentions = mentions
    }

    /// The group id when the target is an id.
    public var groupID: String? {
        if case .id(let id) = target { return id }
        return nil
    }

    public init(json: JSON) throws(GatewayError) {
        let body = try FieldReader(json)
        try body.allowOnly(["group", "groupName", "type", "text", "media", "caption", "mentions"])
        let group = try body.string("group", maxLength: 256, minLength: 1)
        let groupName = try body.string("groupName", maxLength: Limits.groupName, minLength: 1)
        switch (group, groupName) {
        case (let id?, nil):
            try Identifiers.validateGroupID(id)
            target = .id(id)
        case (nil, let name?): target = .name(name)
        case (nil, nil): throw GatewayError.invalidRequest("Give the target group as 'group' (its id) or 'groupName'.", details: ["field": "group"])
        case (_?, _?): throw GatewayError.invalidRequest("Give either 'group' or 'groupName', not both.", details: ["field": "groupName"])
        }
        type = try body.enumeration("type", MessageType.self) ?? .text
        text = try body.string("text", maxLength: Limits.text, minLength: 1)
        caption = try body.string("caption", maxLength: Limits.caption, minLength: 1)
        media = try body.object("media").map { reader throws(GatewayError) in try MessageContent.media(reader) }
        let rawMentions = try body.stringArray("mentions", maxCount: Limits.participants) ?? []
        mentions = try UserID.parseAll(rawMentions, field: "mentions")

        switch type {
        case .text:
            guard text != nil else { throw GatewayError.invalidRequest("A text message needs 'text'.", details: ["field": "text"]) }
            guard media == nil else { throw GatewayError.invalidRequest("A text message has no 'media'; set 'type' to the media kind.", details: ["field": "media"]) }
            guard caption == nil else { throw GatewayError.invalidRequest("A text message has no 'caption'.", details: ["field": "caption"]) }
        default:
            guard media != nil else { throw GatewayError.invalidRequest("A \(type.rawValue) message needs 'media' with a 'url'.", details: ["field": "media"]) }
            guard text == nil else { throw GatewayError.invalidRequest("Media messages carry 'caption', not 'text'.", details: ["field": "text"]) }
            if caption != nil && (type == .audio || type == .voice) {
                throw GatewayError.invalidRequest("\(type == .audio ? "Audio" : "Voice") messages cannot have a caption.", details: ["field": "caption"])
            }
            if !mentions.isEmpty && caption == nil {
                throw GatewayError.invalidRequest("Mentions need 'text' or a 'caption' to appear in.", details: ["field": "mentions"])
            }
        }
    }

    private static func media(_ reader: FieldReader) throws(GatewayError) -> MediaRef {
        try reader.allowOnly(["url", "mimeType", "filename"])
        let url = try reader.string("url", required: true, maxLength: 2048, minLength: 1)!
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), url.unicodeScalars.count > 8,
            !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { throw GatewayError.invalidRequest("'media.url' must be an absolute http(s) URL.", details: ["field": "media.url"]) }
        let mimeType = try reader.string("mimeType", maxLength: 255, minLength: 3)
        if let mimeType {
            // By Unicode scalars, not Characters: a combining or prepending mark must not hide a '/' or ';'.
            let essence = mimeType.unicodeScalars.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
                throw GatewayError.invalidRequest("'media.mimeType' must look like 'image/jpeg'.", details: ["field": "media.mimeType"])
            }
        }
        let filename = try reader.string("filename", maxLength: 255, minLength: 1)
        if let filename, filename.unicodeScalars.contains(where: { $0 == "/" || $0 == "\\" || $0.value < 0x20 }) {
            throw GatewayError.invalidRequest("'media.filename' must be a plain file name.", details: ["field": "media.filename"])
        }
        return MediaRef(url: url, mimeType: mimeType, filename: filename)
    }
}

/// `{"participants": [...]}` for participant actions and join-request decisions.
public struct ParticipantsRequest: Sendable, Equatable {
    /// As given: invalid ids are reported per participant (`invalid_id`), not as a request error.
    public var participants: [String]

    public init(participants: [String]) { self.participants = participants }

    public init(json: JSON) throws(GatewayError) {
        let body = try FieldReader(json)
        try body.allowOnly(["participants"])
        participants = try body.stringArray("participants", required: true, minCount: 1, maxCount: Limits.participants)!
    }
}

/// `POST …/groups/join`: `{"code": "<code or https://chat.whatsapp.com/… link>"}`.
public struct JoinRequestBody: Sendable, Equatable {
    public var code: String

    public init(code: String) { self.code = code }

    public init(json: JSON) throws(GatewayError) {
        let body = try FieldReader(json)
        try body.allowOnly(["code"])
        let raw = try body.string("code", required: true, maxLength: 256, minLength: 1)!
        code = Invite.code(from: raw)
        guard !code.isEmpty, code.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
        else { throw GatewayError.invalidRequest("'code' must be an invite code or a https://chat.whatsapp.com/ link.", details: ["field": "code"]) }
    }
}

/// WhatsApp's limits, enforced on input (DESIGN §3, the native engine's rules).
public enum Limits {
    public static let groupName = 100
    public static let groupDescription = 2048
    public static let participants = 1024
    public static let text = 65_536
    public static let caption = 1024
}

extension UserID {
    /// Normalizes every entry or throws `invalid_request` naming the first bad one.
    public static func parseAll(_ raw: [String], field: String) throws(GatewayError) -> [UserID] {
        var users: [UserID] = []
        for (index, text) in raw.enumerated() {
            guard let user = UserID.parse(text) else {
                throw GatewayError.invalidRequest(
                    "'\(field)[\(index)]' is not a user id: use +E.164, digits, or a …@s.whatsapp.net, …@c.us or …@lid id.",
                    details: ["field": .string("\(field)[\(index)]")])
            }
            users.append(user)
        }
        return users
    }
}
