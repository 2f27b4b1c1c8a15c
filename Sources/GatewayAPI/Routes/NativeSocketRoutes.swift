import GatewayCore
import GroupModel
import HTTPCore
import HTTPServer
import JSONCore
import WebSocket

/// `GET /v1/native/sessions/{session}/socket`: the native device protocol over WebSocket (docs/native-protocol.md).
enum NativeSocketRoutes {
    static func routes(_ env: APIEnvironment, hub: DeviceHub, calls: InternalCalls) -> [APIRoute] {
        [
            APIRoute(
                "GET", "/v1/native/sessions/{session}/socket", id: "connectDevice", tag: "native",
                summary: "A device of a native session: a WebSocket (RFC 6455 handshake: Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version 13) carrying the session's events as they happen (with log positions to resume from), and the device's acks, reads, sends and typing. Without '?after=', resumes after the session's last acknowledged position. Protocol: docs/native-protocol.md.",
                query: [.init("after", Schema.string(min: 1, max: 18, pattern: "^[0-9]+$"), "Resume after this position ('seq' of the last event the device has).")],
                responses: [
                    .init(101, "Switching to the WebSocket device protocol.", nil),
                    .error(400, "invalid_request: a malformed upgrade (Sec-WebSocket-Key) or 'after' beyond the newest event."),
                    .error(404, "session_not_found."),
                    .error(426, "upgrade_required: this endpoint speaks WebSocket (version 13)."),
                    .error(501, "unsupported_operation: the session is not a native one."),
                ],
                handler: .async { request in
                    let (binding, entry) = try env.sessions.resolve(request.parameter("session"), for: request.caller)
                    guard let local = entry.local else {
                        throw GatewayError.unsupportedOperation(provider: entry.kind, operation: "native.socket")
                    }
                    let accept: String
                    do {
                        accept = try WebSocketHandshake.validate(method: request.request.method, headers: request.request.headers)
                    } catch let refusal as WebSocketHandshake.Refusal {
                        // A HEAD (the only other method routed here) is told to upgrade, as a plain GET is.
                        throw refusal.status == 400 ? GatewayError.invalidRequest(refusal.message) : GatewayError.upgradeRequired(refusal.message)
                    }
                    let head = try env.events.lastSeq()
                    let after: Int64
                    if let text = request.query("after") {
                        guard let value = Int64(text), value <= head else {
                            throw GatewayError.invalidRequest("'after' (\(text)) is beyond the newest event (\(head)).", details: ["field": "after"])
                        }
                        after = value
                    } else {
                        after = try local.acknowledged(on: binding)
                    }
                    guard let send = calls.sendMessage else { throw GatewayError.internal("The send route is not wired.") }
                    var credentials = HTTPHeaders()
                    for name in ["authorization", "x-api-key"] { if let value = request.request.headers[name] { credentials.set(name, value) } }
                    let device = DeviceSocket(
                        context: DeviceSocket.Context(
                            env: env, hub: hub, principal: request.caller, binding: binding, local: local, credentials: credentials,
                            requestId: request.requestId, remoteAddress: request.context.remoteAddress, send: send),
                        after: after)
                    let headers: HTTPHeaders = ["Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": accept]
                    return HTTPResponse(switchingProtocols: headers, to: WebSocketConnection(limits: WebSocketLimits(), handler: device))
                }),
        ]
    }
}

/// Route handlers other routes call in-process (a device's `send` runs the HTTP send route itself). Set once by
/// `API.makeRouter`, read afterwards.
final class InternalCalls: @unchecked Sendable {
    var sendMessage: (@Sendable (RequestContext) async throws -> HTTPResponse)?
}
