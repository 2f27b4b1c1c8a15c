import GatewayCore
import GroupModel
import JSONCore

/// Schemas of groups, messages, events and their requests (DESIGN §3).
extension ComponentSchemas {
    static let sessionName = Schema.string(min: 1, max: 64, pattern: "^[a-z0-9][a-z0-9_-]{0,63}$")
    static let userID = Schema.string(min: 1, max: 256)

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
    ]

    static let settingsInput = Schema.object(
        [("announce", Schema.boolean), ("locked", Schema.boolean), ("approvalRequired", Schema.boolean),
         ("memberAddMode", Schema.enumeration(MemberAddMode.allCases.map(\.rawValue)))], closed: true)

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
                 ("description", ["type": ["string", "null"], "maxLength": .int(Int64(Limits.groupDescription))]), ("settings", settingsInput)],
                closed: true).objectValue!
            schema["minProperties"] = 1
            return .object(schema)
        })()),
        ("Participants", Schema.object([("participants", Schema.array(userID, maxItems: Limits.participants, minItems: 1))], required: ["participants"], closed: true)),
        ("Join", Schema.object([("code", Schema.string(min: 1, max: 256))], required: ["code"], closed: true)),
        ("SendMessage", Schema.object(
            [("group", Schema.string(min: 1, max: 256)), ("groupName", Schema.string(min: 1, max: Limits.groupName)),
             ("type", Schema.enumeration(MessageType.allCases.map(\.rawValue))), ("text", Schema.string(min: 1, max: Limits.text)),
             ("media", Schema.object(
                [("url", Schema.string(min: 9, max: 2048, pattern: "^[Hh][Tt][Tt][Pp][Ss]?://")), ("mimeType", Schema.string(min: 3, max: 255)),
                 ("filename", Schema.string(min: 1, max: 255))], required: ["url"], closed: true)),
             ("caption", Schema.string(min: 1, max: Limits.caption)), ("mentions", Schema.array(userID, maxItems: Limits.participants))],
            closed: true, description: "Give exactly one of 'group' (id) or 'groupName'.")),
    ]
}
