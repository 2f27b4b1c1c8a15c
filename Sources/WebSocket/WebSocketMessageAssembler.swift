/// Messages out of frames: fragments joined (control frames may arrive between them), text checked to be UTF-8 as
/// it arrives, the message size bounded, close frames read (code and reason checked).
public struct WebSocketMessageAssembler: Sendable {
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        case ping([UInt8])
        case pong([UInt8])
        /// The peer's close: its code (nil when it sent none) and reason.
        case close(code: UInt16?, reason: String)
    }

    public let maxMessageBytes: Int
    private var opcode: WebSocketFrame.Opcode?
    private var parts: [UInt8] = []
    private var utf8 = UTF8Validator()

    public init(maxMessageBytes: Int = 1 << 20) { self.maxMessageBytes = maxMessageBytes }

    /// The message `frame` completes, nil when it continues one, or the error to close with.
    public mutating func receive(_ frame: WebSocketFrame) throws(WebSocketError) -> Message? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return try WebSocketMessageAssembler.close(frame.payload)
        case .text, .binary:
            guard opcode == nil else { throw .protocolError("A new message started before the previous one was finished.") }
            opcode = frame.opcode
            utf8 = UTF8Validator()
        case .continuation:
            guard opcode != nil else { throw .protocolError("A continuation frame arrived with no message to continue.") }
        }
        guard parts.count + frame.payload.count <= maxMessageBytes else {
            throw WebSocketError(WebSocketCloseCode.messageTooBig, "Messages carry at most \(maxMessageBytes) bytes.")
        }
        if opcode == .text {
            guard utf8.feed(frame.payload) else { throw WebSocketError(WebSocketCloseCode.invalidPayload, "A text message is not valid UTF-8.") }
        }
        parts += frame.payload
        guard frame.fin else { return nil }
        defer {
            opcode = nil
            parts = []
        }
        if opcode == .binary { return .binary(parts) }
        guard utf8.isComplete else { throw WebSocketError(WebSocketCloseCode.invalidPayload, "A text message ends inside a UTF-8 sequence.") }
        return .text(String(decoding: parts, as: UTF8.self))
    }

    static func close(_ payload: [UInt8]) throws(WebSocketError) -> Message {
        guard !payload.isEmpty else { return .close(code: nil, reason: "") }
        guard payload.count >= 2 else { throw .protocolError("A close frame's payload is a 2-byte code and a reason.") }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard WebSocketCloseCode.isValidOnTheWire(code) else { throw .protocolError("Close code \(code) may not be sent.") }
        var validator = UTF8Validator()
        let reason = Array(payload[2...])
        guard validator.feed(reason), validator.isComplete else {
            throw WebSocketError(WebSocketCloseCode.invalidPayload, "A close reason is not valid UTF-8.")
        }
        return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
    }
}
