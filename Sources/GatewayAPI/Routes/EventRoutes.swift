import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore

/// The event log by cursor.
enum EventRoutes {
    /// The cursor and filters both event routes take.
    static func filters(after: String) -> [APIRoute.QueryParameter] {
        [
            .init("after", Schema.string(min: 1, max: 18, pattern: "^[0-9]+$"), after),
            .init("session", ComponentSchemas.sessionName, "Only this session's events."),
            .init("type", Schema.array(Schema.enumeration(EventType.allCases.map(\.rawValue)), maxItems: 64, minItems: 1), "Only these types (comma-separated)."),
        ]
    }

    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        [
            APIRoute(
                "GET", "/v1/events", id: "listEvents", tag: "events",
                summary: "Canonical events, oldest first, after a cursor. 'next' is the cursor to continue from.",
                query: filters(after: "Cursor: 'next' of the previous page.")
                    + [.init("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "Page size (default 100).")],
                responses: [.init(200, "A page of events.", Schema.ref("EventList")), .error(404, "session_not_found: the 'session' filter names no session this key may use.")],
                handler: .async { request in
                    let query = try EventQuery(request, env)
                    let page = try env.events.page(after: query.after, sessions: query.sessions, types: query.types, limit: query.limit)
                    let next = page.last.map { String($0.seq) } ?? query.after.map(String.init)
                    return .json(["data": .array(page.map(\.event.json)), "next": .string(next)])
                }),
            APIRoute(
                "GET", "/v1/events/stream", id: "streamEvents", tag: "events",
                summary: "Server-Sent Events: the same events as GET /v1/events, pushed as they happen. Resume with Last-Event-ID (or ?after=): the id is the log cursor, so nothing is missed or repeated.",
                query: filters(after: "Cursor to start after (Last-Event-ID wins).")
                    + [.init("tail", ["type": "integer", "minimum": 0, "maximum": 1000], "Without a cursor: start with only the last N matching events instead of the whole log (0: only new ones).")],
                responses: [
                    .init(200, "An event stream.", Schema.ref("StreamEvent"), contentType: "text/event-stream"),
                    .error(404, "session_not_found: the 'session' filter names no session this key may use."),
                ],
                headers: ["Last-Event-ID"],
                handler: .async { request in
                    var query = try EventQuery(request, env, afterOverride: request.request.headers["last-event-id"])
                    if query.after == nil, request.query("tail") != nil {
                        let tail = try request.intQuery("tail", default: 0, range: 0...1000)
                        query.after = try env.events.cursor(beforeLast: tail, sessions: query.sessions, types: query.types)
                    }
                    var headers = HTTPHeaders()
                    headers.set("Content-Type", "text/event-stream")
                    headers.set("Cache-Control", "no-cache")
                    headers.set("X-Accel-Buffering", "no")
                    return HTTPResponse(
                        status: 200, headers: headers,
                        stream: EventStream(log: env.events, after: query.after, sessions: query.sessions, types: query.types))
                }),
        ]
    }
}

/// The filters of an event query, checked against the caller's scope.
struct EventQuery {
    var after: Int64?
    /// nil: every session (admins without a filter).
    let sessions: [String]?
    let types: [String]?
    let limit: Int

    init(_ request: APIRequest, _ env: APIEnvironment, afterOverride: String? = nil) throws {
        if let text = afterOverride ?? request.query("after") {
            guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(text) else {
                throw GatewayError.invalidRequest("'after' (or Last-Event-ID) must be a cursor from 'next'.")
            }
            after = value
        } else {
            after = nil
        }
        let caller = request.caller
        if let session = request.query("session") {
            sessions = [try env.sessions.session(session, for: caller).name]
        } else if caller.isAdmin {
            sessions = nil
        } else {
            sessions = env.sessions.sessions(for: caller).map(\.name)
        }
        if let text = request.query("type") {
            let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for type in list where EventType(rawValue: type) == nil {
                throw GatewayError.invalidRequest("Unknown event type '\(type)'.", details: ["known": .array(EventType.allCases.map { .string($0.rawValue) })])
            }
            types = list
        } else {
            types = nil
        }
        limit = try request.intQuery("limit", default: 100, range: 1...1000)
    }
}
