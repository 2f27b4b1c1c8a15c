import CLinux
import Foundation
import Glibc
import HTTPCore
import JSONCore
import Support

/// One client connection, confined to its loop's thread: reads, parses, dispatches one request at a time
/// (pipelined requests wait in the input buffer and are answered in order), writes, and enforces timeouts.
final class Connection {
    let id: UInt64
    let descriptor: Int32
    let remote: String
    /// The loop owns its connections and outlives them, so the reference needs no runtime check.
    unowned(unsafe) let loop: EventLoop

    private var parser: HTTPRequestParser
    // Buffers, clock and upgrade state are module-visible for Connection+Upgrade.swift; only this loop touches them.
    var input: [UInt8] = []
    var inputStart = 0
    var output: [UInt8] = []
    private(set) var outputStart = 0
    var clock: ConnectionClock
    private var interest: UInt32 = EPOLLIN.rawValue | EPOLLRDHUP.rawValue

    /// A request is with a handler; parsing waits (set by Connection+Dispatch.swift).
    var inFlight = false
    /// No more requests: close once output is drained.
    private var closeAfterFlush = false
    /// Half-closed after an error response: discard input until EOF or the deadline, then close.
    private var lingerUntil: Double?
    private(set) var peerClosed = false
    private var stream: StreamWriter?
    /// After `101 Switching Protocols`: the protocol that owns the connection's bytes (Connection+Upgrade.swift).
    var upgraded: UpgradedConnection?
    private(set) var isClosed = false

    init(id: UInt64, descriptor: Int32, remote: String, loop: EventLoop) {
        self.id = id
        self.descriptor = descriptor
        self.remote = remote
        self.loop = loop
        let config = loop.server.configuration
        parser = HTTPRequestParser(limits: config.limits)
        clock = ConnectionClock(
            now: Monotonic.seconds(), headerTimeout: config.headerTimeout, idleTimeout: config.idleTimeout,
            bodyProgressTimeout: config.bodyProgressTimeout, bodyTimeout: config.bodyTimeout, writeTimeout: config.writeTimeout)
        loop.server.metrics.openConnections.add(1)
    }

    // MARK: - Events

    func handle(events: UInt32) {
        if upgraded != nil && events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            close()  // reset or fully closed: reported even while reading is paused
            return
        }
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0 { readAvailable() }
        if isClosed { return }
        if events & EPOLLOUT.rawValue != 0 { flush() }
    }

    private func readAvailable() {
        if upgraded != nil && lingerUntil == nil {
            readUpgraded()
            return
        }
        let buffer = loop.scratch
        var received = false
        // Bounded: a fast sender cannot monopolise the loop.
        for _ in 0..<4 {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                received = true
                if lingerUntil != nil { continue }  // discarding after an error response
                input.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                if count < buffer.count { break }
                if inFlight && input.count - inputStart > loop.server.configuration.maxBufferedInput { break }
                continue
            }
            if count == 0 {
                peerClosed = true
                break
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { break }
            close()  // ECONNRESET and friends: the client is gone.
            return
        }
        if lingerUntil != nil {
            if peerClosed { close() }
            return
        }
        if received && !inFlight && stream == nil {
            clock.received(now: Monotonic.seconds(), readingBody: parser.isReadingBody)
        }
        processInput()
        if isClosed { return }
        if peerClosed {
            // The client half-closed. Finish what is in flight, then close.
            if !inFlight && stream == nil && outputStart >= output.count {
                close()
                return
            }
            closeAfterFlush = true
        }
        flush()
    }

    // MARK: - Requests

    private func processInput() {
        while !inFlight && stream == nil && upgraded == nil && !closeAfterFlush && !isClosed {
            let step: HTTPRequestParser.Step
            let consumed: Int
            do {
                (step, consumed) = try parser.parse(input, from: inputStart)
            } catch {
                inputStart = input.count
                respondToParseError(error)
                return
            }
            inputStart += consumed
            switch step {
            case .needMore:
                compactInput()
                return
            case .head(let head):
                clock.headParsed(now: Monotonic.seconds())
                if head.expectContinue && inputStart >= input.count {
                    output.append(contentsOf: ResponseEncoder.continueResponse)
                }
            case .request(let head, let body):
                clock.dispatched()
                dispatch(head, body: body)
            }
        }
        compactInput()
    }

    private func compactInput() {
        if inputStart >= input.count {
            input.removeAll(keepingCapacity: input.capacity <= 64 * 1024)
            inputStart = 0
        } else if inputStart > 32 * 1024 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    /// Queues the response of the in-flight request, records it, and moves on to the next request.
    func finish(_ exchange: Exchange, route: String?, response: HTTPResponse) {
        guard !isClosed else { return }
        inFlight = false
        let keepAlive = exchange.keepAlive && !closeAfterFlush && !loop.server.isShuttingDown
        if case .upgrade = response.body, response.status == 101 {
            ResponseEncoder.encodeUpgrade(response, date: loop.date, into: &output)
        } else {
            ResponseEncoder.encode(
                response, headOnly: exchange.headOnly, keepAlive: keepAlive, versionMinor: exchange.versionMinor, date: loop.date,
                requestId: exchange.requestId, into: &output)
        }
        loop.server.record(exchange, route: route, status: response.status, loop: loop, disconnected: false)
        if case .upgrade(let handler) = response.body, response.status == 101 {
            upgrade(to: handler)
            return
        }
        clock.responded(now: Monotonic.seconds())
        if !keepAlive { closeAfterFlush = true }
        if case .stream(let producer) = response.body, !exchange.headOnly {
            let writer = StreamWriter(loop: loop, connectionID: id)
            stream = writer
            flush()
            producer.start(writer)
            return
        }
        processInput()
        flush()
    }

    private func respondToParseError(_ error: HTTPParseError) {
        let server = loop.server
        let exchange = Exchange(
            started: Monotonic.nanoseconds(), method: "-", headOnly: false, keepAlive: false, versionMinor: 1,
            requestId: loop.mintRequestID())
        inFlight = true
        finish(exchange, route: nil, response: server.render(error, requestId: exchange.requestId))
    }

    // MARK: - Streams

    func writeStream(_ bytes: [UInt8]) {
        guard stream != nil, !isClosed else { return }
        ResponseEncoder.chunk(bytes, into: &output)
        flush()
    }

    func finishStream() {
        guard let writer = stream, !isClosed else { return }
        output.append(contentsOf: ResponseEncoder.lastChunk)
        stream = nil
        writer.closed()
        processInput()
        flush()
    }

    // MARK: - Writing

    func flush() {
        guard !isClosed else { return }
        let hadOutput = outputStart < output.count
        while outputStart < output.count {
            let count = output.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + outputStart, raw.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                outputStart += count
                clock.output(pending: outputStart < output.count, now: Monotonic.seconds())
                continue
            }
            let code = errno
            if count < 0 && code == EINTR { continue }
            if count < 0 && (code == EAGAIN || code == EWOULDBLOCK) { break }
            close()
            return
        }
        if outputStart >= output.count {
            output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
            outputStart = 0
            clock.output(pending: false, now: Monotonic.seconds())
            if (closeAfterFlush && !inFlight && stream == nil && upgraded == nil) || upgraded?.closing == true {
                linger()
                return
            }
        }
        stream?.setBuffered(output.count - outputStart)
        if let upgraded {
            upgraded.channel.setBuffered(output.count - outputStart)
            if hadOutput && outputStart >= output.count { upgraded.handler.drained() }
        }
        updateInterest()
    }

    /// Epoll is level-triggered: a readiness we will not act on (input while paused, a half-close already seen)
    /// must leave the interest set, or the loop would spin on it.
    func updateInterest() {
        var wanted: UInt32 = 0
        let paused = inFlight && input.count - inputStart > loop.server.configuration.maxBufferedInput
            || upgraded.map { !$0.reading || $0.closing } ?? false
        if !paused && !peerClosed { wanted |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if outputStart < output.count { wanted |= EPOLLOUT.rawValue }
        if wanted != interest {
            interest = wanted
            loop.modify(self, events: wanted)
        }
    }

    /// After the last response: stop sending, discard what the client still sends for a moment, then close.
    /// Closing with unread input makes the kernel send RST, which can destroy the response before the client
    /// reads it (RFC 9112 §9.6).
    private func linger() {
        if peerClosed || input.count == inputStart && parser.isIdle && lingerUntil == nil && !hasUnreadInput() {
            close()
            return
        }
        shutdown(descriptor, Int32(SHUT_WR))
        lingerUntil = Monotonic.seconds() + 2
        updateInterest()
    }

    private func hasUnreadInput() -> Bool {
        var available: Int32 = 0
        return ioctl(descriptor, UInt(FIONREAD), &available) == 0 && available > 0
    }

    // MARK: - Timers and shutdown

    func tick(now: Double) {
        if let lingerUntil {
            if now > lingerUntil { close() }
            return
        }
        if stream != nil || upgraded != nil {
            if clock.check(now: now) == .close { close() }
            return
        }
        switch clock.check(now: now) {
        case .keep: return
        case .close: close()
        case .requestTimeout:
            guard !inFlight else { return }
            let exchange = Exchange(
                started: Monotonic.nanoseconds(), method: "-", headOnly: false, keepAlive: false, versionMinor: 1,
                requestId: loop.mintRequestID())
            inFlight = true
            inputStart = input.count
            finish(exchange, route: nil, response: loop.server.render(HTTPServerTimeout(), requestId: exchange.requestId))
        }
    }

    func shutdownGracefully() {
        if let upgraded {
            upgraded.handler.serverStopping()
            return
        }
        if let stream {
            stream.closed()
            self.stream = nil
            output.append(contentsOf: ResponseEncoder.lastChunk)
            closeAfterFlush = true
            flush()
            return
        }
        if !inFlight && outputStart >= output.count {
            close()
        } else {
            closeAfterFlush = true
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(descriptor)
        loop.remove(self)
        loop.server.metrics.openConnections.add(-1)
        stream?.closed()
        stream = nil
        if let upgraded {
            self.upgraded = nil
            upgraded.channel.closed()
            upgraded.handler.closed()
        }
    }
}
