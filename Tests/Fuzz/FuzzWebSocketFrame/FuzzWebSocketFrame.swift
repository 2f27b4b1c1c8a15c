import WebSocket

/// libFuzzer target for the WebSocket frame parser and message assembler (docs/fuzzing.md).
///
/// The input is the byte stream a client sends after the handshake. It is parsed twice — in one piece, and in
/// pieces whose sizes derive from the input — and both runs must see the same frames, messages and error: a parser
/// whose answer depends on how TCP cut the stream is broken. Every frame must respect the limits, and re-encoding it
/// (masked, as a client would) must parse back to the same frame.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = run(bytes, pieces: [bytes.count])
    let split = run(bytes, pieces: pieces(for: bytes))
    guard whole == split else { fatalError("split input parsed differently:\n  whole: \(whole)\n  split: \(split)") }
    return 0
}

/// Small limits, so that every limit is reachable within `-max_len`.
private let maxFrameBytes = 300
private let maxMessageBytes = 500

/// What one connection saw: a line per frame and message, then the error if any.
private func run(_ bytes: [UInt8], pieces: [Int]) -> [String] {
    var parser = WebSocketFrameParser(maxFrameBytes: maxFrameBytes)
    var assembler = WebSocketMessageAssembler(maxMessageBytes: maxMessageBytes)
    var outcome: [String] = []
    var fed = 0
    for piece in pieces {
        parser.append(Array(bytes[fed..<fed + piece]))
        fed += piece
        while true {
            let frame: WebSocketFrame
            do {
                guard let next = try parser.next() else { break }
                frame = next
            } catch {
                outcome.append("error \(error)")
                return outcome
            }
            check(frame.payload.count <= maxFrameBytes, "a frame of \(frame.payload.count) bytes passed the limit")
            check(!frame.opcode.isControl || (frame.fin && frame.payload.count <= 125), "a control frame broke its rules")
            var again = WebSocketFrameParser(maxFrameBytes: maxFrameBytes)
            again.append(frame.encoded(mask: [0xA5, 0x01, 0x7E, 0xFF]))
            check((try? again.next()) == frame, "re-encoding changed the frame")
            outcome.append("frame \(frame.opcode) fin=\(frame.fin) \(frame.payload.count)")
            do {
                if let message = try assembler.receive(frame) {
                    if case .text(let text) = message { check(text.utf8.count <= maxMessageBytes, "a text message passed the limit") }
                    if case .binary(let data) = message { check(data.count <= maxMessageBytes, "a binary message passed the limit") }
                    outcome.append("message \(message)")
                }
            } catch {
                outcome.append("error \(error)")
                return outcome
            }
        }
    }
    return outcome
}

/// Piece sizes from the input itself: reproducible, many of them small.
private func pieces(for bytes: [UInt8]) -> [Int] {
    var sizes: [Int] = []
    var left = bytes.count
    var index = 0
    while left > 0 {
        let size = min(left, 1 + Int(bytes.isEmpty ? 0 : bytes[index % bytes.count] % 7))
        sizes.append(size)
        left -= size
        index += 1
    }
    return sizes
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
