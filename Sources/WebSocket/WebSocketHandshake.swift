import Crypto
import HTTPCore
import Support

/// The opening handshake (RFC 6455 §4.2): which upgrade requests are acceptable, and the answer's
/// `Sec-WebSocket-Accept`.
public enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Why an upgrade request is refused: the HTTP status and a message (426 carries `Sec-WebSocket-Version: 13`).
    public struct Refusal: Error, Sendable, Equatable {
        public let status: Int
        public let message: String
    }

    /// The `Sec-WebSocket-Accept` for a request's `Sec-WebSocket-Key`.
    public static func accept(key: String) -> String {
        ByteEncoding.base64(Digest.sha1(Array((key + guid).utf8)))
    }

    /// Checks an upgrade request's method and headers; returns its `Sec-WebSocket-Accept`.
    public static func validate(method: String, headers: HTTPHeaders) throws(Refusal) -> String {
        guard method == "GET" else { throw Refusal(status: 405, message: "A WebSocket upgrade is a GET request.") }
        guard headers.tokens("upgrade").contains("websocket") else {
            throw Refusal(status: 426, message: "This endpoint speaks WebSocket: send 'Upgrade: websocket' and 'Connection: Upgrade'.")
        }
        guard headers.tokens("connection").contains("upgrade") else {
            throw Refusal(status: 400, message: "A WebSocket upgrade needs 'Connection: Upgrade'.")
        }
        guard headers.values("sec-websocket-version").map({ $0.trimmingASCIIWhitespace() }) == ["13"] else {
            throw Refusal(status: 426, message: "Only WebSocket version 13 is supported (Sec-WebSocket-Version: 13).")
        }
        let keys = headers.values("sec-websocket-key")
        guard keys.count == 1, let key = keys.first?.trimmingASCIIWhitespace(), ByteEncoding.fromBase64(key)?.count == 16 else {
            throw Refusal(status: 400, message: "Sec-WebSocket-Key must be the base64 of 16 bytes, given once.")
        }
        return accept(key: key)
    }
}
