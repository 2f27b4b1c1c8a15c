import Crypto
import HTTPCore
import WebSocket
import XCTest

/// Messages from frames (fragments, interleaved control frames, UTF-8, size), close frames, and the handshake.
final class WebSocketMessageTests: XCTestCase {
    private func assemble(_ frames: [WebSocketFrame], maxMessageBytes: Int = 1 << 20) throws -> [WebSocketMessageAssembler.Message] {
        var assembler = WebSocketMessageAssembler(maxMessageBytes: maxMessageBytes)
        return try frames.compactMap { try assembler.receive($0) }
    }

    private func assertRefused(_ frames: [WebSocketFrame], _ code: UInt16, maxMessageBytes: Int = 1 << 20, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try assemble(frames, maxMessageBytes: maxMessageBytes), file: file, line: line) { error in
            XCTAssertEqual((error as? WebSocketError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    func testFragmentsWithAPingBetweenThemMakeOneMessage() throws {
        let messages = try assemble([
            WebSocketFrame(fin: false, opcode: .text, payload: Array("caf".utf8)), WebSocketFrame(opcode: .ping, payload: [9]),
            WebSocketFrame(fin: false, opcode: .continuation, payload: [0xC3]), WebSocketFrame(opcode: .continuation, payload: [0xA9]),
        ])
        XCTAssertEqual(messages, [.ping([9]), .text("café")])
    }

    func testBinaryAndCloseMessages() throws {
        XCTAssertEqual(try assemble([WebSocketFrame(opcode: .binary, payload: [0, 255])]), [.binary([0, 255])])
        XCTAssertEqual(try assemble([WebSocketFrame(opcode: .close)]), [.close(code: nil, reason: "")])
        XCTAssertEqual(try assemble([WebSocketFrame(opcode: .close, payload: [0x03, 0xE8] + Array("bye".utf8))]), [.close(code: 1000, reason: "bye")])
        XCTAssertEqual(try assemble([WebSocketFrame(opcode: .close, payload: [0x0F, 0xA0])]), [.close(code: 4000, reason: "")])
    }

    func testContinuationWithoutAMessageIsRefused() { assertRefused([WebSocketFrame(opcode: .continuation, payload: [1])], 1002) }
    func testNewMessageInsideAFragmentedOneIsRefused() {
        assertRefused([WebSocketFrame(fin: false, opcode: .text, payload: [65]), WebSocketFrame(opcode: .binary, payload: [1])], 1002)
    }
    func testInvalidUTF8IsRefusedAtTheFirstBadFragment() {
        var assembler = WebSocketMessageAssembler()
        XCTAssertNoThrow(try assembler.receive(WebSocketFrame(fin: false, opcode: .text, payload: Array("ok".utf8))))
        XCTAssertThrowsError(try assembler.receive(WebSocketFrame(fin: false, opcode: .continuation, payload: [0xC0, 0x80]))) { error in
            XCTAssertEqual((error as? WebSocketError)?.code, 1007, "an overlong form fails at once, before the message ends")
        }
    }
    func testSurrogatesAndOutOfRangeCodePointsAreRefused() {
        assertRefused([WebSocketFrame(opcode: .text, payload: [0xED, 0xA0, 0x80])], 1007)
        assertRefused([WebSocketFrame(opcode: .text, payload: [0xF4, 0x90, 0x80, 0x80])], 1007)
        assertRefused([WebSocketFrame(opcode: .text, payload: [0xFF])], 1007)
    }
    func testTextEndingInsideASequenceIsRefused() { assertRefused([WebSocketFrame(opcode: .text, payload: [0xE2, 0x82])], 1007) }
    func testMessageOverTheLimitIsRefused() {
        assertRefused([WebSocketFrame(fin: false, opcode: .binary, payload: Array(repeating: 0, count: 60)), WebSocketFrame(opcode: .continuation, payload: Array(repeating: 0, count: 60))], 1009, maxMessageBytes: 100)
    }
    func testOneByteClosePayloadIsRefused() { assertRefused([WebSocketFrame(opcode: .close, payload: [0x03])], 1002) }
    func testReservedCloseCodesAreRefused() {
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            assertRefused([WebSocketFrame(opcode: .close, payload: [UInt8(code >> 8), UInt8(code & 0xFF)])], 1002)
        }
    }
    func testCloseReasonMustBeUTF8() { assertRefused([WebSocketFrame(opcode: .close, payload: [0x03, 0xE8, 0xFF])], 1007) }

    // MARK: - Handshake

    func testAcceptKeyMatchesTheRFCExample() {
        XCTAssertEqual(WebSocketHandshake.accept(key: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testHandshakeValidation() throws {
        var headers = HTTPHeaders()
        headers.add("Upgrade", "WebSocket")
        headers.add("Connection", "keep-alive, Upgrade")
        headers.add("Sec-WebSocket-Version", "13")
        headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        XCTAssertEqual(try WebSocketHandshake.validate(method: "GET", headers: headers), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertThrowsError(try WebSocketHandshake.validate(method: "POST", headers: headers))
        var wrongVersion = headers
        wrongVersion.set("Sec-WebSocket-Version", "8")
        XCTAssertEqual(Self.status(try WebSocketHandshake.validate(method: "GET", headers: wrongVersion)), 426)
        var shortKey = headers
        shortKey.set("Sec-WebSocket-Key", "c2hvcnQ=")
        XCTAssertEqual(Self.status(try WebSocketHandshake.validate(method: "GET", headers: shortKey)), 400)
        var noUpgrade = headers
        noUpgrade.set("Upgrade", "h2c")
        XCTAssertEqual(Self.status(try WebSocketHandshake.validate(method: "GET", headers: noUpgrade)), 426)
    }

    private static func status(_ call: @autoclosure () throws -> String) -> Int? {
        do {
            _ = try call()
            return nil
        } catch let refusal as WebSocketHandshake.Refusal {
            return refusal.status
        } catch {
            return nil
        }
    }
}
