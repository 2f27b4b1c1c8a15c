import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore

/// Sends, a message's status, a session's history, and the recipient's read receipt.
enum MessageRoutes {
    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        let messages = env.messages
        return [
            APIRoute(
                "POST", "/v1/sessions/{session}/messages", id: "sendMessage", tag: "messages",
                summary: "Send to a group by 'group' id or 'groupName'. 201 when the provider took it, 202 when queued. With an Idempotency-Key, a retry gets the first answer (Idempotent-Replayed: true); after a gateway crash mid-send, 200 with the message as stored.",
                body: Schema.ref("SendMessage"),
                responses: [
                    .init(200, "A retry of an interrupted send: the message as stored.", Schema.ref("Message")), .init(201, "Sent.", Schema.ref("Message")),
                    .init(202, "Accepted, queued for delivery.", Schema.ref("Message")),
                ] + APIRoute.Response.providerErrors,
                headers: [Idempotency.header],
                handler: .async { request in
                    let content = try MessageContent(json: try request.json())
                    let message = try await messages.send(content, session: request.parameter("session"), for: request.caller)
                    return .json(message.json, status: MessageService.answerStatus(message, recovered: IdempotencyStore.interrupted != nil))
                }),
            APIRoute(
                "GET", "/v1/sessions/{session}/messages", id: "listMessages", tag: "messages",
                summary: "Messages the session sent, oldest first (or newest first with order=desc). 'next' continues in the same order.",
                query: [.init("after", Schema.string(min: 1, max: 64), "Cursor: 'next' of the previous page (the last message id seen)."),
                        .init("group", ComponentSchemas.groupID, "Only messages sent to this group."),
                        .init("order", Schema.enumeration(["asc", "desc"]), "asc (default): oldest first; desc: newest first."),
                        .init("limit", ["type": "integer", "minimum": 1, "maximum": 500], "Page size (default 100).")],
                responses: [.init(200, "A page of messages.", Schema.ref("MessageList"))],
                handler: .async { request in
                    let limit = try request.intQuery("limit", default: 100, range: 1...500)
                    let page = try messages.history(
                        session: request.parameter("session"), group: request.query("group"), after: request.query("after"),
                        newestFirst: request.query("order") == "desc", limit: limit, for: request.caller)
                    return .json(["data": .array(page.map(\.json)), "next": .string(page.count == limit ? page.last?.id : nil)])
                }),
            APIRoute(
                "GET", "/v1/messages/{message}", id: "getMessage", tag: "messages",
                summary: "One message: status, receipts, error, and every attempt to hand it to the provider (time, outcome, provider status code).",
                responses: [.init(200, "The message.", Schema.ref("MessageWithAttempts"))],
                handler: .async { request in
                    let (message, attempts) = try messages.messageWithAttempts(request.parameter("message"), for: request.caller)
                    var object = message.json.objectValue ?? JSONObject()
                    object["attempts"] = .array(attempts.map(\.json))
                    return .json(.object(object))
                }),
            APIRoute(
                "POST", "/v1/sessions/{session}/messages/{message}/read", id: "markRead", tag: "messages",
                summary: "Mark a message this session received as read (native recipients).",
                responses: [.init(204, "Marked read.", nil)] + APIRoute.Response.providerErrors,
                handler: .async { request in
                    try await messages.markRead(message: request.parameter("message"), session: request.parameter("session"), for: request.caller)
                    return HTTPResponse(status: 204)
                }),
        ]
    }
}
