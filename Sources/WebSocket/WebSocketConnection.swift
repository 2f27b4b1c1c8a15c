import Dispatch
import HTTPCore
import Support

/// What an application does with a server-side WebSocket connection.
public protocol WebSocketHandler: Sendable {
    /// The handshake is done; the socket may send.
    func opened(_ socket: WebSocketConnection)
    /// One complete message. Messages are handled one at a time, in order: the next waits until this returns,
    /// and while messages wait the server stops reading (the client's sends then block in its own buffers).
    func received(_ message: WebSocketConnection.Message, on socket: WebSocketConnection) async
    /// Everything sent so far was taken by the kernel: a producer that paused on `bufferedBytes` may go on.
    func writable(_ socket: WebSocketConnection)
    /// The connection ended: the close code (ours, the peer's, or 1006 when the TCP connection just dropped).
    func closed(_ socket: WebSocketConnection, code: UInt16, reason: String)
}

/// The bounds of one connection.
public struct WebSocketLimits: Sendable {
    public var maxFrameBytes: Int
    public var maxMessageBytes: Int
    /// Without a frame from the client for this long, the server pings.
    public var pingInterval: Double
    /// Without any frame (a pong included) for this long, the connection is closed (1001).
    public var idleTimeout: Double
    /// After sending a close frame, how long to wait for the client's before dropping the connection.
    public var closeTimeout: Double
    /// Messages received but not yet handled before reading pauses.
    public var maxQueuedMessages: Int

    public init(
        maxFrameBytes: Int = 1 << 20, maxMessageBytes: Int = 1 << 20, pingInterval: Double = 20, idleTimeout: Double = 60,
        closeTimeout: Double = 5, maxQueuedMessages: Int = 16
    ) {
        self.maxFrameBytes = maxFrameBytes
        self.maxMessageBytes = maxMessageBytes
        self.pingInterval = pingInterval
        self.idleTimeout = idleTimeout
        self.closeTimeout = closeTimeout
        self.maxQueuedMessages = maxQueuedMessages
    }
}

/// The server side of one WebSocket (RFC 6455) on an upgraded HTTP connection: frames parsed and checked as they
/// arrive (masking, fragmentation, UTF-8, sizes), pings answered, the client pinged when quiet and dropped when
/// silent, the close handshake in both directions, and back-pressure both ways. State lives on a private serial
/// queue; `send`, `close` and `bufferedBytes` may be used from any thread.
public final class WebSocketConnection: ConnectionUpgrade, @unchecked Sendable {
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    public let limits: WebSocketLimits
    private let handler: any WebSocketHandler
    private let queue = DispatchQueue(label: "switchboard.websocket")

    /// What writers on any thread share: the channel, and whether a close frame has gone out (nothing after it).
    private struct Output {
        var channel: (any UpgradedChannel)?
        var open = true
    }
    private let output = LockedValue(Output())

    private enum Phase {
        case open
        /// Our close frame is out; waiting for the client's until the deadline.
        case closing(deadline: Double)
        case closed
    }

    // Touched on `queue` only.
    private var phase = Phase.open
    private var parser: WebSocketFrameParser
    private var assembler: WebSocketMessageAssembler
    private var inbox: [Message] = []
    private var handling = false
    private var readingPaused = false
    private var lastHeard = Monotonic.seconds()
    private var lastPing = 0.0
    private var timer: (any DispatchSourceTimer)?
    /// The code the connection ends with (sent or received first).
    private var closeCode: UInt16?
    private var closeReason = ""
    private var notifiedClosed = false

    public init(limits: WebSocketLimits = WebSocketLimits(), handler: any WebSocketHandler) {
        self.limits = limits
        self.handler = handler
        parser = WebSocketFrameParser(maxFrameBytes: limits.maxFrameBytes, expectMasked: true)
        assembler = WebSocketMessageAssembler(maxMessageBytes: limits.maxMessageBytes)
    }

    // MARK: - Application side (any thread)

    /// Sends a text message. False once the connection is closing or gone.
    @discardableResult
    public func send(text: String) -> Bool { write(WebSocketFrame(opcode: .text, payload: Array(text.utf8))) }

    /// Bytes sent but not yet taken by the kernel.
    public var bufferedBytes: Int { output.withLock { $0.channel?.bufferedBytes ?? 0 } }

    /// Starts the close handshake (1000 by default).
    public func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "") {
        queue.async { self.startClosing(code: code, reason: reason) }
    }

    private func write(_ frame: WebSocketFrame) -> Bool {
        let bytes = frame.encoded()
        return output.withLock { state in
            guard state.open, let channel = state.channel else { return false }
            if frame.opcode == .close { state.open = false }
            return channel.write(bytes)
        }
    }

    // MARK: - ConnectionUpgrade (the server's thread)

    public func start(_ channel: any UpgradedChannel) {
        output.withLock { $0.channel = channel }
        queue.async {
            self.lastHeard = Monotonic.seconds()
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            let period = max(0.05, min(self.limits.pingInterval, self.limits.closeTimeout) / 4)
            timer.schedule(deadline: .now() + period, repeating: period)
            timer.setEventHandler { [weak self] in self?.tick() }
            timer.resume()
            self.timer = timer
            self.handler.opened(self)
        }
    }

    public func received(_ bytes: [UInt8]) {
        queue.async { self.consume(bytes) }
    }

    public func drained() { handler.writable(self) }

    public func serverStopping() {
        queue.async { self.startClosing(code: WebSocketCloseCode.goingAway, reason: "The server is shutting down.") }
    }

    public func closed() {
        queue.async {
            self.phase = .closed
            self.timer?.cancel()
            self.timer = nil
            self.inbox = []
            self.output.withLock { $0.open = false }
            if self.closeCode == nil { self.closeCode = WebSocketCloseCode.abnormal }
            self.notifyClosed()
        }
    }

    // MARK: - Receiving (queue)

    private func consume(_ bytes: [UInt8]) {
        if case .closed = phase { return }
        lastHeard = Monotonic.seconds()
        parser.append(bytes)
        do {
            while let frame = try parser.next() {
                guard let message = try assembler.receive(frame) else { continue }
                switch message {
                case .ping(let payload): _ = write(WebSocketFrame(opcode: .pong, payload: payload))
                case .pong: break
                case .close(let code, let reason): peerClosed(code: code, reason: reason)
                case .text(let text): enqueue(.text(text))
                case .binary(let bytes): enqueue(.binary(bytes))
                }
                if case .closed = phase { return }
            }
        } catch {
            fail(code: error.code, reason: error.reason)
        }
    }

    private func enqueue(_ message: Message) {
        // After our close frame, data is read but not handled (RFC 6455 §5.5.1).
        guard case .open = phase else { return }
        inbox.append(message)
        if inbox.count >= limits.maxQueuedMessages && !readingPaused {
            readingPaused = true
            output.withLock { $0.channel }?.setReading(false)
        }
        handleNext()
    }

    private func handleNext() {
        guard !handling, case .open = phase, !inbox.isEmpty else { return }
        let message = inbox.removeFirst()
        handling = true
        Task {
            await handler.received(message, on: self)
            queue.async {
                self.handling = false
                if self.readingPaused && self.inbox.count < self.limits.maxQueuedMessages / 2 {
                    self.readingPaused = false
                    self.output.withLock { $0.channel }?.setReading(true)
                }
                self.handleNext()
            }
        }
    }

    // MARK: - Closing (queue)

    /// The client's close frame: answered with the same code (RFC 6455 §5.5.1), then the server closes TCP first.
    private func peerClosed(code: UInt16?, reason: String) {
        switch phase {
        case .open:
            closeCode = code ?? WebSocketCloseCode.noStatus
            closeReason = reason
            _ = write(WebSocketFrame(opcode: .close, payload: code.map { Self.closePayload($0) } ?? []))
        case .closing, .closed: break
        }
        finish()
    }

    /// A clean close we start: our close frame, then the client's within `closeTimeout`.
    private func startClosing(code: UInt16, reason: String) {
        guard case .open = phase else { return }
        closeCode = code
        closeReason = reason
        _ = write(WebSocketFrame(opcode: .close, payload: Self.closePayload(code, reason)))
        phase = .closing(deadline: Monotonic.seconds() + limits.closeTimeout)
        inbox = []
    }

    /// A protocol violation: the close frame with its code, then the connection is dropped (RFC 6455 §7.1.7).
    private func fail(code: UInt16, reason: String) {
        if case .open = phase {
            closeCode = code
            closeReason = reason
            _ = write(WebSocketFrame(opcode: .close, payload: Self.closePayload(code, reason)))
        }
        finish()
    }

    private func finish() {
        phase = .closed
        inbox = []
        timer?.cancel()
        timer = nil
        output.withLock { state -> (any UpgradedChannel)? in
            state.open = false
            return state.channel
        }?.close()
        notifyClosed()
    }

    private func notifyClosed() {
        guard !notifiedClosed else { return }
        notifiedClosed = true
        handler.closed(self, code: closeCode ?? WebSocketCloseCode.abnormal, reason: closeReason)
    }

    private func tick() {
        let now = Monotonic.seconds()
        switch phase {
        case .closed: return
        case .closing(let deadline):
            if now > deadline { finish() }
        case .open:
            if now - lastHeard > limits.idleTimeout {
                startClosing(code: WebSocketCloseCode.goingAway, reason: "No frame or pong for \(Int(limits.idleTimeout)) s.")
            } else if now - lastHeard >= limits.pingInterval && now - lastPing >= limits.pingInterval {
                lastPing = now
                _ = write(WebSocketFrame(opcode: .ping, payload: Array("keep-alive".utf8)))
            }
        }
    }

    /// A close frame's payload: the code, then the reason cut to fit a control frame (125 bytes) on a character
    /// boundary.
    static func closePayload(_ code: UInt16, _ reason: String = "") -> [UInt8] {
        var bytes = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var room = 123
        for scalar in reason.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            guard encoded.count <= room else { break }
            bytes += encoded
            room -= encoded.count
        }
        return bytes
    }
}
