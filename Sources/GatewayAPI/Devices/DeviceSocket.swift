import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import HTTPServer
import JSONCore
import ProviderKit
import Support
import WebSocket

/// One connected device of a native session: receives the session's events through the hub, and carries out
/// what the device sends — `ack` (delivered receipts), `read`, `send` (through the HTTP send route itself, so
/// validation, idempotency and rate limits are the same), `typing`. A command that fails is answered with an
/// `error` frame and the connection stays; a frame that breaks the protocol closes it (1008, or 1003 for binary).
/// Every command counts against the key's rate limit, as a request would.
final class DeviceSocket: WebSocketHandler, @unchecked Sendable {
    /// What the device needs from the gateway, fixed at the upgrade.
    struct Context: Sendable {
        let env: APIEnvironment
        let hub: DeviceHub
        let principal: Principal
        let binding: SessionBinding
        let local: any LocalProvider
        /// The upgrade request's credentials, presented again for every send and every revalidation.
        let credentials: HTTPHeaders
        let requestId: String
        let remoteAddress: String
        /// `POST /v1/sessions/{session}/messages` as the router runs it.
        let send: @Sendable (RequestContext) async throws -> HTTPResponse
    }

    let session: String
    private let context: Context
    private let renderer: ErrorRenderer
    /// Delivery state, on the hub's queue only.
    var delivery: DeviceDelivery
    private let socket = LockedValue<WebSocketConnection?>(nil)
    // Touched by `received` only (one message at a time).
    private var commands = 0
    private var lastTyping: [String: (typing: Bool, at: Double)] = [:]

    /// Repeated typing frames with the same state within this time produce no new event.
    static let typingRepeatSeconds = 3.0

    init(context: Context, after: Int64) {
        self.context = context
        session = context.binding.session
        renderer = ErrorRenderer(logger: context.env.logger)
        delivery = DeviceDelivery(cursor: after)
    }

    var bufferedBytes: Int { socket.get()?.bufferedBytes ?? 0 }

    func send(_ frame: String) { socket.get()?.send(text: frame) }

    // MARK: - WebSocketHandler

    func opened(_ socket: WebSocketConnection) {
        self.socket.set(socket)
        context.env.logger.info("device connected", ["session": .string(session), "requestId": .string(context.requestId), "after": .int(delivery.cursor)])
        context.hub.attach(self)
    }

    func writable(_ socket: WebSocketConnection) { context.hub.writable(self) }

    func closed(_ socket: WebSocketConnection, code: UInt16, reason: String) {
        context.hub.detach(self)
        self.socket.set(nil)
        context.env.logger.info(
            "device disconnected", ["session": .string(session), "requestId": .string(context.requestId), "code": .int(Int64(code)), "reason": .string(reason)])
    }

    func received(_ message: WebSocketConnection.Message, on socket: WebSocketConnection) async {
        guard case .text(let text) = message else {
            socket.close(code: WebSocketCloseCode.unsupportedData, reason: "Device frames are JSON text frames.")
            return
        }
        let command: DeviceFrames.Command
        do {
            command = try DeviceFrames.parse(text)
        } catch {
            socket.close(code: WebSocketCloseCode.policyViolation, reason: error.reason)
            return
        }
        guard authorized(socket) else { return }
        commands += 1
        do {
            // Every command costs one request of the key's rate limit (a send pays in the send route itself).
            if case .send = command {} else { _ = try context.env.rateLimiter?.take(context.principal) }
            socket.send(text: DeviceFrames.ok(command, data: try await execute(command)))
        } catch let failure as CommandFailure {
            socket.send(text: DeviceFrames.error(command, status: failure.status, body: failure.body))
        } catch {
            let response = renderer.render(error, requestId: "\(context.requestId):\(commands)")
            socket.send(text: DeviceFrames.error(command, status: response.status, body: (try? JSONParser.parse(response.bodyBytes)) ?? .null))
        }
    }

    // MARK: - Commands

    /// A send the HTTP route refused: its status and canonical body, as rendered.
    private struct CommandFailure: Error {
        let status: Int
        let body: JSON
    }

    private func execute(_ command: DeviceFrames.Command) async throws -> JSONObject {
        switch command {
        case .ack(let seq, _):
            let sent = context.hub.sent(to: self)
            guard seq <= sent else {
                throw GatewayError.invalidRequest("'seq' \(seq) is beyond the newest event sent to this device (\(sent)).", details: ["field": "seq"])
            }
            return ["acked": .int(try await context.local.acknowledge(through: seq, on: context.binding))]
        case .read(let message, _):
            try await context.env.messages.markRead(message: message, session: session, for: context.principal)
            return ["message": .string(message)]
        case .typing(let group, let typing, _):
            let now = Monotonic.seconds()
            if let last = lastTyping[group], last.typing == typing, now - last.at < Self.typingRepeatSeconds { return ["group": .string(group)] }
            try await context.local.typing(typing, group: group, on: context.binding)
            if lastTyping.count > 256 { lastTyping = [:] }
            lastTyping[group] = (typing, now)
            return ["group": .string(group)]
        case .send(let message, let idempotencyKey, _):
            var headers = context.credentials
            headers.set("Content-Type", "application/json")
            if let idempotencyKey { headers.set("Idempotency-Key", idempotencyKey) }
            let target = "/v1/sessions/\(session)/messages"  // session names are URL-safe (^[a-z0-9][a-z0-9_-]*$)
            let request = HTTPRequest(method: "POST", target: target, versionMinor: 1, headers: headers, body: message.bytes)
            let requestId = "\(context.requestId):\(commands)"
            let call = RequestContext(
                request: request, parameters: ["session": session], route: "/v1/sessions/{session}/messages", requestId: requestId,
                remoteAddress: context.remoteAddress, logger: context.env.logger)
            let response: HTTPResponse
            do { response = try await context.send(call) } catch { response = renderer.render(error, requestId: requestId) }
            let body = (try? JSONParser.parse(response.bodyBytes)) ?? .null
            guard response.status < 400 else { throw CommandFailure(status: response.status, body: body) }
            return [
                "status": .int(Int64(response.status)), "message": body,
                "replayed": .bool(response.headers["idempotent-replayed"] == "true"),
            ]
        }
    }

    // MARK: - Credentials

    /// Whether the upgrade's credentials still hold; a revoked or expired key closes the connection.
    @discardableResult
    private func authorized(_ socket: WebSocketConnection) -> Bool {
        guard (try? context.env.authenticator.authenticate(context.credentials)) != nil else {
            socket.close(code: WebSocketCloseCode.policyViolation, reason: "The API key was revoked or has expired.")
            return false
        }
        return true
    }

    /// Hub timer: checks the credentials of a device that may only be listening.
    func revalidate() {
        guard let socket = socket.get() else { return }
        authorized(socket)
    }
}
