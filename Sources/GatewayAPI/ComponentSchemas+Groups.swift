import GatewayCore
import GroupModel
import JSONCore

/// Schemas of groups, messages, events and their requests (DESIGN §3).
extension ComponentSchemas {
    static let sessionName = Schema.string(min: 1, max: 64, pattern: "^[a-z0-9][a-z0-9_-]{0,63}$")
    /// A user id as `UserID.parse` reads it: `+E.164` (spaces, hyphens, dots and parentheses between the digits),
    /// bare digits (7–15, no leading zero), `<digits>@c.us`, `<digits>@s.whatsapp.net` or `<digits>@lid`.
    static let userID = Schema.string(
        min: 1, max: 64,
        pattern: #"^(?:\+[ ().-]*[1-9](?:[ ().-]*[0-9]){6,14}[ ().-]*|[1-9][0-9]{6,14}|[1-9][0-9]{6,14}(?::[0-9]+)?@(?:[cC]\.[uU][sS]|[sS]\.[wW][hH][aA][tT][sS][aA][pP][pP]\.[nN][eE][tT])|[0-9]{1,20}(?::[0-9]+)?@[lL][iI][dD])$"#)
    /// A participant to act on: any string up to 256 characters, since an id that is not a user id is answered per
    /// participant (`invalid_id`), not refused with the request.
    static let participantID = Schema.string(max: 256)
    /// A group id is opaque (a JID, a provider's thread id) but bounded and printable (`Identifiers.validateGroupID`).
    static let groupID = Schema.string(min: 1, max: 256, pattern: #"^[^\x00-\x1F\x7F]+$"#)
    /// An invite code (letters, digits, `-`, `_`) or a `chat.whatsapp.com/` link to one (`JoinRequestBody`).
    static let inviteCode = Schema.string(
        min: 1, max: 256, pattern: #"^(?:(?:https?://)?chat\.whatsapp\.com/)?[A-Za-z0-9_-]+(?:[?#/][\s\S]*)?$"#)
    /// A media URL: absolute http(s), no spaces or control characters (`MessageContent`).
    static let mediaURL = Schema.string(min: 9, max: 2048, pattern: #"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7F]+$"#)

    static let groups: [(String, JSON)] = [
        ("Participant", Schema.object([("id", Schema.string), ("phone", Schema.nullableString), ("role", Schema.enumeration(ParticipantRole.allCases.map(\.rawValue), nullable: true))],
            required: ["id", "phone", "role"])),
        ("GroupSettings", Schema.object(
            [("announce", Schema.nullableBoolean), ("locked", Schema.nullableBoolean), ("approvalRequired", Schema.nullableBoolean),
             ("memberAddMode", Schema.enumeration(MemberAddMode.allCases.map(\.rawValue), nullable: true))],
            required: ["announce", "locked", "approvalRequired", "memberAddMode"])),
        ("Group", Schema.object(
            [("id", Schema.string), ("name", Schema.nullableString), ("description", Schema.nullableString), ("owner", Schema.nullableString),
             ("createdAt", Schema.nullableDateTime), ("participantCount", Schema.nullableInteger), ("participants", Schema.array(Schema.ref("Participant"))),
             ("settings", Schema.ref("GroupSettings")), ("inviteLink", Schema.nullableString), ("provider", Schema.string), ("asOf", Schema.dateTime)],
            required: ["id", "name", "description", "owner", "createdAt", "participantCount", "settings", "inviteLink", "provider", "asOf"])),
        ("GroupList", Schema.page("Group", extra: [("asOf", Schema.dateTime)])),
        ("ParticipantResults", Schema.object(
            [("results", Schema.array(Schema.object(
                [("id", Schema.string), ("status", Schema.enumeration(ParticipantOutcome.allCases.map(\.rawValue)))], required: ["id", "status"])))],
            required: ["results"])),
        ("Invite", Schema.object([("code", Schema.string), ("link", Schema.string)], required: ["code", "link"])),
        ("JoinResult", Schema.object(
            [("group", Schema.string), ("status", Schema.enumeration(["added", "already_member", "pending_approval"]))], required: ["group", "status"])),
        ("JoinRequest", Schema.object([("requester", Schema.string), ("phone", Schema.nullableString), ("requestedAt", Schema.nullableDateTime)],
            required: ["requester", "phone", "requestedAt"])),
        ("JoinRequestList", Schema.page("JoinRequest")),
        ("Receipts", Schema.object([("recipients", Schema.integer), ("delivered", Schema.integer), ("read", Schema.integer)],
            required: ["recipients", "delivered", "read"])),
        ("Media", Schema.object([("url", Schema.string), ("mimeType", Schema.nullableString), ("filename", Schema.nullableString)],
            required: ["url", "mimeType", "filename"])),
        ("Message", Schema.object(
            [("id", Schema.string), ("session", Schema.string), ("group", Schema.string), ("type", Schema.enumeration(MessageType.allCases.map(\.rawValue))),
             ("text", Schema.nullableString), ("media", Schema.nullableRef("Media")), ("caption", Schema.nullableString), ("mentions", Schema.array(Schema.string)),
             ("status", Schema.enumeration(MessageStatus.allCases.map(\.rawValue))), ("providerMessageId", Schema.nullableString),
             ("error", ["oneOf": [["type": "object"], ["type": "null"]]]), ("receipts", Schema.nullableRef("Receipts")),
             ("createdAt", Schema.dateTime), ("updatedAt", Schema.dateTime)],
            required: ["id", "session", "group", "type", "text", "media", "caption", "mentions", "status", "providerMessageId", "error", "receipts",
                       "createdAt", "updatedAt"])),
        ("MessageList", Schema.page("Message")),
        ("MessageWithAttempts", ["allOf": [Schema.ref("Message"), Schema.object(
            [("attempts", Schema.array(Schema.ref("SendAttempt")))], required: ["attempts"], description: "Every provider call and reconciliation, oldest first.")]]),
        ("SendAttempt", Schema.object(
            [("number", Schema.integer), ("startedAt", Schema.dateTime), ("finishedAt", Schema.dateTime),
             ("outcome", Schema.enumeration(SendAttempt.Outcome.allCases.map(\.rawValue))), ("providerStatus", Schema.nullable("integer")),
             ("error", ["oneOf": [["type": "object"], ["type": "null"]]])],
            required: ["number", "startedAt", "finishedAt", "outcome", "providerStatus", "error"])),
        ("Event", Schema.object(
            [("id", Schema.string), ("type", Schema.enumeration(EventType.allCases.map(\.rawValue))), ("occurredAt", Schema.dateTime),
             ("receivedAt", Schema.dateTime), ("session", Schema.string), ("provider", Schema.string), ("group", Schema.nullableString), ("data", Schema.anyValue)],
            required: ["id", "type", "occurredAt", "receivedAt", "session", "provider", "group", "data"])),
        ("EventList", Schema.page("Event")),
        ("StreamEvent", Schema.object(
            [("id", Schema.string(min: 1, max: 18, pattern: "^[0-9]+$")), ("event", Schema.enumeration(EventType.allCases.map(\.rawValue))),
             ("data", ["type": "string", "contentMediaType": "application/json", "contentSchema": Schema.ref("Event")])],
            required: ["id", "event", "data"],
            description: "One Server-Sent Event: 'id' is the log cursor (resume with Last-Event-ID), 'event' the type, 'data' the canonical event as JSON.")),
    ]

    static let settingsInput = Schema.object(
        [("announce", Schema.boolean), ("locked", Schema.boolean), ("approvalRequired", Schema.boolean),
         ("memberAddMode", Schema.enumeration(MemberAddMode.allCases.map(\.rawValue)))], closed: true)

    /// `required` with a value other than `null` (which counts as absent).
    static func present(_ fields: [(String, JSON)]) -> JSON {
        ["required": .array(fields.map { .string($0.0) }), "properties": .object(JSONObject(fields))]
    }

    /// A change of settings sets at least one of them (`GroupPatch`).
    static let settingsChange: JSON = {
        var schema = settingsInput.objectValue!
        schema["minProperties"] = 1
        schema["anyOf"] = [
            present([("announce", Schema.boolean)]), present([("locked", Schema.boolean)]), present([("approvalRequired", Schema.boolean)]),
            present([("memberAddMode", Schema.string)]),
        ]
        return .object(schema)
    }()

    /// `POST …/messages`: one target (`group` or `groupName`); a text message has `text` and neither `media` nor
    /// `caption`; a media message has `media` and no `text`, audio and voice have no `caption`, and mentions need a
    /// `caption` to appear in (`MessageContent`).
    static let sendMessage: JSON = {
        let media = MessageType.allCases.filter(\.isMedia).map(\.rawValue)
        let captioned = media.filter { $0 != MessageType.audio.rawValue && $0 != MessageType.voice.rawValue }
        let null: JSON = ["type": "null"]
        let noMentions: JSON = ["anyOf": [null, ["type": "array", "maxItems": 0]]]
        var schema = Schema.object(
            [("group", groupID), ("groupName", Schema.string(min: 1, max: Limits.groupName)),
             ("type", Schema.enumeration(MessageType.allCases.map(\.rawValue))), ("text", Schema.string(min: 1, max: Limits.text)),
             ("media", Schema.object(
                [("url", mediaURL), ("mimeType", Schema.string(min: 3, max: 255, pattern: #"^[^/; ]+/[^/; ]+(?:;[\s\S]*)?$"#)),
                 ("filename", Schema.string(min: 1, max: 255, pattern: #"^[^/\\\x00-\x1F]+$"#))], required: ["url"], closed: true)),
             ("caption", Schema.string(min: 1, max: Limits.caption)), ("mentions", Schema.array(userID, maxItems: Limits.participants))],
            closed: true,
            description: "Give exactly one of 'group' (id) or 'groupName'. A text message (the default type) has 'text'; a media message has 'media' and may have a 'caption' (not audio or voice); mentions need 'text' or a 'caption'."
        ).objectValue!
        schema["allOf"] = [
            ["oneOf": [present([("group", Schema.string)]), present([("groupName", Schema.string)])]],
            ["anyOf": [
                ["required": ["text"], "properties": ["type": Schema.enumeration([MessageType.text.rawValue], nullable: true), "text": Schema.string, "media": null, "caption": null]],
                ["required": ["type", "media", "caption"],
                 "properties": ["type": Schema.enumeration(captioned), "media": ["type": "object"], "text": null, "caption": Schema.string]],
                ["required": ["type", "media"], "properties": ["type": Schema.enumeration(media), "media": ["type": "object"], "text": null, "caption": null, "mentions": noMentions]],
            ]],
        ]
        return .object(schema)
    }()

    static let requests: [(String, JSON)] = [
        ("CreateSession", Schema.object(
            [("id", sessionName), ("provider", Schema.string(min: 1, max: 64)), ("phone", Schema.string(min: 1, max: 32)), ("account", ["type": "object"])],
            required: ["id", "provider"], closed: true)),
        ("CreateGroup", Schema.object(
            [("name", Schema.string(min: 1, max: Limits.groupName)), ("description", Schema.string(max: Limits.groupDescription)),
             ("participants", Schema.array(userID, maxItems: Limits.participants)), ("settings", settingsInput)],
            required: ["name"], closed: true)),
        ("UpdateGroup", ({
            var schema = Schema.object(
                [("name", Schema.string(min: 1, max: Limits.groupName)),
                 ("description", ["type": ["string", "null"], "maxLength": .int(Int64(Limits.groupDescription))]), ("settings", settingsChange)],
                closed: true, description: "At least one change: 'name', 'description' (null clears it) or 'settings'.").objectValue!
            schema["anyOf"] = [present([("name", Schema.string)]), ["required": ["description"]], present([("settings", ["type": "object"])])]
            return .object(schema)
        })()),
        ("Participants", Schema.object(
            [("participants", Schema.array(participantID, maxItems: Limits.participants, minItems: 1))], required: ["participants"], closed: true)),
        ("Join", Schema.object([("code", inviteCode)], required: ["code"], closed: true)),
        ("SendMessage", sendMessage),
    ]
}
