import Foundation
import HTTPCore
import Support
import WebSocket
import XCTest

/// The server side of a connection against a recording channel: the close handshake both ways, failures with
/// their codes, pings, the idle timeout, and reading pausing while messages wait for a slow handler.
final class WebSocketConnectionTests: XCTestCase {
    func testClientCloseIsEchoedAndTheConnectionClosed() throws {
        let (socket, channel, handler) = open()
        socket.received(masked(.close, [0x03, 0xE8] + Array("bye".utf8)))
        XCTAssertTrue(channel.waitUntilClosed())
        XCTAssertEqual(channel.frames().last, WebSocketFrame(opcode: .close, payload: [0x03, 0xE8]))
        XCTAssertEqual(handler.waitForClose(), 1000)
        XCTAssertEqual(handler.closeReason.get(), "bye")
    }

    func testACloseWithoutCodeIsAnsweredWithoutCodeAndReports1005() throws {
        let (socket, channel, handler) = open()
        socket.received(masked(.close, []))
        XCTAssertTrue(channel.waitUntilClosed())
        XCTAssertEqual(channel.frames().last, WebSocketFrame(opcode: .close, payload: []))
        XCTAssertEqual(handler.waitForClose(), 1005)
    }

    func testServerCloseWaitsForTheClientThenClosesTCP() throws {
        let (socket, channel, handler) = open()
        socket.close(code: 1000, reason: "done")
        XCTAssertTrue(channel.waitForFrames(1))
        XCTAssertEqual(channel.frames().last?.opcode, .close)
        XCTAssertFalse(channel.closed.get(), "TCP stays open until the client answers")
        XCTAssertFalse(socket.send(text: "late"), "nothing may follow a close frame")
        socket.received(masked(.close, [0x03, 0xE8]))
        XCTAssertTrue(channel.waitUntilClosed())
        XCTAssertEqual(handler.waitForClose(), 1000)
        XCTAssertEqual(channel.frames().count, 1, "the client's answer is not answered again")
    }

    func testAClientThatNeverAnswersACloseIsDropped() throws {
        let (socket, channel, _) = open(WebSocketLimits(closeTimeout: 0.2))
        socket.close()
        XCTAssertTrue(channel.waitUntilClosed(timeout: 3))
    }

    func testProtocolErrorsCloseWithTheirCode() throws {
        let cases: [(String, [UInt8], UInt16)] = [
            ("unmasked", WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded(), 1002),
            ("invalid UTF-8", masked(.text, [0xC3, 0x28]), 1007),
            ("oversized", masked(.text, Array(repeating: 0x61, count: 200)), 1009),
            ("orphan continuation", masked(.continuation, [0x61]), 1002),
            ("bad close code", masked(.close, [0x03, 0xED]), 1002),
        ]
        for (label, bytes, code) in cases {
            let (socket, channel, handler) = open(WebSocketLimits(maxFrameBytes: 100, maxMessageBytes: 100))
            socket.received(bytes)
            XCTAssertTrue(channel.waitUntilClosed(), label)
            let close = try XCTUnwrap(channel.frames().last, label)
            XCTAssertEqual(close.opcode, .close, label)
            XCTAssertEqual(UInt16(close.payload[0]) << 8 | UInt16(close.payload[1]), code, label)
            XCTAssertEqual(handler.waitForClose(), code, label)
        }
    }

    func testPingIsAnsweredWithItsPayload() throws {
        let (socket, channel, _) = open()
        socket.received(masked(.ping, Array("abc".utf8)))
        XCTAssertTrue(channel.waitForFrames(1))
        XCTAssertEqual(channel.frames().first, WebSocketFrame(opcode: .pong, payload: Array("abc".utf8)))
    }

    func testFramesSplitAcrossReadsAndFragmentsMakeOneMessage() throws {
        let (socket, _, handler) = open()
        let bytes = masked(.text, Array("hel".utf8), fin: false) + masked(.ping, []) + masked(.continuation, Array("lo".utf8))
        for byte in bytes { socket.received([byte]) }
        XCTAssertTrue(handler.waitForMessages(1))
        XCTAssertEqual(handler.messages.get(), [.text("hello")])
    }

    func testAQuietClientIsPingedThenDroppedWith1001() throws {
        let (socket, channel, handler) = open(WebSocketLimits(pingInterval: 0.1, idleTimeout: 0.4, closeTimeout: 0.2))
        XCTAssertTrue(channel.waitForFrames(1, timeout: 3))
        XCTAssertEqual(channel.frames().first?.opcode, .ping)
        XCTAssertEqual(handler.waitForClose(timeout: 5), 1001)
        XCTAssertTrue(channel.closed.get())
        withExtendedLifetime(socket) {}  // the server's connection holds it in production
    }

    func testReadingPausesWhileMessagesWaitForASlowHandler() throws {
        let handler = RecordingHandler(delay: 0.2)
        let (socket, channel, _) = open(WebSocketLimits(maxQueuedMessages: 4), handler: handler)
        for index in 0..<8 { socket.received(masked(.text, Array("m\(index)".utf8))) }
        XCTAssertTrue(wait { channel.reading.get() == false }, "reading pauses with messages queued")
        XCTAssertTrue(handler.waitForMessages(8, timeout: 10))
        XCTAssertTrue(wait { channel.reading.get() == true }, "reading resumes once the handler caught up")
        XCTAssertEqual(handler.messages.get(), (0..<8).map { .text("m\($0)") }, "in order, none lost")
    }

    func testServerShutdownClosesWithGoingAway() throws {
        let (socket, channel, _) = open()
        socket.serverStopping()
        XCTAssertTrue(channel.waitForFrames(1))
        let close = try XCTUnwrap(channel.frames().first)
        XCTAssertEqual(Array(close.payload.prefix(2)), [0x03, 0xE9])
    }

    func testADroppedConnectionReports1006() throws {
        let (socket, _, handler) = open()
        socket.closed()
        XCTAssertEqual(handler.waitForClose(), 1006)
    }

    func testCloseReasonsAreCutOnACharacterBoundary() throws {
        let (socket, channel, _) = open()
        socket.close(code: 1000, reason: String(repeating: "é", count: 100))
        XCTAssertTrue(channel.waitForFrames(1))
        let payload = try XCTUnwrap(channel.frames().first?.payload)
        XCTAssertLessThanOrEqual(payload.count, 125)
        XCTAssertNotNil(String(validating: payload.dropFirst(2), as: UTF8.self), "the reason is still valid UTF-8")
    }

    // MARK: - Helpers

    private func open(_ limits: WebSocketLimits = WebSocketLimits(), handler: RecordingHandler = RecordingHandler())
        -> (WebSocketConnection, RecordingChannel, RecordingHandler)
    {
        let socket = WebSocketConnection(limits: limits, handler: handler)
        let channel = RecordingChannel(socket: socket)
        socket.start(channel)
        return (socket, channel, handler)
    }

    private func masked(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        WebSocketFrame(fin: fin, opcode: opcode, payload: payload).encoded(mask: [0x12, 0x34, 0x56, 0x78])
    }

    private func wait(timeout: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(2_000)
        }
        return true
    }
}

/// A channel that records what the server side writes, parsed back into frames.
final class RecordingChannel: UpgradedChannel, @unchecked Sendable {
    private let bytes = LockedValue<[UInt8]>([])
    let closed = LockedValue(false)
    let reading = LockedValue(true)
    private weak var socket: WebSocketConnection?

    init(socket: WebSocketConnection) { self.socket = socket }

    func write(_ bytes: [UInt8]) -> Bool {
        guard !closed.get() else { return false }
        self.bytes.withLock { $0 += bytes }
        return true
    }

    var bufferedBytes: Int { 0 }
    func setReading(_ reading: Bool) { self.reading.set(reading) }

    func close() {
        guard !closed.withLock({ value -> Bool in defer { value = true }; return value }) else { return }
        socket?.closed()
    }

    func frames() -> [WebSocketFrame] {
        var parser = WebSocketFrameParser(maxFrameBytes: 1 << 20, expectMasked: false)
        parser.append(bytes.get())
        var frames: [WebSocketFrame] = []
        while let frame = try? parser.next() { frames.append(frame) }
        return frames
    }

    func waitForFrames(_ count: Int, timeout: Double = 5) -> Bool { poll(timeout) { self.frames().count >= count } }
    func waitUntilClosed(timeout: Double = 5) -> Bool { poll(timeout) { self.closed.get() } }
}

final class RecordingHandler: WebSocketHandler, @unchecked Sendable {
    let messages = LockedValue<[WebSocketConnection.Message]>([])
    let closeCode = LockedValue<UInt16?>(nil)
    let closeReason = LockedValue("")
    private let delay: Double

    init(delay: Double = 0) { self.delay = delay }

    func opened(_ socket: WebSocketConnection) {}
    func received(_ message: WebSocketConnection.Message, on socket: WebSocketConnection) async {
        if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        messages.withLock { $0.append(message) }
    }
    func writable(_ socket: WebSocketConnection) {}
    func closed(_ socket: WebSocketConnection, code: UInt16, reason: String) {
        closeReason.set(reason)
        closeCode.set(code)
    }

    func waitForMessages(_ count: Int, timeout: Double = 5) -> Bool { poll(timeout) { self.messages.get().count >= count } }
    func waitForClose(timeout: Double = 5) -> UInt16? { poll(timeout) { self.closeCode.get() != nil } ? closeCode.get() : nil }
}

private func poll(_ timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { return false }
        usleep(2_000)
    }
    return true
}
