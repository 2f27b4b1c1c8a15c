/// Frames out of a byte stream, incrementally: `append` what the socket gave, then take frames with `next()` until it
/// answers nil (more bytes needed). A pure function of the bytes. Everything a server must refuse is refused with
/// the close code to use: reserved bits without an extension, unknown opcodes, unmasked client frames, fragmented or
/// oversized control frames, non-minimal or 64-bit-overflowing lengths, frames over the size limit.
public struct WebSocketFrameParser: Sendable {
    public let maxFrameBytes: Int
    /// Client-to-server frames must be masked; server-to-client frames must not be.
    public let expectMasked: Bool

    private var buffer: [UInt8] = []
    private var start = 0

    public init(maxFrameBytes: Int = 1 << 20, expectMasked: Bool = true) {
        self.maxFrameBytes = maxFrameBytes
        self.expectMasked = expectMasked
    }

    /// Bytes received and not yet parsed into frames.
    public var pendingBytes: Int { buffer.count - start }

    public mutating func append(_ bytes: [UInt8]) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, nil when more bytes are needed, or the error to close the connection with.
    public mutating func next() throws(WebSocketError) -> WebSocketFrame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let first = buffer[start], second = buffer[start + 1]
        guard first & 0x70 == 0 else { throw .protocolError("Reserved bits are set, but no extension was negotiated.") }
        guard let opcode = WebSocketFrame.Opcode(rawValue: first & 0x0F) else {
            throw .protocolError("Opcode \(first & 0x0F) is reserved.")
        }
        let fin = first & 0x80 != 0
        let masked = second & 0x80 != 0
        if masked != expectMasked {
            throw .protocolError(expectMasked ? "Client frames must be masked." : "Server frames must not be masked.")
        }
        var length = Int(second & 0x7F)
        var offset = 2
        if opcode.isControl {
            guard fin else { throw .protocolError("Control frames must not be fragmented.") }
            guard length <= 125 else { throw .protocolError("Control frames carry at most 125 bytes.") }
        }
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            guard length >= 126 else { throw .protocolError("The payload length is not in its shortest form.") }
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            guard buffer[start + 2] & 0x80 == 0 else { throw .protocolError("The payload length has its most significant bit set.") }
            var wide: UInt64 = 0
            for index in 2..<10 { wide = wide << 8 | UInt64(buffer[start + index]) }
            guard wide > 0xFFFF else { throw .protocolError("The payload length is not in its shortest form.") }
            guard wide <= UInt64(maxFrameBytes) else { throw WebSocketError(WebSocketCloseCode.messageTooBig, "Frames carry at most \(maxFrameBytes) bytes.") }
            length = Int(wide)
            offset = 10
        }
        guard length <= maxFrameBytes else { throw WebSocketError(WebSocketCloseCode.messageTooBig, "Frames carry at most \(maxFrameBytes) bytes.") }
        let maskOffset = offset
        if masked { offset += 4 }
        guard available >= offset + length else { return nil }
        let payloadStart = start + offset
        var payload = Array(buffer[payloadStart..<payloadStart + length])
        if masked {
            let mask = (buffer[start + maskOffset], buffer[start + maskOffset + 1], buffer[start + maskOffset + 2], buffer[start + maskOffset + 3])
            for index in payload.indices {
                switch index & 3 {
                case 0: payload[index] ^= mask.0
                case 1: payload[index] ^= mask.1
                case 2: payload[index] ^= mask.2
                default: payload[index] ^= mask.3
                }
            }
        }
        start += offset + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }
}
