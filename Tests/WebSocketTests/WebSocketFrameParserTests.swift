import WebSocket
import XCTest

/// The frame parser: well-formed frames in every length encoding and split at every byte, and one test per
/// malformed case, each refused with the close code RFC 6455 prescribes.
final class WebSocketFrameParserTests: XCTestCase {
    let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    private func parse(_ bytes: [UInt8], maxFrameBytes: Int = 1 << 20) throws -> [WebSocketFrame] {
        var parser = WebSocketFrameParser(maxFrameBytes: maxFrameBytes)
        parser.append(bytes)
        var frames: [WebSocketFrame] = []
        while let frame = try parser.next() { frames.append(frame) }
        XCTAssertEqual(parser.pendingBytes, 0)
        return frames
    }

    private func assertRefused(_ bytes: [UInt8], _ code: UInt16, _ reason: String, maxFrameBytes: Int = 1 << 20, file: StaticString = #filePath, line: UInt = #line) {
        var parser = WebSocketFrameParser(maxFrameBytes: maxFrameBytes)
        parser.append(bytes)
        XCTAssertThrowsError(try parser.next(), file: file, line: line) { error in
            XCTAssertEqual((error as? WebSocketError)?.code, code, "\(error)", file: file, line: line)
            XCTAssertTrue((error as? WebSocketError)?.reason.contains(reason) == true, "\(error)", file: file, line: line)
        }
    }

    // MARK: - Well-formed

    func testMaskedTextFrameIsUnmasked() throws {
        // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
        let frames = try parse([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        XCTAssertEqual(frames, [WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))])
    }

    func testEveryLengthEncodingRoundTrips() throws {
        for count in [0, 1, 125, 126, 127, 65535, 65536, 70000] {
            let frame = WebSocketFrame(opcode: .binary, payload: (0..<count).map { UInt8($0 & 0xFF) })
            XCTAssertEqual(try parse(frame.encoded(mask: mask)), [frame], "length \(count)")
        }
    }

    func testFramesSplitAtEveryByteAreReassembled() throws {
        let frames = [
            WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)), WebSocketFrame(opcode: .ping, payload: [1, 2]),
            WebSocketFrame(opcode: .continuation, payload: Array("lo".utf8)), WebSocketFrame(opcode: .binary, payload: Array(repeating: 7, count: 300)),
        ]
        let wire = frames.flatMap { $0.encoded(mask: mask) }
        for split in 0...wire.count {
            var parser = WebSocketFrameParser()
            var got: [WebSocketFrame] = []
            parser.append(Array(wire[..<split]))
            while let frame = try parser.next() { got.append(frame) }
            parser.append(Array(wire[split...]))
            while let frame = try parser.next() { got.append(frame) }
            XCTAssertEqual(got, frames, "split at \(split)")
        }
    }

    func testIncompleteFrameWaitsForMoreBytes() throws {
        var parser = WebSocketFrameParser()
        parser.append(Array(WebSocketFrame(opcode: .text, payload: Array("abc".utf8)).encoded(mask: mask).dropLast()))
        XCTAssertNil(try parser.next())
    }

    func testServerSideParserRefusesMaskedFrames() {
        var parser = WebSocketFrameParser(expectMasked: false)
        parser.append(WebSocketFrame(opcode: .text).encoded(mask: mask))
        XCTAssertThrowsError(try parser.next())
        var client = WebSocketFrameParser(expectMasked: false)
        client.append(WebSocketFrame(opcode: .text, payload: [65]).encoded())
        XCTAssertEqual(try client.next(), WebSocketFrame(opcode: .text, payload: [65]))
    }

    // MARK: - Malformed: one test per case

    func testUnmaskedClientFrameIsRefused() { assertRefused(WebSocketFrame(opcode: .text, payload: [65]).encoded(), 1002, "masked") }
    func testRSV1IsRefused() { assertRefused([0xC1, 0x80] + mask, 1002, "Reserved bits") }
    func testRSV2IsRefused() { assertRefused([0xA1, 0x80] + mask, 1002, "Reserved bits") }
    func testRSV3IsRefused() { assertRefused([0x91, 0x80] + mask, 1002, "Reserved bits") }
    func testReservedDataOpcodeIsRefused() { assertRefused([0x83, 0x80] + mask, 1002, "Opcode 3") }
    func testReservedControlOpcodeIsRefused() { assertRefused([0x8B, 0x80] + mask, 1002, "Opcode 11") }
    func testFragmentedPingIsRefused() { assertRefused([0x09, 0x80] + mask, 1002, "fragmented") }
    func testFragmentedCloseIsRefused() { assertRefused([0x08, 0x80] + mask, 1002, "fragmented") }
    func testOversizedControlFrameIsRefused() { assertRefused([0x89, 0xFE, 0x00, 0x7E] + mask, 1002, "125 bytes") }
    func testNonMinimal16BitLengthIsRefused() { assertRefused([0x82, 0xFE, 0x00, 0x05] + mask, 1002, "shortest form") }
    func testNonMinimal64BitLengthIsRefused() { assertRefused([0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x00] + mask, 1002, "shortest form") }
    func testLengthWithMostSignificantBitIsRefused() { assertRefused([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0] + mask, 1002, "most significant bit") }
    func testFrameOverTheLimitIsRefusedBeforeItsPayloadArrives() {
        assertRefused([0x82, 0xFE, 0x04, 0x00] + mask, 1009, "at most 1000 bytes", maxFrameBytes: 1000)
        assertRefused([0x82, 0xFF, 0, 0, 0, 0x01, 0, 0, 0, 0] + mask, 1009, "at most", maxFrameBytes: 1 << 20)
    }
}
