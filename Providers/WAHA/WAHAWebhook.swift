import Crypto
import Foundation
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// WAHA webhooks (REFERENCE §5): `X-Webhook-Hmac` is the hex HMAC-SHA512 of the raw body. Freshness comes from
/// the envelope's `timestamp` (ms), which the MAC covers; the `X-Webhook-Timestamp` header is not signed.
public struct WAHAWebhook: WebhookNormalizer {
    public let scheme = "hmac-sha512(body) in X-Webhook-Hmac"

    public init() {}

    // MARK: - Verify

    public func verify(_ webhook: InboundWebhook, secret: Secret?, now: Date) throws(WebhookRejection) {
        let secret = try WebhookVerification.secret(secret, credential: "webhookSecret", scheme: scheme, header: "X-Webhook-Hmac")
        let presented = try WebhookVerification.presented("X-Webhook-Hmac", in: webhook, scheme: scheme)
        if let algorithm = webhook.headers["x-webhook-hmac-algorithm"], algorithm.lowercased() != "sha512" {
            throw WebhookRejection(scheme: scheme, header: "X-Webhook-Hmac-Algorithm", reason: .mismatch, detail: "algorithm '\(algorithm)' is not sha512")
        }
        let expected = HMAC.mac(.sha512, key: secret.value, message: webhook.body)
        guard WebhookVerification.matchesHex(presented, expected) else {
            throw WebhookRejection(scheme: scheme, header: "X-Webhook-Hmac", reason: .mismatch, detail: "HMAC-SHA512 of the body does not match")
        }
        guard let milliseconds = (try? webhook.json())?["timestamp"]?.doubleValue else {
            throw WebhookRejection(scheme: scheme, header: "body.timestamp", reason: .missingTimestamp, detail: "the envelope has no timestamp")
        }
        try WebhookVerification.checkAge(Date(timeIntervalSince1970: milliseconds / 1000), now: now, scheme: scheme, header: "body.timestamp")
    }

    // MARK: - Classify and normalize

    public func signature(for body: [UInt8], headers: HTTPHeaders, secret: Secret) -> (header: String, value: String)? {
        ("X-Webhook-Hmac", ByteEncoding.hex(HMAC.mac(.sha512, key: secret.value, message: body)))
    }

    public func normalize(_ webhook: InboundWebhook, context: NormalizeContext) throws(GatewayError) -> [GatewayEvent] {
        let envelope = try webhook.json()
        guard let kind = envelope["event"]?.stringValue else {
            throw GatewayError.invalidRequest("A WAHA webhook needs an 'event' field.")
        }
        let payload = envelope["payload"] ?? .null
        var builder = EventBuilder(
            provider: WAHAMapping.kind, session: context.session, receivedAt: context.receivedAt,
            occurredAt: WAHAWebhook.time(payload["timestamp"]) ?? WAHAWebhook.time(envelope["timestamp"]) ?? context.receivedAt)
        // Events other than messages are identified by WAHA's own event id (stable across its retries).
        let eventIdentity = envelope["id"]?.stringValue ?? ByteEncoding.hex(Digest.sha256(payload.canonicalBytes))

        switch kind {
        case "message", "message.any":
            try message(payload, kind: kind, into: &builder)
        case "message.ack", "message.ack.group":
            ack(payload, into: &builder)
        case "group.v2.join":
            let group = WAHAWebhook.group(payload["group"], asOf: builder.occurredAt)
            builder.add(.groupJoined, identity: eventIdentity, group: group?.id, data: ["group": group?.json ?? .null])
        case "group.v2.leave":
            let id = WAHAWire.id(payload["group"]?["id"])
            builder.add(.groupLeft, identity: eventIdentity, group: id, data: ["group": ["id": .string(id)]])
        case "group.v2.participants":
            participants(payload, identity: eventIdentity, into: &builder)
        case "group.v2.update":
            update(payload, identity: eventIdentity, into: &builder)
        case "group.v2.participants.join-request":
            joinRequest(payload, identity: eventIdentity, into: &builder)
        case "session.status":
            let status = payload["status"]?.stringValue
            builder.add(
                .sessionStatus, identity: eventIdentity, group: nil,
                data: ["status": .string(WAHAMapping.sessionStatus(status).rawValue), "providerStatus": .string(status)])
        default:
            builder.add(.providerUnmapped, identity: eventIdentity, group: nil, data: ["kind": .string(kind), "raw": envelope])
        }
        return builder.events
    }

    // MARK: - Kinds

    private func message(_ payload: JSON, kind: String, into builder: inout EventBuilder) throws(GatewayError) {
        let fromMe = payload["fromMe"]?.boolValue ?? false
        // `message` is inbound only; `message.any` adds our own sends. An inbound message under both kinds maps
        // to one event id, so subscribing to both never doubles it.
        let from = WAHAWire.id(payload["from"]) ?? ""
        let to = WAHAWire.id(payload["to"]) ?? ""
        let chat = from.hasSuffix("@g.us") ? from : to.hasSuffix("@g.us") ? to : (fromMe ? to : from)
        let core = WAHAWebhook.coreID(WAHAWire.id(payload["id"]) ?? "")
        var data: JSONObject = [
            "providerMessageId": .string(core), "type": .string(WAHAWebhook.type(payload).rawValue),
            "text": .string(payload["hasMedia"]?.boolValue == true ? nil : payload["body"]?.stringValue),
            "caption": .string(payload["hasMedia"]?.boolValue == true ? payload["body"]?.stringValue : nil),
            "media": WAHAWebhook.media(payload["media"]),
        ]
        if fromMe {
            data["status"] = "sent"
            builder.add(.messageSent, identity: "\(chat)/\(core)", group: chat.hasSuffix("@g.us") ? chat : nil, data: .object(data))
            return
        }
        // In a group, `from` is the group: the sender is `participant` (or `author`), and unknown without them.
        let sender = WAHAWire.id(payload["participant"]) ?? WAHAWire.id(payload["author"]) ?? (chat.hasSuffix("@g.us") ? nil : from)
        let user = sender.flatMap(WAHAMapping.user)
        data["sender"] = .string(user?.jid ?? sender)
        data["senderPhone"] = .string(user?.phone)
        if !chat.hasSuffix("@g.us") { data["chat"] = .string(chat) }
        builder.add(.messageReceived, identity: "\(chat)/\(core)", group: chat.hasSuffix("@g.us") ? chat : nil, data: .object(data))
    }

    /// `ack`: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED. Group acks come per participant.
    private func ack(_ payload: JSON, into builder: inout EventBuilder) {
        guard let level = payload["ack"]?.intValue else { return }
        let type: EventType
        let status: MessageStatus
        switch level {
        case -1: (type, status) = (.messageFailed, .failed)
        case 1: (type, status) = (.messageSent, .sent)
        case 2: (type, status) = (.messageDelivered, .delivered)
        case 3: (type, status) = (.messageRead, .read)
        case 4: (type, status) = (.messagePlayed, .played)
        default: return  // 0 PENDING (and unknown levels): nothing has happened yet — never a guess.
        }
        let from = WAHAWire.id(payload["from"]) ?? ""
        let to = WAHAWire.id(payload["to"]) ?? ""
        let chat = from.hasSuffix("@g.us") ? from : to
        let core = WAHAWebhook.coreID(WAHAWire.id(payload["id"]) ?? "")
        let participant = WAHAWire.id(payload["participant"]).flatMap(WAHAMapping.user)
        var data: JSONObject = ["providerMessageId": .string(core), "status": .string(status.rawValue)]
        data["participant"] = .string(participant?.jid)
        builder.add(type, identity: "\(chat)/\(core)/\(participant?.jid ?? "-")", group: chat.hasSuffix("@g.us") ? chat : nil, data: .object(data))
    }

    private func participants(_ payload: JSON, identity: String, into builder: inout EventBuilder) {
        let group = WAHAWire.id(payload["group"]?["id"])
        let list = (payload["participants"]?.arrayValue ?? []).compactMap { entry -> JSON? in
            guard let id = WAHAWire.id(entry["id"]) ?? entry.stringValue else { return nil }
            return WAHAMapping.participant(id, WAHAWire.role(entry)).json
        }
        let type: EventType
        switch payload["type"]?.stringValue {
        case "join", "add": type = .participantsJoined
        case "leave", "remove": type = .participantsLeft
        case "promote": type = .participantsPromoted
        case "demote": type = .participantsDemoted
        default:
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": "group.v2.participants", "raw": payload])
            return
        }
        builder.add(type, identity: identity, group: group, data: ["participants": .array(list)])
    }

    private func update(_ payload: JSON, identity: String, into builder: inout EventBuilder) {
        let group = payload["group"] ?? .null
        let id = WAHAWire.id(group["id"])
        var changed: JSONObject = ["id": .string(id)]
        if let subject = group["subject"]?.stringValue { changed["name"] = .string(subject) }
        if let description = group["description"] { changed["description"] = description.isNull ? .null : .string(description.stringValue) }
        var settings = JSONObject()
        if let canSend = group["membersCanSendMessages"]?.boolValue { settings["announce"] = .bool(!canSend) }
        if let canAdd = group["membersCanAddNewMember"]?.boolValue { settings["memberAddMode"] = .string(canAdd ? "all" : "admins") }
        if let approval = group["newMembersApprovalRequired"]?.boolValue { settings["approvalRequired"] = .bool(approval) }
        if !settings.isEmpty { changed["settings"] = .object(settings) }
        builder.add(.groupUpdated, identity: identity, group: id, data: .object(changed))
    }

    private func joinRequest(_ payload: JSON, identity: String, into builder: inout EventBuilder) {
        let group = WAHAWire.id(payload["group"]?["id"])
        var requester = (WAHAWire.id(payload["requesterId"]) ?? "").flatMapUser()
        if let pn = payload["requesterPn"]?.stringValue { requester = requester?.withPhone(pn) ?? UserID.parse(pn) }
        var data: JSONObject = ["requester": .string(requester?.jid ?? WAHAWire.id(payload["requesterId"])), "phone": .string(requester?.phone)]
        if let method = payload["requestMethod"]?.stringValue { data["method"] = .string(method) }
        switch payload["action"]?.stringValue {
        case "created": builder.add(.joinRequestCreated, identity: identity, group: group, data: .object(data))
        case "rejected": builder.add(.joinRequestRejected, identity: identity, group: group, data: .object(data))
        case "revoked":
            data["reason"] = "revoked_by_requester"
            builder.add(.joinRequestRejected, identity: identity, group: group, data: .object(data))
        default:
            builder.add(.providerUnmapped, identity: identity, group: group, data: ["kind": "group.v2.participants.join-request", "raw": payload])
        }
    }

    // MARK: - Values

    /// The WhatsApp message id inside WAHA's serialized id `true|false_<chat>_<id>[_<participant>]`: the third
    /// `_`-separated part (empty parts skipped). Found on the bytes: splitting the string by characters was 2.6 %
    /// of an ingest's CPU.
    static func coreID(_ serialized: String) -> String {
        let utf8 = serialized.utf8
        var parts: [Range<String.Index>] = []
        parts.reserveCapacity(3)
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex, parts.count < 3 {
            if utf8[index] == UInt8(ascii: "_") {
                if start != index { parts.append(start..<index) }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        if parts.count < 3, start != utf8.endIndex { parts.append(start..<utf8.endIndex) }
        guard parts.count == 3, serialized[parts[0]] == "true" || serialized[parts[0]] == "false" else { return serialized }
        return String(serialized[parts[2]])
    }

    static func type(_ payload: JSON) -> MessageType {
        guard payload["hasMedia"]?.boolValue == true else { return .text }
        let engineType = payload["_data"]?["type"]?.stringValue
        if engineType == "ptt" { return .voice }
        let mime = payload["media"]?["mimetype"]?.stringValue?.lowercased() ?? ""
        if mime.hasPrefix("image/") { return .image }
        if mime.hasPrefix("video/") { return .video }
        if mime.hasPrefix("audio/") { return engineType == "audio" ? .audio : (mime.contains("ogg") ? .voice : .audio) }
        return .document
    }

    static func media(_ json: JSON?) -> JSON {
        guard let json, !json.isNull, let url = json["url"]?.stringValue else { return .null }
        return MediaRef(url: url, mimeType: json["mimetype"]?.stringValue, filename: json["filename"]?.stringValue).json
    }

    static func group(_ json: JSON?, asOf: Date) -> Group? {
        guard let json, let id = WAHAWire.id(json["id"]) else { return nil }
        let participants = json["participants"]?.arrayValue?.compactMap { entry -> Participant? in
            guard let pid = WAHAWire.id(entry["id"]) else { return nil }
            return WAHAMapping.participant(pid, WAHAWire.role(entry))
        }
        let settings = GroupSettings(
            announce: json["membersCanSendMessages"]?.boolValue.map { !$0 }, locked: nil,
            approvalRequired: json["newMembersApprovalRequired"]?.boolValue,
            memberAddMode: json["membersCanAddNewMember"]?.boolValue.map { $0 ? .all : .admins })
        return Group(
            id: id, name: json["subject"]?.stringValue, description: json["description"]?.stringValue, participants: participants,
            settings: settings, inviteLink: json["invite"]?.stringValue.map { Invite.linkPrefix + Invite.code(from: $0) }, provider: WAHAMapping.kind,
            asOf: asOf)
    }

    /// Seconds or milliseconds since 1970.
    static func time(_ json: JSON?) -> Date? {
        guard let value = json?.doubleValue, value > 0 else { return nil }
        return Date(timeIntervalSince1970: value > 1e11 ? value / 1000 : value)
    }
}

extension String {
    fileprivate func flatMapUser() -> UserID? { UserID.parse(self) }
}
